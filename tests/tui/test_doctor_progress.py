"""``shipdeck doctor`` says how far it has read on a terminal, and nothing when piped."""

from __future__ import annotations

import os
import pty
import subprocess

from tests.tui.conftest import WorldAccess, run_cli


def _doctor(world: WorldAccess, stderr: int) -> subprocess.CompletedProcess[str]:
    return run_cli(world, dict(os.environ), "doctor", "--json", stderr=stderr)


def _drain(fd: int) -> bytes:
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the other end is closed: all read
            return b"".join(chunks)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def test_doctor_shows_its_progress_on_a_terminal_and_wipes_it(world: WorldAccess) -> None:
    main, terminal = pty.openpty()
    try:
        done = _doctor(world, terminal)
        os.close(terminal)
        shown = _drain(main).decode()
    finally:
        os.close(main)
    assert done.stdout.lstrip().startswith("{")  # the JSON on stdout is untouched
    assert "doctor: read 1 of 7 kinds, reading " in shown
    assert "doctor: read 7 of 7 kinds, judging" in shown
    assert shown.endswith("\r\x1b[K")  # the line is wiped: nothing left under the prompt


def test_doctor_piped_is_quiet(world: WorldAccess) -> None:
    done = _doctor(world, subprocess.PIPE)
    assert done.stdout.lstrip().startswith("{")
    assert done.stderr == ""
