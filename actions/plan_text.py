"""A plan as plain text lines, as ``shipdeck action`` and ``shipdeck fallback-build`` print it."""

from __future__ import annotations

from actions.plan import Plan


def plan_lines(plan: Plan) -> list[str]:
    """The plan as plain text lines: summary, checks, changes, commands, notes."""
    lines = [f"{plan.action} {plan.target} [{plan.danger.value}]", f"  {plan.summary}", ""]
    lines.append("checks:")
    for check in plan.checks:
        mark = "ok  " if check.passed else "FAIL"
        lines.append(f"  {mark} {check.name}" + (f" ({check.detail})" if check.detail else ""))
    lines.append("changes:")
    if not plan.changes:
        lines.append("  none (already in place)")
    for change in plan.changes:
        before = change.before or "-"
        lines.append(f"  {change.resource} {change.field}: {before} -> {change.after}")
    lines.append("equivalent commands:")
    lines.extend(f"  {command}" for command in plan.commands)
    if plan.notes:
        lines.append("notes:")
        lines.extend(f"  {note}" for note in plan.notes)
    return lines
