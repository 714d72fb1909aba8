"""Start-up without the cyclic garbage collector; afterwards, the start-up heap frozen.

Start-up allocates the modules, widgets, styles and first records that live as
long as the console. Collecting while they are being made finds nothing to free
and costs about a tenth of the start-up's CPU. Once the first reads are on
screen, ``gc.freeze()`` moves all of it out of the collector's sight, so later
collections walk only what the session makes since.
"""

from __future__ import annotations

import gc


def hold_collector() -> None:
    """Stop cyclic collection for the start-up (reference counting still frees memory)."""
    gc.disable()


def release_collector() -> None:
    """Freeze what start-up made and collect normally from now on (idempotent)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
