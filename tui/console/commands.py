"""The ``:`` commands, declared once: name, aliases, help, and the action they run.

Later commands (``logs``, ``findings``, ``timeline``...) are added here and
nowhere else: the command line, its completion and the command palette all
read this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.flows.scope_switch import ScopePart


@dataclass(frozen=True)
class ConsoleCommand:
    """One ``:`` command."""

    name: str
    aliases: tuple[str, ...]
    help: str
    action: str  # a Textual action run on the console screen, e.g. "show_pane('builds')"

    @property
    def names(self) -> tuple[str, ...]:
        """The name and its aliases."""
        return (self.name, *self.aliases)


COMMANDS: tuple[ConsoleCommand, ...] = (
    ConsoleCommand(
        "findings",
        ("finding", "doctor", "problems"),
        "What is wrong, why, and the key that fixes it",
        "show_pane('findings')",
    ),
    ConsoleCommand(
        "repositories", ("repos", "repo", "ecr"), "ECR repositories", "show_pane('repositories')"
    ),
    ConsoleCommand(
        "builds", ("build", "projects", "codebuild"), "CodeBuild projects", "show_pane('builds')"
    ),
    ConsoleCommand(
        "services",
        ("svc", "ecs", "lambda", "deployments", "deploy"),
        "ECS services, Lambda functions, Kubernetes deployments",
        "show_pane('services')",
    ),
    ConsoleCommand("quotas", ("quota",), "Service quotas", "show_pane('quotas')"),
    ConsoleCommand(
        "alarms",
        ("alarm", "cloudwatch", "cw"),
        "CloudWatch alarms: ALARM first, then no data",
        "show_pane('alarms')",
    ),
    ConsoleCommand(
        "fallback",
        ("fallback-build", "fb"),
        "Build a project's services here and push them to ECR: :fallback [PROJECT]",
        "fallback",
    ),
    ConsoleCommand(
        "logs", ("log", "tail"), "Tail CloudWatch log groups (several merge)", "open_logs"
    ),
    ConsoleCommand(
        "timeline",
        ("tl", "incident"),
        "Findings seen and resolved, actions planned and applied (ctrl+e exports)",
        "app.timeline",
    ),
    ConsoleCommand(
        "profile",
        ("profiles", "aws"),
        "Switch AWS profiles: :profile NAME[,NAME2] (side by side), or choose in a list",
        "pick_scope('profile')",
    ),
    ConsoleCommand(
        "region",
        ("regions",),
        "Switch regions: :region NAME[,NAME2], or choose in a list",
        "pick_scope('region')",
    ),
    ConsoleCommand(
        "ctx",
        ("context", "contexts", "kube"),
        "Switch kube context: :ctx NAME, or choose in a list",
        "pick_scope('context')",
    ),
    ConsoleCommand("help", ("keys",), "Every key and its binding id", "app.help"),
    ConsoleCommand("quit", ("q", "q!", "exit"), "Quit shipdeck", "app.quit"),
)


SCOPE_COMMANDS: dict[str, ScopePart] = {"profile": "profile", "region": "region", "ctx": "context"}
"""The commands that switch scope, and the part of it each switches (a name after them
switches at once; without one they open the picker)."""


def find_command(text: str) -> tuple[ConsoleCommand, tuple[str, ...]] | None:
    """The command ``text`` names (first word, case-insensitive) and its arguments."""
    words = text.strip().split()
    if not words:
        return None
    name = words[0].lower()
    for command in COMMANDS:
        if name in command.names:
            return command, tuple(words[1:])
    return None


def command_names() -> tuple[str, ...]:
    """Every name and alias, for completion."""
    return tuple(name for command in COMMANDS for name in command.names)
