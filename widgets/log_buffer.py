"""The model behind the log view: a bounded buffer of lines, what is held while paused, the rate.

Nothing here draws. Lines come in as plain strings or ``(timestamp_ms, source,
text)`` tuples; the buffer keeps the newest ``max_lines`` of them and turns each
into the rows the view shows (with or without timestamps, wrapped or not).
``StatusNote``s (what the transport says: modes, reconnects, phases, errors)
are not lines: the view shows them on its status line, never among the rows.
"""

from __future__ import annotations

import calendar
import os
import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal, NamedTuple

from rich.cells import cell_len

DEFAULT_MAX_LINES = 100_000  # the same as cloud.logs.limits' (a widget may not import cloud)

ERROR_RULES: tuple[tuple[str, str], ...] = (
    # (a word every match contains, the regex): the word is looked for first, as a
    # substring, so a flood of ordinary lines costs no regex search.
    ("ERROR", "ERROR"),
    ("FAILED", "FAILED"),
    ("FATAL", "FATAL"),
    ("panicked", "panicked"),
    ("Exception", "Exception"),
    ("Traceback", "Traceback"),
    ("OOMKilled", "OOMKilled"),
    ("denied", "denied"),  # "denied: ...", "permission denied"
    ("Denied", "Denied"),  # AccessDenied
    ("DENIED", "DENIED"),
    ("xpired", r"[Tt]oken\b[\w ]{0,60}\b(?:has |is )?expired|[Ee]xpired ?[Tt]oken"),
    ("HTTP", r"HTTP(?:/\d(?:\.\d)?\"?)?(?: status| error| code)?:? ?[45]\d\d\b"),
    ("tatus", r"[Ss]tatus(?:[ _]?[Cc]ode)?(?:[:=] ?| )[45]\d\d\b"),
    ("xit", r"[Ee]xit(?:ed with)? (?:status|code)[:= ]*-?[1-9]"),
)
"""What makes a line error-like (a cause as much as a verdict): styled, and a stop for ``e``."""

ERROR_PATTERN = "|".join(regex for _, regex in ERROR_RULES)
"""The rules as one regex (a view may be given another)."""

# Row flags (one byte per row on screen).
ERROR = 1
CONTINUATION = 4  # a row of an entry after its first (no prefix of its own)
WRAPPED = 8  # a row that continues the line above it on screen (wrap is on)
_BREAKS = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")

_NO_TIME = " " * 24  # as wide as a timestamp, for lines without one
MIN_WRAP_ROOM = 20  # columns: narrower than this beside the prefix, wrapped rows start at 0
OWN_TIME_SLACK_MS = 2000  # a line's own leading time this close to its event's is the same

# A time the line itself starts with (CodeBuild's "[Container] 2024/05/01 12:00:01.123456 ",
# ISO 8601, Python logging's "2024-05-01 12:00:01,123 "), in UTC.
_OWN_TIME = re.compile(
    r"(\[Container\] )?(\d{4}[-/]\d\d[-/]\d\d[T ]\d\d:\d\d:\d\d)"
    r"(?:[.,](\d{1,9}))?(?:Z|[+-]00:?00)? +"
)
_OWN_TIME_STARTS = frozenset("[0123456789")

Severity = Literal["info", "warning", "error"]


@dataclass(frozen=True, slots=True)
class StatusNote:
    """Something about the stream rather than a line of it: an error, a reconnect, a phase."""

    kind: str  # "error", "throttled", "phase", ...
    text: str
    severity: Severity = "info"
    at_ms: int | None = None  # when it happened, if it belongs to a moment in the stream

    def line(self) -> str:
        """``kind: text``, as the status line shows it."""
        return f"{self.kind}: {self.text}"


class LogEntry(NamedTuple):
    """One buffered line (a tuple: a million of them must stay small and quick to make)."""

    timestamp_ms: int | None
    source: str
    text: str
    flags: int


LineItem = str | tuple[int | None, str, str]
"""A line: bare, or (timestamp_ms, source, text)."""

