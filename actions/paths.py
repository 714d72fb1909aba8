"""Where shipdeck keeps what it writes: audit log, support-case drafts, saved streams."""

from __future__ import annotations

import os
from pathlib import Path


def state_dir() -> Path:
    """``SHIPDECK_STATE_DIR`` or the platform's user state directory."""
    override = os.environ.get("SHIPDECK_STATE_DIR")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_state_path

    return user_state_path("shipdeck")
