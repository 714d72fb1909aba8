"""What the console adds to each kind of the registry: its cells, detail screen and keys.

``cloud.model.kinds`` declares a kind once for everything headless (record,
reader, ref, images, log, settling); a ``KindView`` here declares, once, how a
row of it looks (cells by column key), which screen ``enter`` opens, and which
remediation keys its rows offer. Panes (``PaneView``) say which columns they
show; a kind fills the columns it knows. Nothing else in the console switches
on kinds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Generic, TypeVar

from rich.text import Text

from cloud.incident import ModelState
from cloud.model.ref import ResourceRef
from tui.flows.remediation import RemediationKey
from widgets.resource_table import KEEP, TableColumn

if TYPE_CHECKING:
    from textual.screen import Screen

    from tui.context.state import ConsoleContext

R = TypeVar("R")
Cell = str | Text


@dataclass(frozen=True)
class RowContext:
    """What cells may look at besides the record: the time, the model, the columns shown."""

    now: datetime
    state: ModelState


DetailFactory = Callable[["ConsoleContext", ResourceRef], "Screen[None]"]


@dataclass(frozen=True)
class KindView(Generic[R]):
    """How the console shows one kind."""

    kind: str  # a name of the kind registry
    cells: Callable[[R, RowContext], Mapping[str, Cell]]  # by column key
    sort_name: Callable[[R], str]  # after severity
    detail: DetailFactory | None = None
    keys: tuple[RemediationKey, ...] = ()
    listed: tuple[str, ...] = ("kind", "region", "where", "name")
    """The cells a listed-only (``partial``) record already knows; the others say "…"."""


@dataclass(frozen=True)
class PaneView:
    """How the console shows one pane of ``cloud.model.kinds.PANES``."""

    name: str
    columns: tuple[TableColumn, ...]  # a "region" column shows only with several regions
    noun: str = "rows"

    def shown_columns(self, multi_region: bool, several: bool = False) -> list[TableColumn]:
        """The columns, without the region column when one region is read; with an
        ACCOUNT column first when several profiles are shown."""
        shown = [c for c in self.columns if multi_region or c.key != "region"]
        return [ACCOUNT, *shown] if several else shown


ACCOUNT = TableColumn("account", "ACCOUNT", keep=KEEP)  # as wide as its widest cell
"""The profile and account id of a row, when several profiles are shown."""
