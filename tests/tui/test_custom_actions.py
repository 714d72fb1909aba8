"""Actions of one's own (``[[actions]]``) in the console: key -> form -> preview -> run -> audit.

The commands are harmless real ones (this Python, ``printf``); their output is
read on the progress screen's log view, their record in the audit log. The
world is this module's own: one test puts an alarm with a hostile name in it.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from textual.widgets import Button

from cloud.session import CloudSession
from cloud.settings import Settings, load_settings
from demo.launcher import WorldProcess
from tests.support import running_world
from tests.tui.conftest import ManualClock
from tests.tui.helpers import modal, model_read, on_console, pane, screen_text, wait_for
from tui.app import ShipdeckApp
from tui.flows.preview import SharedPlanPreview
from tui.flows.progress import ActionProgress
from tui.palette import ConsoleCommands
from widgets.action_form import ActionForm

PY = shlex.quote(sys.executable)
ECHO_ARGS = (
    f'{PY} -c \'import sys; print("ran", sys.argv[1:]); print("on stderr", file=sys.stderr)\''
)
REGION = "ap-southeast-1"  # where query-service runs on ECS
CLUSTER = "query-service-cluster"
SERVICE = "query-service"


@pytest.fixture(scope="module")
def custom_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorldProcess]:
    """A world of this module (one test adds an alarm), its own state directory."""
    with running_world() as running, pytest.MonkeyPatch.context() as patch:
        patch.setenv("SHIPDECK_STATE_DIR", str(tmp_path_factory.mktemp("state")))
        yield running


@pytest.fixture(scope="module")
def custom_session(custom_world: WorldProcess) -> CloudSession:
    return CloudSession(regions=tuple(custom_world.regions), kube_context=custom_world.kube_context)


def _settings(tmp_path: Path, toml: str) -> Settings:
    path = tmp_path / "config.toml"
    path.write_text(toml, encoding="utf-8")
    return load_settings(path)


@pytest.fixture
def custom_app(custom_session: CloudSession, tmp_path: Path) -> Callable[..., ShipdeckApp]:
    def make(toml: str, read_only: bool = False) -> ShipdeckApp:
        return ShipdeckApp(
            custom_session,
            _settings(tmp_path, toml),
            read_only=read_only,
            badge="DEMO WORLD",
            monotonic=ManualClock(),
        )

    return make


def _select(app: ShipdeckApp, pane_name: str, kind: str, name: str) -> None:
    """Put the cursor on the row of ``kind`` whose record is called ``name``."""
    table = pane(app, pane_name).table
    for key, ref in pane(app, pane_name).refs.items():
        record = app.context.state.record(ref)
        if ref.kind == kind and getattr(record, "name", None) == name:
            assert table.select_key(key)
            return
    raise AssertionError(f"no {kind} row {name!r} in {pane_name}")


def _outcomes(app: ShipdeckApp, action: str) -> list[dict[str, Any]]:
    return [
        e
        for e in app.context.audit_log().entries()
        if e["action"] == action and e["event"] == "outcome"
    ]


async def test_key_form_preview_confirm_streams_output_and_audits(
    custom_app: Callable[..., ShipdeckApp],
) -> None:
    app = custom_app(
        f"""
