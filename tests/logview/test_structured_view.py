"""Structured lines in the log view: compact rows, level colours, ``J``, field filters (no AWS)."""

from __future__ import annotations

import json

from rich.style import Style
from textual import events

from cloud.logs.fields import LineReading
from tests.logview.harness import ViewApp, rows, screen_lines
from tests.logview.test_log_view import SIZE, type_prompt
from widgets.log_lines import LogLines
from widgets.log_record import LogRecordPanel

T0 = 1_714_564_800_000  # 2024-05-01T12:00:00Z


def request_line(n: int, level: str, status: int, message: str, **extra: object) -> str:
    """A FastAPI-style JSON access line whose own time is its event's."""
    return json.dumps(
        {
            "timestamp": f"2024-05-01T12:00:{n:02d}.000Z",
            "level": level,
            "message": message,
            "request_id": f"req-{n}",
            "path": "/api/chat",
            "status": status,
            "latency_ms": 10 * n,
            **extra,
        }
    )


LINES = [
    (T0 + 1000, "lambda", request_line(1, "INFO", 200, "answered")),
    (T0 + 2000, "lambda", request_line(2, "ERROR", 503, "database connection failed")),
    (T0 + 3000, "lambda", "START RequestId: 3f9a Version: $LATEST"),
    (T0 + 4000, "lambda", request_line(4, "WARNING", 504, "upstream timeout")),
    (T0 + 5000, "lambda", 'level=info msg="cache warm" hits=12 status=200'),
    (T0 + 6000, "lambda", '{"level": "INFO", "message": "cut short'),  # looks like JSON only
]


def structured_app(**options: object) -> ViewApp:
    return ViewApp(structure=LineReading(), **options)


def style_at(lines: LogLines, row: int, word: str) -> Style:
    """The style the word is drawn with on ``row``."""
    strip = lines.render_line(row - lines.visible_range().start)
    for segment in strip:
        if word in segment.text and segment.style is not None:
            return segment.style
    raise AssertionError(f"{word!r} not drawn on row {row}: {strip.text!r}")


async def test_json_and_logfmt_lines_show_as_one_compact_row() -> None:
    app = structured_app()
    async with app.run_test(size=(140, 30)) as pilot:
        app.view.write_batch(LINES)
        await pilot.pause()
        shown = rows(app.view)
        assert shown[0] == (
            "2024-05-01T12:00:01.000Z │ INFO  answered  "
            "request_id=req-1 path=/api/chat status=200 latency_ms=10"
        ), "the line's own time equal to its event's is not shown twice"
        assert "│ ERROR database connection failed  request_id=req-2" in shown[1]
        assert shown[2].endswith("│ START RequestId: 3f9a Version: $LATEST"), "plain stays plain"
        assert "│ WARN  upstream timeout  request_id=req-4" in shown[3]
        assert shown[4].endswith("│ INFO  cache warm  hits=12 status=200")
        assert shown[5].endswith('│ {"level": "INFO", "message": "cut short'), "not JSON: plain"
        screen = "\n".join(screen_lines(app))
        assert "INFO  answered  request_id=req-1" in screen
        assert '"timestamp"' not in screen


async def test_level_is_coloured_and_error_levels_are_error_lines() -> None:
    app = structured_app(timestamps=False)
    async with app.run_test(size=(140, 30)) as pilot:
        app.view.write_batch(LINES)
        await pilot.pause()
        lines = app.view.log_lines
        info = lines.get_component_rich_style("log-lines--level-info", partial=True)
        warn = lines.get_component_rich_style("log-lines--level-warn", partial=True)
        error = lines.get_component_rich_style("log-lines--level-error", partial=True)
        assert style_at(lines, 0, "INFO").color == info.color
        assert style_at(lines, 3, "WARN").color == warn.color
        assert style_at(lines, 1, "ERROR").color == error.color
        assert info.color != warn.color != error.color
        assert style_at(lines, 0, "answered").color != info.color, "only the label is coloured"
        assert style_at(lines, 2, "START").color != info.color
        await pilot.press("e")
        await pilot.pause()
        assert lines.current_row == 1, "e stops at the ERROR line, not the WARN one"
        await pilot.press("e")
        await pilot.pause()
        assert lines.current_row == 1, "the only error line"


async def test_J_shows_the_current_line_pretty_and_J_closes_it() -> None:
    app = structured_app(timestamps=False)
    async with app.run_test(size=(120, 40)) as pilot:
        nested = request_line(7, "ERROR", 500, "boom", detail={"db": {"host": "10.0.0.1"}})
        app.view.write_batch([*LINES, (T0 + 7000, "lambda", nested)])
        await pilot.pause()
        panel = app.query_one(LogRecordPanel)
        assert not panel.is_open
        await pilot.press("J")  # no current row: the last on screen
        await pilot.pause()
        assert panel.is_open
        assert app.view.log_lines.current_row == 6
        text = panel.text
        assert '"message": "boom"' in text
        assert '"detail": {' in text and '      "host": "10.0.0.1"' in text, "nested, indented"
        screen = "\n".join(screen_lines(app))
        assert '"status": 500' in screen
        await pilot.press("J")
        await pilot.pause()
        assert not panel.is_open
        await pilot.press("e")  # to the first error line, then J shows it
        await pilot.pause()
        await pilot.press("J")
        await pilot.pause()
        assert '"message": "database connection failed"' in panel.text
        await pilot.press("e")  # the panel follows the current row
        await pilot.pause()
        assert '"message": "boom"' in panel.text


