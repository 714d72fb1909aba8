"""The panes of registry kinds: repositories, builds, services, quotas; declared by the registry.

Each pane shows the kinds ``cloud.model.kinds.PANES`` gives it, in the columns
its ``PaneView`` names, filled by each kind's ``KindView``; row flags come from
the model's diagnosis, so a row turns calm as soon as the finding behind its
flag is gone. One class per pane is made here, only so each has its own keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from rich.text import Text
from textual.screen import Screen

from cloud.findings import Diagnosis
from cloud.incident import ModelState
from cloud.model.kinds import PANES, kind
from cloud.records import Flag
from cloud.sessions import KUBE_KINDS
from cloud.text import safe_text
from tui.context.formatting import flags_text, severity_rank, worst_severity
from tui.flows.remediation import RemediationHost, RemediationKey, bindings
from tui.kinds.registry import PANE_VIEWS, pane_keys, view
from tui.kinds.view import RowContext
from tui.panes.base import ResourcePane, order
from widgets.resource_table import TableColumn, TableRow

PENDING = Text("…", style="dim")
"""A cell not read yet: flags before every kind is read (no flag is guessed from half the
account), and the details of a row its first read has only listed so far."""


@dataclass(frozen=True)
class _Made:
    """A row made for a record, and what it was made from."""

    record: Any
    diagnosis: Diagnosis  # flags, and the links cells read (who deploys a repository)
    second: int
    row: TableRow
    rank: tuple[int, str]
    account: str  # the ACCOUNT cell it was made with (the id comes after the rows)


class KindPane(RemediationHost, ResourcePane):
    """A pane of registry kinds, problems first; ``enter`` opens the row's detail."""

    _made: dict[int, _Made] = {}

    def columns(self) -> list[TableColumn]:
        """The pane view's columns (a region column only with several regions)."""
        return PANE_VIEWS[self.pane].shown_columns(self.context.multi_region, self.context.several)

    def rows(self, state: ModelState, now: datetime) -> tuple[list[TableRow], dict[str, Any]]:
        """Every record of the pane's kinds, flagged from the diagnosis.

        A row is made again only when its record (the same object), the diagnosis or
        the second on the clock (ages) changed: rows arriving page by page cost a
        lookup per row.
        """
        context = RowContext(now, state)
        keys = [c.key for c in self.columns()]
        complete = state.complete
        second = int(now.timestamp())
        records: dict[str, Any] = {}
        ranked: list[tuple[tuple[int, str], TableRow]] = []
        made: dict[int, _Made] = {}
        self.refs = {}
        for name in self.kinds:
            spec, shown = kind(name), view(name)
            for record in state.snapshot.shown_records(name):
                ref = spec.ref(record)
                flags = state.diagnosis.flags(ref)
                account = self.account_cell(ref.profile, name)
                known = self._made.get(id(record))
                if (
                    known is None
                    or known.record is not record
                    or known.diagnosis is not state.diagnosis
                    or known.second != second
                    or known.account != account
                ):
                    row, rank = self._row(
                        shown, record, ref, flags, complete, context, keys, account
                    )
                    known = _Made(record, state.diagnosis, second, row, rank, account)
                made[id(record)] = known
                ranked.append((known.rank, known.row))
                records[known.row.key] = record
                self.refs[known.row.key] = ref
        self._made = made
        return order(ranked), records

    @staticmethod
    def _row(
        shown: Any,
        record: Any,
        ref: Any,
        flags: tuple[Flag, ...],
        complete: bool,
        context: RowContext,
        keys: list[str],
        account: str = "",
    ) -> tuple[TableRow, tuple[int, str]]:
        cells = dict(shown.cells(record, context))
        if getattr(record, "partial", False):  # listed only: its details still come
            cells = {c: v if c in shown.listed else PENDING for c, v in cells.items()}
        cells["account"] = account
        cells["flags"] = flags_text(flags) if complete else PENDING
        severity = worst_severity(flags)
        row = TableRow(
            str(ref),
            tuple(cells.get(column, "") for column in keys),
            severity.value if severity is not None else None,
        )
        return row, (severity_rank(flags), shown.sort_name(record))

    def account_cell(self, profile: str, kind_name: str = "") -> str:
        """``team-b 345678901234``: the row's profile and account id (masked when presenting,
        as every cell is); a Kubernetes row's kube context instead (``kube nova``: its
        cluster may be in any account); "" with a single profile."""
        if not profile:
            return ""
        if kind_name in KUBE_KINDS:
            context = self.context.session_of(profile).kube_context
            return f"kube {safe_text(context)}" if context else "kube (current context)"
        account = self.context.account_of(profile)
        return f"{profile} {account or '…'}"

    def remediation_record(self) -> object | None:
        """The selected row's record (none while only listed: no action on half a record)."""
        record = self.selected()
        return None if getattr(record, "partial", False) else record

    def detail(self) -> Screen[None] | None:
        """The selected row's detail screen (the kind view's)."""
        ref = self.selected_ref()
        if ref is None:
            return None
        factory = view(ref.kind).detail
        return factory(self.context, ref) if factory is not None else None


def _pane_class(name: str, kinds: tuple[str, ...], watched_by: tuple[str, ...]) -> type[KindPane]:
    title = name.capitalize()
    keys = pane_keys(kinds)
    return type(
        f"{title}Pane",
        (KindPane,),
        {
            "__doc__": f"The {name} pane.",
            "pane": name,
            "kinds": kinds,
            "read_kinds": (*kinds, *watched_by),
            "noun": name,
            "BINDINGS": bindings(keys),
            "remediation_keys": keys,
        },
    )


KIND_PANES: dict[str, type[KindPane]] = {
    p.name: _pane_class(p.name, p.kinds, p.watched_by) for p in PANES
}


@cache
def pane_with_keys(name: str, custom: tuple[RemediationKey, ...]) -> type[KindPane]:
    """The pane ``name`` with the config file's own action keys added to its rows' keys.

    Made once per set of keys (a subclass, so the keys are ordinary ``BINDINGS``
    with ids and go through the same ``remediate`` as the built-in ones).
    """
    base = KIND_PANES[name]
    if not custom:
        return base
    return type(
        base.__name__,
        (base,),
        {
            "__doc__": base.__doc__,
            "BINDINGS": bindings(custom),
            "remediation_keys": (*base.remediation_keys, *custom),
        },
    )