LogItem = LineItem | StatusNote
"""What a feeder hands the view: a line or a status note."""


@lru_cache(maxsize=4096)
def _second(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))


def iso_time(timestamp_ms: int) -> str:
    """Epoch ms as ``2024-05-01T12:00:00.123Z`` (UTC)."""
    seconds, millis = divmod(timestamp_ms, 1000)
    return f"{_second(seconds)}.{millis:03d}Z"


def error_matcher(pattern: str) -> Callable[[str], bool]:
    """A test for error-like lines: words are looked for directly (5x quicker than re)."""
    if pattern == ERROR_PATTERN:
        words = tuple(word for word, regex in ERROR_RULES if word == regex)
        checks = tuple((w, re.compile(r).search) for w, r in ERROR_RULES if w != r)

        def is_error(text: str) -> bool:
            for word in words:  # a loop, not any(): this runs for every line of a flood
                if word in text:
                    return True
            return any(word in text and search(text) is not None for word, search in checks)

        return is_error
    plain = pattern.split("|")
    if all(word and re.escape(word) == word for word in plain):

        def has_word(text: str) -> bool:
            return any(word in text for word in plain)

        return has_word
    search = re.compile(pattern).search
    return lambda text: search(text) is not None


def compile_search(text: str) -> re.Pattern[str] | None:
    """A regex for ``text`` (a literal when it is not a valid one); smart case; None when empty."""
    if not text:
        return None
    flags = 0 if any(c.isupper() for c in text) else re.IGNORECASE
    try:
        return re.compile(text, flags)
    except re.error:
        return re.compile(re.escape(text), flags)


@dataclass(frozen=True)
class LineFilter:
    """``&`` filter: lines matching a regex, or (with a leading ``!``) lines that do not."""

    text: str
    pattern: re.Pattern[str]
    invert: bool

    @classmethod
    def parse(cls, text: str) -> LineFilter | None:
        """The filter typed as ``text``; None for an empty one (which clears)."""
        invert = text.startswith("!")
        body = text[1:] if invert else text
        pattern = compile_search(body)
        if pattern is None:
            return None
        return cls(text, pattern, invert)

    def keeps(self, entry: LogEntry) -> bool:
        """Whether ``entry`` is shown (status notes are not lines: the filter never sees them)."""
        found = self.pattern.search(entry.text) is not None
        return found != self.invert


