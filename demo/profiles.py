"""The AWS profiles and kube contexts a console on the world can switch between.

The world writes an AWS config file (``AWS_CONFIG_FILE`` in its environment) with
three profiles on its one account: ``default``, ``<name>-ops`` and ``<name>-viewer``,
each with the world's keys and default region, and its kubeconfig has a second
context ``<name>-viewer`` on the same cluster. The console config marks the viewer
profile and context read-only, so ``:profile`` and ``:ctx`` in the demo show the
badge come and go. ``<name>`` is the cluster's context (``nova`` in the seeds).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from demo.model import Scenario

AWS_CONFIG_NAME = "aws-config"


def base_name(scenario: Scenario) -> str:
    """What the extra profiles and context are named after: the cluster's context."""
    return scenario.kubernetes.context if scenario.kubernetes else "demo"


def ops_profile(scenario: Scenario) -> str:
    """A second writable profile on the world's account."""
    return f"{base_name(scenario)}-ops"


def viewer_profile(scenario: Scenario) -> str:
    """A profile on the world's account that the console config makes read-only."""
    return f"{base_name(scenario)}-viewer"


def viewer_context(context: str) -> str:
    """The second kube context on the world's cluster, read-only in the console config."""
    return f"{context}-viewer"


def write_aws_config(scenario: Scenario, state_dir: Path) -> Path:
    """Write the world's AWS config file (0600: it holds the world's keys) and return it.

    Its own account has ``default``, ``world``, ``<name>-ops`` and ``<name>-viewer``;
    each other account of the scenario (``accounts:``) one profile of its name.
    """
    from demo.accounts import WORLD_PROFILE, aws_config

    world = scenario.world
    lines = ["# Written by the shipdeck demo world: profiles on the world's one account."]
    for header in (
        "default",
        f"profile {ops_profile(scenario)}",
        f"profile {viewer_profile(scenario)}",
        *([] if scenario.accounts else [f"profile {WORLD_PROFILE}"]),
    ):
        lines += [
            "",
            f"[{header}]",
            f"aws_access_key_id = {world.access_key_id}",
            f"aws_secret_access_key = {world.secret_access_key}",
            f"region = {world.default_region}",
        ]
    if scenario.accounts:  # the world's own as ``world``, then one per other account
        lines += ["", aws_config(scenario, scenario.accounts)]
    path = state_dir / AWS_CONFIG_NAME
    path.touch(mode=0o600)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_only_tables(scenario: Scenario) -> list[str]:
    """The console config's lines that make the viewer profile and context read-only."""
    lines = ["", f"[profiles.{viewer_profile(scenario)}]", "read_only = true"]
    if scenario.kubernetes is not None:
        name = viewer_context(scenario.kubernetes.context)
        lines += ["", f'[contexts."{name}"]', "read_only = true"]
    return lines