[[actions]]
name = "say-hello"
key = "A"
label = "Hello"
kinds = ["ecs"]
command = '''{ECHO_ARGS} {{cluster}} {{name}} --region={{region}} {{greeting}}'''
params = [{{ name = "greeting", prompt = "what to say" }}]
"""
    )
    async with app.run_test(size=(160, 44), notifications=True) as pilot:
        await model_read(pilot)
        await pilot.press("3")
        _select(app, "services", "ecs", SERVICE)
        assert "Hello" in screen_text(app)  # its key is in the footer on an ECS row
        await pilot.press("A")
        form = await modal(pilot, ActionForm)
        assert "what to say" in screen_text(app)
        await pilot.press(*"hi; there $(id)")
        await pilot.press("enter")
        preview = await modal(pilot, SharedPlanPreview)
        argv = [
            sys.executable,
            "-c",
            'import sys; print("ran", sys.argv[1:]); print("on stderr", file=sys.stderr)',
            CLUSTER,
            SERVICE,
            f"--region={REGION}",
            "hi; there $(id)",
        ]
        assert preview.plain_data.commands == (shlex.join(argv),)
        assert "'hi; there $(id)'" in screen_text(app)  # quoted, as it would be typed
        assert "RISKY" in screen_text(app)  # mutates by default
        assert form is not app.screen
        await pilot.press("a")
        progress = await modal(pilot, ActionProgress)
        await wait_for(pilot, lambda: progress.ended, timeout=30)
        await wait_for(pilot, lambda: "done: exit 0" in screen_text(app))
        shown = screen_text(app)
        assert "ran ['query-service-cluster', 'query-service', '--region=ap-southeast-1'," in shown
        assert "'hi; there $(id)']" in shown
        assert "on stderr" in shown
        assert "done: exit 0" in shown
        await pilot.press("escape")
        await wait_for(pilot, lambda: on_console(app))
        outcome = _outcomes(app, "say-hello")[-1]
        assert outcome["outcome"] == "ok"
        assert outcome["argv"] == argv
        assert outcome["exit_code"] == 0
        assert outcome["duration_seconds"] >= 0
        assert outcome["target"] == f"ecs:{CLUSTER}/{SERVICE}"


async def test_a_failing_command_says_its_exit_code(custom_app: Callable[..., ShipdeckApp]) -> None:
    app = custom_app(
        f"""
[[actions]]
name = "fail-three"
key = "V"
kinds = ["ecs"]
mutates = false
command = '''{PY} -c 'import sys; print("giving up"); sys.exit(3)' {{name}}'''
"""
    )
    async with app.run_test(size=(160, 44), notifications=True) as pilot:
        await model_read(pilot)
        await pilot.press("3")
        _select(app, "services", "ecs", SERVICE)
        await pilot.press("V")
        await modal(pilot, SharedPlanPreview)
        assert "SAFE" in screen_text(app)  # mutates = false
        await pilot.press("enter")  # a safe plan opens with Apply focused
        progress = await modal(pilot, ActionProgress)
        await wait_for(pilot, lambda: progress.ended, timeout=30)
        await wait_for(pilot, lambda: " exit " in screen_text(app))  # the notice, drawn
        assert "failed: exit 3" in screen_text(app)
        assert "giving up" in screen_text(app)
        outcome = _outcomes(app, "fail-three")[-1]
        assert (outcome["outcome"], outcome["exit_code"]) == ("failed", 3)


READ_ONLY_PAIR = f"""
[[actions]]
name = "poke-service"
key = "Z"
kinds = ["ecs"]
command = '''{PY} -c 'print("poked")' {{name}}'''

[[actions]]
name = "look-service"
key = "V"
kinds = ["ecs"]
mutates = false
command = '''{PY} -c 'import sys; print("looked at", sys.argv[1])' {{name}}'''
"""


async def test_read_only_refuses_a_mutating_one_and_runs_a_read_only_one(
    custom_app: Callable[..., ShipdeckApp],
) -> None:
    app = custom_app(READ_ONLY_PAIR, read_only=True)
    async with app.run_test(size=(160, 44), notifications=True) as pilot:
        await model_read(pilot)
        await pilot.press("3")
        _select(app, "services", "ecs", SERVICE)
        services = pane(app, "services")
        assert not app.screen.active_bindings["Z"].enabled  # greyed
        await pilot.press("Z")
        await pilot.pause()
        assert on_console(app) and app.context.action_running is None
        # the palette offers the read-only one, not the other
        titles = [title for title, _, _ in ConsoleCommands(app.screen)._entries()]
        assert any("look-service" in t and "(custom)" in t for t in titles)
        assert not any("poke-service" in t for t in titles)
        # run by name anyway: refused
        await app.run_action("remediate('poke-service')", services)
        await pilot.pause()
        assert on_console(app) and app.context.action_running is None
        assert not _outcomes(app, "poke-service")

        assert app.screen.active_bindings["V"].enabled
        await pilot.press("V")
        await modal(pilot, SharedPlanPreview)
        await pilot.press("enter")
        progress = await modal(pilot, ActionProgress)
        await wait_for(pilot, lambda: progress.ended, timeout=30)
        await wait_for(pilot, lambda: " exit " in screen_text(app))  # the notice, drawn
        assert f"looked at {SERVICE}" in screen_text(app)
        assert _outcomes(app, "look-service")[-1]["exit_code"] == 0


@pytest.fixture(scope="module")
def hostile_alarm(custom_world: WorldProcess, tmp_path_factory: pytest.TempPathFactory) -> str:
    """An alarm whose name is shell syntax that would leave a file behind if a shell read it."""
    marker = tmp_path_factory.mktemp("marker") / "pwned"
    name = f"x'; touch {marker}; $(touch {marker}) `id` \"; | cat > ~/x & * ~"
    make: Callable[..., Any] = boto3.client
    cloudwatch = make("cloudwatch", region_name=REGION, endpoint_url=custom_world.aws_endpoint)
    cloudwatch.put_metric_alarm(
        AlarmName=name,
        MetricName="CPUUtilization",
        Namespace="AWS/ECS",
        Statistic="Average",
        Period=60,
        EvaluationPeriods=1,
        Threshold=90.0,
        ComparisonOperator="GreaterThanThreshold",
    )
    return name


async def test_a_hostile_name_is_one_argument_and_runs_nothing(
    custom_app: Callable[..., ShipdeckApp], hostile_alarm: str
) -> None:
    marker = Path(hostile_alarm.split("touch ", 1)[1].split(";", 1)[0])
    app = custom_app(
        """
