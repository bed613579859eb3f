"""BacklogView: every open bead in a table (id, priority, status, rig, assignee, title), filtered as you type,
sortable by any column (click a header, or `o` to cycle), with Enter for details."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Static
from textual.widgets.data_table import ColumnKey

__all__ = ["BacklogItem", "BacklogView", "SORTS"]

STATUS_STYLES = {"open": "green", "hooked": "yellow", "in_progress": "yellow", "blocked": "red",
                 "deferred": "dim", "pinned": "cyan"}
PRIORITY_STYLES = {0: "bold red", 1: "red", 2: "", 3: "dim", 4: "dim"}
SORTS: tuple[tuple[str, str], ...] = (("priority", "P"), ("id", "ID"), ("status", "Status"), ("rig", "Rig"),
                                      ("assignee", "Assignee"), ("title", "Title"), ("age", "Age"))
"""(sort key, column label) in the order `o` cycles through them."""


COLUMNS: tuple[tuple[str, str, int], ...] = (("ID", "id", 7), ("P", "priority", 1), ("Title", "title", 30),
                                             ("Status", "status", 8), ("Assignee", "assignee", 8), ("Rig", "rig", 6))
"""(label, key, width): the title first after id and priority, so it stays visible in a narrow tab."""


@dataclass(frozen=True)
class BacklogItem:
    """One open bead as the backlog shows it."""

    id: str
    title: str
    rig: str = ""
    priority: int = 2
    status: str = "open"
    assignee: str = ""
    kind: str = "task"
    description: str = ""
    convoys: tuple[str, ...] = field(default_factory=tuple)
    created_at: float | None = None

    def matches(self, terms: Sequence[str]) -> bool:
        """Every term (lower case) appears in the id, title, rig, status, assignee or kind."""
        hay = f"{self.id} {self.title} {self.rig} {self.status} {self.assignee} {self.kind} p{self.priority}".lower()
        return all(term in hay for term in terms)

    def sort_key(self, key: str) -> tuple[object, ...]:
        """Key for one of SORTS (ties broken by priority, then id)."""
        value: object = {"priority": self.priority, "id": self.id, "status": self.status, "rig": self.rig,
                         "assignee": self.assignee or "~", "title": self.title.lower(),
                         "age": self.created_at or 0.0}[key]
        return (value, self.priority, self.id)


class BacklogView(Vertical):
    """Filter line, table, and a caption with counts and the sort; posts Highlighted and Opened."""

    DEFAULT_CSS = """
    BacklogView { height: 1fr; }
    BacklogView > #backlog-filter { height: 1; border: none; padding: 0 1; background: $boost; }
    BacklogView > #backlog-table { height: 1fr; }
    BacklogView > #backlog-caption { height: 1; color: $text-muted; padding: 0 1; }
    """

    BINDINGS = [
        Binding("o", "cycle_sort", "Sort", tooltip="Sort the backlog by the next column", id="backlog.sort"),
        Binding("slash", "filter", "Filter", tooltip="Type to filter the backlog", id="backlog.filter",
                key_display="/"),
    ]

    @dataclass
    class Highlighted(Message):
        """The cursor is on a bead."""

        bead_id: str

    @dataclass
    class Opened(Message):
        """Enter on a bead: show its details."""

        bead_id: str

    def __init__(self, *, blink: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.blink = blink
        self.items: tuple[BacklogItem, ...] = ()
        self.shown: tuple[BacklogItem, ...] = ()
        self.sort = "priority"
        self.reverse = False

    def compose(self) -> ComposeResult:
        """Filter, table, caption."""
        box = Input(placeholder="/ filter: id, title, rig, status, assignee, p1 …", id="backlog-filter")
        box.cursor_blink = self.blink
        yield box
        yield DataTable(id="backlog-table", cursor_type="row", zebra_stripes=False)
        yield Static("", id="backlog-caption", markup=False)

    def on_mount(self) -> None:
        """Columns (short ones fixed, the title takes the rest)."""
        table = self.query_one(DataTable)
        for label, key, width in COLUMNS:
            table.add_column(label, width=width, key=key)

    def on_resize(self) -> None:
        """The title takes what the fixed columns leave (so a narrow tab still shows titles)."""
        table = self.query_one(DataTable)
        fixed = sum(width for _, key, width in COLUMNS if key != "title") + 2 * len(COLUMNS) + 1
        column = table.columns.get(ColumnKey("title"))
        if column is not None:
            column.width = max(12, self.size.width - fixed)
            column.auto_width = False
            table.refresh()

    @property
    def filter_text(self) -> str:
        """What is typed in the filter."""
        return self.query_one("#backlog-filter", Input).value

    @property
    def selected_id(self) -> str | None:
        """The bead under the cursor."""
        table = self.query_one(DataTable)
        if not self.shown or not 0 <= table.cursor_row < len(self.shown):
            return None
        return self.shown[table.cursor_row].id

    def set_items(self, items: Sequence[BacklogItem]) -> None:
        """New backlog (redrawn only if it changed)."""
        items = tuple(items)
        if items != self.items:
            self.items = items
            self._refill()

    def _refill(self) -> None:
        terms = self.filter_text.lower().split()
        keep = self.selected_id
        shown = sorted((item for item in self.items if item.matches(terms)),
                       key=lambda item: item.sort_key(self.sort), reverse=self.reverse)
        self.shown = tuple(shown)
        table = self.query_one(DataTable)
        table.clear()
        for item in self.shown:
            table.add_row(Text(item.id, "cyan"), Text(str(item.priority), PRIORITY_STYLES.get(item.priority, "")),
                          Text(item.title, no_wrap=True, overflow="ellipsis"),
                          Text(item.status, STATUS_STYLES.get(item.status, "")),
                          item.assignee.rsplit("/", 1)[-1] or "—", item.rig or "town", key=item.id)
        ids = [item.id for item in self.shown]
        if keep in ids:
            table.move_cursor(row=ids.index(keep))
        label = dict(SORTS)[self.sort]
        caption = f"{len(self.shown)} of {len(self.items)} open · sorted by {label}{' ↓' if self.reverse else ''}"
        caption += " · o sort · / filter · s sling · Enter details"
        self.query_one("#backlog-caption", Static).update(caption if self.items else
                                                           "No open beads. b creates one.")

    def on_input_changed(self, event: Input.Changed) -> None:
        """Filter as you type."""
        event.stop()
        self._refill()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the filter: go to the table."""
        event.stop()
        self.query_one(DataTable).focus()

    def on_key(self, event: events.Key) -> None:
        """Down/Escape in the filter hand over to the table."""
        if event.key in ("down", "escape") and self.query_one("#backlog-filter", Input).has_focus:
            event.stop()
            self.query_one(DataTable).focus()

    def action_filter(self) -> None:
        """Focus the filter."""
        self.query_one("#backlog-filter", Input).focus()

    def action_cycle_sort(self) -> None:
        """Next sort column."""
        keys = [key for key, _ in SORTS]
        self.sort = keys[(keys.index(self.sort) + 1) % len(keys)]
        self.reverse = False
        self._refill()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        """Click a header: sort by it (again: reverse)."""
        event.stop()
        key = str(event.column_key.value)
        self.reverse = not self.reverse if key == self.sort else False
        self.sort = key
        self._refill()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Tell the owner which bead is the subject of s (sling)."""
        event.stop()
        if event.row_key.value:
            self.post_message(self.Highlighted(str(event.row_key.value)))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter: details."""
        event.stop()
        if event.row_key.value:
            self.post_message(self.Opened(str(event.row_key.value)))
