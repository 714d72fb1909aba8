"""The headless commands never import the UI: no Textual, no Rich, no tui, no widgets.

Import-linter checks the imports it can see; this runs the commands in a fresh
interpreter and looks at what was really loaded, so a module-level
``import textual`` anywhere on their path (or in a package they import) fails here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

UI_PACKAGES = ("textual", "rich", "tui", "widgets", "demo")

COMMANDS = (
    ("--help",),
    ("doctor", "--help"),
    ("action", "--list"),
    ("audit",),
    ("timeline", "--help"),
    ("tail", "--help"),
    ("fallback-build", "--help"),
    ("world", "--help"),
)

SCRIPT = textwrap.dedent(
    """
    import json, sys

    import cli.main

    report, commands = sys.argv[1], json.loads(sys.argv[2])
    codes = {}
    for args in commands:
        try:
            cli.main.main(args)
        except SystemExit as exc:
            codes[" ".join(args)] = exc.code or 0
        else:
            codes[" ".join(args)] = 0
    loaded = sorted(sys.modules)
    with open(report, "w", encoding="utf-8") as out:
        json.dump({"codes": codes, "modules": loaded}, out)
    """
)


def test_headless_commands_load_no_ui(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHIPDECK_")}
    env.update(SHIPDECK_CONFIG=str(config), SHIPDECK_STATE_DIR=str(tmp_path / "state"))
    report = tmp_path / "report.json"
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(report), json.dumps(COMMANDS)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(report.read_text(encoding="utf-8"))
    # Each command really ran (a crash before the UI import would prove nothing).
    assert found["codes"] == {" ".join(args): 0 for args in COMMANDS}, result.stderr
    assert "doctor [OPTIONS]" in result.stdout  # the help of each command was printed
    assert "rollback-service" in result.stdout  # ``action --list`` printed the catalogue
    assert "no entries yet" in result.stderr  # ``audit`` read the (empty) log
    modules = set(found["modules"])
    assert "cli.doctor" in modules
    loaded_ui = sorted(m for m in modules if m.split(".")[0] in UI_PACKAGES)
    assert loaded_ui == []