[[actions]]
name = "show-alarm"
key = "V"
kinds = ["alarm"]
mutates = false
command = "printf '[%s]\\n' {name} --region {region}"
"""
    )
    async with app.run_test(size=(200, 44), notifications=True) as pilot:
        await model_read(pilot)
        await pilot.press("5")
        _select(app, "alarms", "alarm", hostile_alarm)
        await pilot.press("V")
        preview = await modal(pilot, SharedPlanPreview)
        argv = ["printf", "[%s]\n", hostile_alarm, "--region", REGION]  # TOML reads \\n
        assert preview.plain_data.commands == (shlex.join(argv),)
        assert shlex.split(preview.plain_data.commands[0]) == argv  # as typed, the same argv
        await pilot.press("enter")
        progress = await modal(pilot, ActionProgress)
        await wait_for(pilot, lambda: progress.ended, timeout=30)
        await wait_for(pilot, lambda: " exit " in screen_text(app))  # the notice, drawn
        shown = screen_text(app)
        assert f"[{hostile_alarm}]" in shown  # printf got it as one argument, verbatim
        assert "[--region]" in shown and "done: exit 0" in shown
        assert not marker.exists()
        assert _outcomes(app, "show-alarm")[-1]["argv"] == argv


async def test_a_bad_entry_is_told_and_the_good_one_works(
    custom_app: Callable[..., ShipdeckApp],
) -> None:
    app = custom_app(
        f"""
[[actions]]
name = "clashing"
key = "t"
kinds = ["ecs"]
command = "echo {{name}}"

[[actions]]
name = "typo"
key = "H"
kinds = ["ecs"]
command = "echo {{nmae}}"

[[actions]]
name = "look-service"
key = "V"
kinds = ["ecs"]
mutates = false
command = '''{PY} -c 'print("still here")' {{name}}'''

[[actions]]
name = "second-v"
key = "V"
kinds = ["ecs"]
command = "echo {{name}}"
"""
    )
    async with app.run_test(size=(200, 44), notifications=True) as pilot:
        await model_read(pilot)
        toasts = " ".join(str(toast.render()) for toast in app.screen.query("Toast"))
        assert "config.toml: [[actions]] entry 1 ('clashing'): key 't' is a built-in key" in toasts
        assert "config.toml: [[actions]] entry 2 ('typo'): command: unknown placeholder {nmae}" in (
            toasts
        )
        assert "entry 4 ('second-v'): key 'V' is the key of 'look-service' already" in toasts
        assert "entry 3" not in toasts
        await pilot.press("3")
        _select(app, "services", "ecs", SERVICE)
        assert "H" not in app.screen.active_bindings
        held = app.screen.active_bindings.get("t")
        assert held is None or held.binding.action != "remediate('clashing')"
        await pilot.press("V")
        await modal(pilot, SharedPlanPreview)
        await pilot.press("enter")
        progress = await modal(pilot, ActionProgress)
        await wait_for(pilot, lambda: progress.ended, timeout=30)
        await wait_for(pilot, lambda: " exit " in screen_text(app))  # the notice, drawn
        assert "still here" in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: on_console(app))
        await pilot.press("question_mark")
        await pilot.pause()
        await pilot.press("ctrl+end")  # the actions of one's own come last
        await wait_for(pilot, lambda: "custom: ecs V " in screen_text(app), timeout=5)
        shown = screen_text(app)
        assert """'print("still here")' {name} (custom)""" in shown
        assert "action.typo" not in shown and "action.clashing" not in shown


async def test_a_running_command_is_cancelled_from_the_progress_screen(
    custom_app: Callable[..., ShipdeckApp],
) -> None:
    waits = 'import threading; print("started", flush=True); threading.Event().wait()'
    app = custom_app(
        f"""
