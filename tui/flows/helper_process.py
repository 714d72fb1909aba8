"""What every helper process of the console does first (the start-up reader, log readers)."""

from __future__ import annotations

import os
import signal


def detach_from_console() -> None:
    """Leave Ctrl-C to the console, and never print over its screen.

    Helpers report through their pipe; anything they would print (a warning from
    a library, say) would land in the middle of the console's drawing.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)