class RateMeter:
    """Lines per second over the last few seconds."""

    def __init__(self, window: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._window = window
        self.clock = clock  # monotonic seconds; a test may hold it still
        self._samples: deque[tuple[float, int]] = deque()
        self._total = 0

    def add(self, count: int, now: float | None = None) -> None:
        """``count`` lines arrived ``now``."""
        if count:
            self._samples.append((self.clock() if now is None else now, count))
            self._total += count

    def rate(self, now: float | None = None) -> float:
        """Lines per second in the window that ends ``now``."""
        now = self.clock() if now is None else now
        while self._samples and self._samples[0][0] < now - self._window:
            self._total -= self._samples.popleft()[1]
        return self._total / self._window


class LogBuffer:
    """The newest ``max_lines`` entries, plus those held while intake is paused."""

    def __init__(self, max_lines: int = DEFAULT_MAX_LINES, error_pattern: str = ERROR_PATTERN):
        self.max_lines = max_lines
        self.entries: deque[LogEntry] = deque(maxlen=max_lines)
        self.held: deque[LogEntry] = deque(maxlen=max_lines)
        self.paused = False
        self.received = 0  # every line ever added
        self.dropped = 0  # lines pushed out of the buffer (or out of the held lines)
        self.rate = RateMeter()
        self._is_error = error_matcher(error_pattern)

    def entry(self, item: LineItem) -> LogEntry:
        """``item`` as an entry, flagged when error-like."""
        if isinstance(item, str):
            return LogEntry(None, "", item, ERROR if self._is_error(item) else 0)
        timestamp_ms, source, text = item
        return LogEntry(timestamp_ms, source, text, ERROR if self._is_error(text) else 0)

    def add(self, items: Iterable[LineItem]) -> list[LogEntry]:
        """Take ``items``; return the entries to show now (none while paused)."""
        is_error, make = self._is_error, LogEntry._make
        entries: list[LogEntry] = []
        for item in items:  # the hot path: (timestamp, source, text) tuples
            if type(item) is tuple:
                text = item[2]
                entries.append(make((*item, ERROR if is_error(text) else 0)))
            else:
                entries.append(self.entry(item))
        self.received += len(entries)
        self.rate.add(len(entries))
        if self.paused:
            self._push(self.held, entries)
            return []
        self._push(self.entries, entries)
        return entries[-self.max_lines :]

    def release(self) -> list[LogEntry]:
        """Resume intake: what was held goes into the buffer and is returned to show."""
        self.paused = False
        held = list(self.held)
        self.held.clear()
        self._push(self.entries, held)
        return held[-self.max_lines :]

    def _push(self, into: deque[LogEntry], entries: list[LogEntry]) -> None:
        overflow = len(into) + len(entries) - self.max_lines
        if overflow > 0:
            self.dropped += overflow
        into.extend(entries)

    def everything(self) -> Iterator[LogEntry]:
        """Every buffered entry, then every held one (what "save all" writes)."""
        yield from self.entries
        yield from self.held

    @property
    def line_count(self) -> int:
        """Buffered lines (not the held ones)."""
        return len(self.entries)


_TIME = "%Y-%m-%d %H:%M:%S"


@lru_cache(maxsize=4096)
def _epoch_second(stamp: str) -> int | None:
    """``2024/05/01 12:00:01`` (or with ``-`` and ``T``) as epoch seconds (UTC)."""
    try:
        return calendar.timegm(time.strptime(stamp.replace("/", "-").replace("T", " "), _TIME))
    except (OverflowError, ValueError):
        return None


def own_time_cut(text: str, timestamp_ms: int) -> str:
    """``text`` without the time it starts with when that is its event's time (to the
    second or so): a prefix already shows it. CodeBuild's ``[Container]`` tag stays."""
    found = _OWN_TIME.match(text)
    if found is None:
        return text
    tag, stamp, fraction = found.groups()
    seconds = _epoch_second(stamp)
    if seconds is None:
        return text
    own_ms = seconds * 1000 + int((fraction or "0")[:3].ljust(3, "0"))
    if abs(own_ms - timestamp_ms) > OWN_TIME_SLACK_MS:
        return text  # a different moment: it says something
    return f"{tag or ''}{text[found.end() :]}"


def shown_text(entry: LogEntry, timestamps: bool) -> str:
    """The entry's text as a row starts it: no second copy of a time the prefix shows."""
    text = entry.text
    if timestamps and entry.timestamp_ms is not None and text and text[0] in _OWN_TIME_STARTS:
        return own_time_cut(text, entry.timestamp_ms)
    return text


def saved_line(entry: LogEntry) -> str:
    """An entry as a saved file has it: ``ISO-time source text`` (what is known of it)."""
    parts = []
    if entry.timestamp_ms is not None:
        parts.append(iso_time(entry.timestamp_ms))
    if entry.source:
        parts.append(entry.source)
    parts.append(shown_text(entry, True))
    return " ".join(parts)


def save_path(folder: Path, source: str) -> Path:
    """A new file in ``folder`` named after the source and the time (UTC)."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", source).strip("-.") or "log"
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    path = folder / f"{slug}-{stamp}.log"
    number = 2
    while path.exists():
        path = folder / f"{slug}-{stamp}-{number}.log"
        number += 1
    return path


def write_saved(
    path: Path,
    entries: Iterable[LogEntry],
    shown: Callable[[str], str] | None = None,
    *,
    own_folder: bool = True,
) -> None:
    """Write ``entries`` one per line, each as ``shown`` lets it out (raises OSError).

    Log lines are private: the file is ``0600`` and a folder made for it ``0700``
    (modes set after creation, so the umask cannot widen them); with ``own_folder``
    (shipdeck's own folder, not the working directory) an existing folder is
    narrowed to ``0700`` too. Widgets may not import ``actions.paths``, which does
    the same for the other files shipdeck writes.
    """
    folder = path.parent
    made = not folder.exists()
    if made:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if made or own_folder:
        os.chmod(folder, 0o700)
    show = shown or (lambda line: line)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.writelines(f"{show(saved_line(entry))}\n" for entry in entries)


class RowFormat(NamedTuple):
    """How entries become rows: which prefix parts, and the wrap width (0: no wrap)."""

    timestamps: bool
    sources: bool
    wrap_width: int


def prefix_of(entry: LogEntry, fmt: RowFormat) -> str:
    """The dim part before the text: time and source, ending in ``│ `` when there is any."""
    parts = []
    if fmt.timestamps:
        parts.append(iso_time(entry.timestamp_ms) if entry.timestamp_ms is not None else _NO_TIME)
    if fmt.sources and entry.source:
        parts.append(entry.source)
    return f"{' '.join(parts)} │ " if parts else ""


def wrap_indent(prefix: str, width: int) -> int:
    """Columns a wrapped row is indented by: under the message, past ``prefix`` (when the
    message keeps ``MIN_WRAP_ROOM`` columns beside it; otherwise none)."""
    indent = cell_len(prefix)
    return indent if indent and width - indent >= MIN_WRAP_ROOM else 0


def rows_of(entries: Iterable[LogEntry], fmt: RowFormat) -> tuple[list[str], bytearray]:
    """The rows for ``entries`` and one flag byte per row."""
    rows: list[str] = []
    flags = bytearray()
    add_row, add_flag = rows.append, flags.append
    breaks = _BREAKS.search
    simple = not fmt.wrap_width
    stamps = fmt.timestamps
    starts = _OWN_TIME_STARTS
    for entry in entries:
        text = entry.text
        timestamp = entry.timestamp_ms
        if stamps and timestamp is not None and text and text[0] in starts:
            text = own_time_cut(text, timestamp)
        if simple and text and not breaks(text):  # one row per entry: the common case
            if stamps:
                stamp = iso_time(timestamp) if timestamp is not None else _NO_TIME
                if fmt.sources and entry.source:
                    add_row(f"{stamp} {entry.source} │ {text}")
                else:
                    add_row(f"{stamp} │ {text}")
            elif fmt.sources and entry.source:
                add_row(f"{entry.source} │ {text}")
            else:
                add_row(text)
            add_flag(entry.flags)
            continue
        prefix = prefix_of(entry, fmt)
        pad = " " * cell_len(prefix)
        indent = wrap_indent(prefix, fmt.wrap_width) if fmt.wrap_width else 0
        pieces = text.splitlines() or [""]
        for index, piece in enumerate(pieces):
            head = prefix if index == 0 else pad
            if not fmt.wrap_width:
                chunks = [f"{head}{piece}"]
            elif indent:  # wrapped rows continue under the message, not under the time
                body = _wrap(piece, fmt.wrap_width - indent)
                chunks = [f"{head}{body[0]}", *(f"{' ' * indent}{chunk}" for chunk in body[1:])]
            else:
                chunks = _wrap(f"{head}{piece}", fmt.wrap_width)
            for number, chunk in enumerate(chunks):
                # Log drops an empty row; a space keeps rows and flags in step.
                add_row(chunk or " ")
                more = (CONTINUATION if index or number else 0) | (WRAPPED if number else 0)
                add_flag(entry.flags | more)
    return rows, flags


def _wrap(line: str, width: int) -> list[str]:
    line = line.expandtabs()
    if len(line) <= width and line.isascii():
        return [line]
    if line.isascii():
        return [line[i : i + width] for i in range(0, len(line), width)] or [""]
    from rich.cells import chop_cells

    return chop_cells(line, width) or [""]
