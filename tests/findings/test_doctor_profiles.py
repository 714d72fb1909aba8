"""``shipdeck doctor --profile world --profile payments``: both accounts of the world at once.

The seeded world has a second account (the payments team's, ``accounts:`` in
seeds.yaml) and an AWS config naming a profile per account. doctor reads both
in parallel, judges each alone and says each finding's profile.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.findings.conftest import SEEDS, shipdeck_runner, world_at

NOVA = "ap-northeast-1"


def test_doctor_lists_the_findings_of_both_profiles(tmp_path: Path) -> None:
    with world_at(SEEDS) as world:
        assert world.aws_config is not None
        run = shipdeck_runner(world, tmp_path / "state")

        def doctor(*args: str) -> tuple[int, str, str]:
            done = run(*args)
            return done.returncode, done.stdout, done.stderr

        # The world's AWS config names the profiles (the runner points at no config file).
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("AWS_CONFIG_FILE", world.aws_config)
            status, out, err = doctor(
                "--profile", "world", "--profile", "payments", "doctor", "--json"
            )
            text_status, text, _ = doctor("--profile", "world", "--profile", "payments", "doctor")
            bad_status, _, bad = doctor("--profile", "world", "--profile", "nope", "doctor")
    assert status == 1, err  # critical findings, in both accounts
    document = json.loads(out)
    by_id = {f["id"]: f for f in document["findings"]}
    payments = by_id[f"payments/missing-tag:{NOVA}:payments/checkout:v2.4.0"]
    assert payments["profile"] == "payments" and payments["severity"] == "critical"
    assert any("--profile payments" in fix["command"] for fix in payments["fixes"])
    assert f"world/missing-tag:{NOVA}:nova/cdn-service:latest" in by_id
    assert by_id[f"world/missing-tag:{NOVA}:nova/cdn-service:latest"]["profile"] == "world"
    # Each account judged alone: the payments repositories are not the world's.
    assert not any(i.startswith("world/") and "payments/" in i for i in by_id)
    assert document["errors"] == []  # both accounts read whole
    assert text_status == 1
    assert "profile: payments" in text and "profile: world" in text
    assert bad_status == 2
    assert bad.strip().splitlines() == [
        "shipdeck: error: unknown AWS profile 'nope' "
        "(known: default, nova-ops, nova-viewer, payments, world)"
    ]