[[actions]]
name = "wait-long"
key = "V"
kinds = ["ecs"]
mutates = false
command = '''{PY} -c '{waits}' {{name}}'''
"""
    )
    async with app.run_test(size=(160, 44), notifications=True) as pilot:
        await model_read(pilot)
        await pilot.press("3")
        _select(app, "services", "ecs", SERVICE)
        await pilot.press("V")
        await modal(pilot, SharedPlanPreview)
        await pilot.press("enter")
        progress = await modal(pilot, ActionProgress)
        await wait_for(pilot, lambda: "started" in screen_text(app), timeout=30)
        assert not progress.ended
        await pilot.press("c")  # cancel the step under the cursor: the command
        await wait_for(pilot, lambda: progress.ended, timeout=30)
        await wait_for(pilot, lambda: "failed: cancelled after" in screen_text(app))
        outcome = _outcomes(app, "wait-long")[-1]
        assert outcome["outcome"] == "failed" and outcome["exit_code"] == -15  # SIGTERM


async def test_a_value_that_reads_as_an_option_is_refused_in_the_preview(
    custom_app: Callable[..., ShipdeckApp], option_alarm: str
) -> None:
    app = custom_app(
        """
[[actions]]
name = "show-alarm"
key = "V"
kinds = ["alarm"]
mutates = false
command = "printf '%s|' {name}"
"""
    )
    async with app.run_test(size=(200, 44), notifications=True) as pilot:
        await model_read(pilot)
        await pilot.press("5")
        _select(app, "alarms", "alarm", option_alarm)
        await pilot.press("V")
        preview = await modal(pilot, SharedPlanPreview)
        assert "cannot apply: {name} is not an option" in screen_text(app)
        assert preview.query_one("#plan-apply", Button).disabled
        await pilot.press("escape")
        await wait_for(pilot, lambda: on_console(app))
        assert not any(option_alarm in e["argv"] for e in _outcomes(app, "show-alarm"))


@pytest.fixture(scope="module")
def option_alarm(custom_world: WorldProcess) -> str:
    """An alarm whose name is an option of ``printf`` and of many programs."""
    name = "--help"
    make: Callable[..., Any] = boto3.client
    cloudwatch = make("cloudwatch", region_name=REGION, endpoint_url=custom_world.aws_endpoint)
    cloudwatch.put_metric_alarm(
        AlarmName=name,
        MetricName="CPUUtilization",
        Namespace="AWS/ECS",
        Statistic="Average",
        Period=60,
        EvaluationPeriods=1,
        Threshold=90.0,
        ComparisonOperator="GreaterThanThreshold",
    )
    return name


async def test_a_parameter_with_a_default_is_asked_for_first(
    custom_app: Callable[..., ShipdeckApp],
) -> None:
    app = custom_app(
        f"""
[[actions]]
name = "set-count"
key = "A"
kinds = ["ecs"]
command = '''{ECHO_ARGS} {{name}} --count={{count}}'''
params = [{{ name = "count", prompt = "desired tasks", default = "2" }}]
"""
    )
    async with app.run_test(size=(160, 44), notifications=True) as pilot:
        await model_read(pilot)
        await pilot.press("3")
        _select(app, "services", "ecs", SERVICE)
        await pilot.press("A")
        await modal(pilot, ActionForm)  # the person's own value is shown before any plan
        assert "desired tasks" in screen_text(app)
        await pilot.press("enter")  # the default, as shown
        preview = await modal(pilot, SharedPlanPreview)
        assert preview.plain_data.commands[0].endswith(f"{SERVICE} --count=2")
