"""Where shipdeck keeps what it writes: audit log, support-case drafts, saved streams.

The state directory is decided with the config file in ``cloud.settings``; actions
name it from here.
"""

from __future__ import annotations

from cloud.settings import state_dir

__all__ = ["state_dir"]
