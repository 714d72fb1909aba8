"""The pieces of the fault handling that need no world: answer checks, resuming a log, live tail."""

from __future__ import annotations

from cloud.answers import problem_of
from cloud.errors import classify, malformed
from cloud.logs.livetail import _target_of
from cloud.logs.records import LogTarget
from cloud.records import ErrorKind
from tests.faults.proxy import HTML_PAGE
from tui.flows.log_feed import ReadPosition
from widgets.log_buffer import LogItem, StatusNote


def test_each_bad_body_is_named_in_one_sentence() -> None:
    assert problem_of(b'{"repositories": []}', 200, "json") is None
    assert problem_of(b"", 200, "json") is None
    assert problem_of(b"<ok/>", 200, "query") is None
    garbled = problem_of(b'{"a": "\xff"}', 200, "json")
    assert garbled == "HTTP 200: the answer is not UTF-8 text (byte 0xff at offset 7 of 10)"
    cut = problem_of(b'{"repositories": [{"repositoryName": "x"', 200, "json")
    assert cut is not None and cut.startswith("HTTP 200: the answer is cut short or not JSON (")
    html = problem_of(HTML_PAGE, 500, "json")
    assert html == "HTTP 500: an HTML page instead of an answer (500 Internal Server Error)"
    assert problem_of(b"{}", 200, "json", "repositories") == (
        "HTTP 200: the answer lacks its list 'repositories'"
    )
    assert problem_of(b'{"repositories": []}', 200, "json", "repositories") is None
    assert problem_of(b"[1, 2]", 200, "rest-json") == (
        "HTTP 200: the answer is JSON but not an object (list)"
    )


def test_a_reader_that_raised_on_an_answer_is_a_malformed_error_of_its_region() -> None:
    error = malformed(KeyError("taskDefinition"), "ecs", "ap-southeast-1")
    assert (error.service, error.region, error.kind) == (
        "ecs",
        "ap-southeast-1",
        "malformed response",
    )
    assert "taskDefinition" in error.message
    decoded = classify(UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad"), "kubernetes", "nova")
    assert decoded.kind is ErrorKind.MALFORMED


def _lines(*spec: tuple[int, str]) -> list[LogItem]:
    return [(stamp, "", text) for stamp, text in spec]


def test_a_restarted_reader_repeats_nothing_and_keeps_same_millisecond_twins() -> None:
    position = ReadPosition()
    seen = position.kept(_lines((1, "a"), (2, "b"), (2, "same"), (2, "same")))
    assert len(seen) == 4
    assert position.restart() == 2
    # The new reader reads again from millisecond 2: b and both twins come again, then news.
    again = _lines((2, "b"), (2, "same"), (2, "same"), (2, "new at 2"), (3, "c"))
    note = StatusNote("reconnected", "restarted")
    assert position.kept([*again, note]) == [*_lines((2, "new at 2"), (3, "c")), note]
    assert position.restart() == 3
    assert position.kept(_lines((3, "c"), (3, "c"))) == _lines((3, "c"))  # a true second c


def test_live_tail_lines_are_kept_only_under_their_own_group() -> None:
    mine = LogTarget("us-east-1", "/aws/codebuild/mangoo")
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/codebuild/mangoo"
    by_arn = {arn: mine}
    assert _target_of(arn + ":*", by_arn) is mine
    assert _target_of("/aws/codebuild/mangoo", by_arn) is mine
    other = "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/mangoo-backend"
    assert _target_of(other, by_arn) is None
    assert _target_of("", by_arn) is None
