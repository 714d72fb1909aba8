"""Where shipdeck keeps what it writes, and how: audit log, drafts, saved streams, exports.

The state directory is decided with the config file in ``cloud.settings``; actions
name it from here. What shipdeck writes can hold account ids, ARNs and log lines
nobody else on the machine should read, so every file is created ``0600`` in a
``0700`` directory, with the mode given to ``os.open`` and set again with
``fchmod``: the umask cannot widen it, and an older file written ``0644`` is
narrowed the next time it is written.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TextIO

from cloud.settings import state_dir

__all__ = ["PRIVATE_DIR_MODE", "PRIVATE_FILE_MODE", "open_private", "private_dir", "state_dir"]

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


def private_dir(path: Path, *, narrow: bool = True) -> Path:
    """Make ``path`` (and missing parents) as ``0700``; with ``narrow``, an existing one too.

    ``narrow=False`` is for a folder the person named (``--export ./x.md``): shipdeck
    does not change the mode of a folder it did not make.
    """
    missing = []
    folder = path
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for made in reversed(missing):
        with contextlib.suppress(FileExistsError):  # made by another thread meanwhile
            made.mkdir(mode=PRIVATE_DIR_MODE)
        os.chmod(made, PRIVATE_DIR_MODE)  # mkdir's mode is filtered by the umask
    if narrow and not missing:
        os.chmod(path, PRIVATE_DIR_MODE)
    return path


def open_private(path: Path, *, append: bool = False, exclusive: bool = False) -> TextIO:
    """``path`` opened for writing text as a ``0600`` file (its folder: see ``private_dir``).

    ``append`` adds to the end; else the file is truncated, or with ``exclusive``
    must not exist yet (``FileExistsError``).
    """
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
    flags |= os.O_APPEND if append else (os.O_EXCL if exclusive else os.O_TRUNC)
    descriptor = os.open(path, flags, PRIVATE_FILE_MODE)
    try:
        os.fchmod(descriptor, PRIVATE_FILE_MODE)
        # Text that is not encodable (a lone surrogate) is escaped, never a crash mid-write.
        if append:
            return os.fdopen(descriptor, "a", encoding="utf-8", errors="backslashreplace")
        return os.fdopen(descriptor, "w", encoding="utf-8", errors="backslashreplace")
    except BaseException:
        os.close(descriptor)
        raise