async def test_J_on_a_plain_line_says_so() -> None:
    app = structured_app(timestamps=False)
    async with app.run_test(size=SIZE) as pilot:
        app.view.write_batch(["just text", "more text"])
        await pilot.pause()
        await pilot.press("J")
        await pilot.pause()
        assert not app.query_one(LogRecordPanel).is_open
        assert "not a structured line (JSON or logfmt)" in app.notes


async def test_field_filter_keeps_matching_lines_and_combines() -> None:
    app = structured_app(timestamps=False)
    async with app.run_test(size=(140, 30)) as pilot:
        view = app.view
        view.write_batch(LINES)
        await pilot.pause()
        await type_prompt(pilot, "ampersand", "status>=500")
        assert [row.split("  ")[0] for row in rows(view)] == [
            "2024-05-01T12:00:02.000Z ERROR database connection failed",
            "2024-05-01T12:00:04.000Z WARN",
        ], "without the time prefix a line's own time is shown"
        assert "&status>=500" in str(view.border_subtitle)
        assert "2/6 lines" in str(view.border_subtitle)
        await type_prompt(pilot, "ampersand", "level=error status>=500")
        assert len(rows(view)) == 1 and "database connection failed" in rows(view)[0]
        await type_prompt(pilot, "ampersand", "msg~TIMEOUT")
        assert rows(view) == [], "smart case: upper case is exact"
        await type_prompt(pilot, "ampersand", "msg~timeout")
        assert len(rows(view)) == 1 and "upstream timeout" in rows(view)[0]
        await type_prompt(pilot, "ampersand", "hits>10")
        assert rows(view) == ["INFO  cache warm  hits=12 status=200"], "logfmt numbers compare"
        view.write_batch([(T0 + 9000, "lambda", "level=info msg=more hits=40 status=200")])
        await pilot.pause()
        assert len(rows(view)) == 2, "new lines pass through the same filter"
        await type_prompt(pilot, "ampersand", "START")
        assert rows(view) == ["START RequestId: 3f9a Version: $LATEST"], "a regex as before"


async def test_a_bad_field_filter_says_why_and_keeps_the_filter_in_force() -> None:
    app = structured_app(timestamps=False)
    async with app.run_test(size=(140, 30)) as pilot:
        view = app.view
        view.write_batch(LINES)
        await pilot.pause()
        await type_prompt(pilot, "ampersand", "level=error")
        before = rows(view)
        assert len(before) == 1
        await type_prompt(pilot, "ampersand", "status>=lots")
        assert rows(view) == before, "nothing lost: the filter in force stays"
        assert view.filter_text == "level=error"
        notes = [n for n in app.notes if n.startswith("filter not applied")]
        assert notes == [
            "filter not applied: status>=lots: >= compares numbers (or levels on a level field)"
        ]
        assert "\n" not in notes[0]
        await type_prompt(pilot, "ampersand", "level=error status")
        assert rows(view) == before
        assert any("cannot read 'status'" in n for n in app.notes)


async def test_hostile_fields_are_shown_not_obeyed() -> None:
    app = structured_app(timestamps=False)
    async with app.run_test(size=(140, 30)) as pilot:
        hostile = json.dumps(
            {
                "level": "info",
                "message": "\x1b]52;c;aGk=\x07[bold red]boom[/]",
                "\u202etxt.exe": "\x1b[2J",
                "nested": json.loads("[" * 50 + "1" + "]" * 50),
            }
        )
        app.view.write_batch([hostile])
        await pilot.pause()
        row = rows(app.view)[0]
        assert "\x1b" not in row and "\x07" not in row and "\u202e" not in row
        assert "␛]52;c;aGk=␇[bold red]boom[/]" in row, "markup shown as typed"
        assert "<U+202E>txt.exe=␛[2J" in row
        assert "…" in row, "deep nesting is cut"
        await pilot.press("J")
        await pilot.pause()
        text = app.query_one(LogRecordPanel).text
        assert "\x1b" not in text and "[bold red]boom[/]" in text


async def test_a_filter_typed_in_one_burst_lands_in_the_prompt() -> None:
    app = structured_app(timestamps=False)
    async with app.run_test(size=(140, 30)) as pilot:
        view = app.view
        view.write_batch(LINES)
        await pilot.pause()
        # "&level=error" and enter as fast as a person (or tmux) sends them: no pause for
        # the prompt to take the focus, so no "e" runs as next-error on the way.
        burst = [
            ("ampersand", "&"),
            *((c if c != "=" else "equals_sign", c) for c in "level=error"),
        ]
        for key, character in [*burst, ("enter", "\r")]:
            app.post_message(events.Key(key, character))  # as the driver does, not waiting
        await pilot.pause()
        assert "&level=error" in str(view.border_subtitle)
        assert len(rows(view)) == 1 and "database connection failed" in rows(view)[0]
        # In the open prompt "/" and ":" are characters, not the keys that open prompts.
        names = {"=": "equals_sign", "/": "slash", ":": "colon", "&": "ampersand"}
        for c in "&path=/api/chat":
            app.post_message(events.Key(names.get(c, c), c))
        app.post_message(events.Key("enter", "\r"))
        await pilot.pause()
        assert "&path=/api/chat" in str(view.border_subtitle)
        assert len(rows(view)) == 3
