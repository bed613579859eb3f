"""Merge-queue and patrol tables: DataTables refilled from snapshot rows (rebuilt only when rows change)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.widgets import DataTable

from gastown_tui.ui.port import MergeRow, PatrolRow

MR_STYLES = {"queued": "", "rebasing": "yellow", "testing": "yellow", "merged": "green", "rework": "red",
             "conflict": "red"}


class MergeQueueTable(DataTable[Text | str]):
    """One row per merge request: position, rig, bead, branch, status."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self._rows: tuple[MergeRow, ...] = ()

    def on_mount(self) -> None:
        """Columns."""
        self.add_columns("#", "Rig", "Bead", "Status", "Branch")

    def set_rows(self, rows: Sequence[MergeRow]) -> None:
        """Refill when the queue changed."""
        rows = tuple(rows)
        if rows == self._rows:
            return
        self._rows = rows
        self.clear()
        for position, row in enumerate(rows, start=1):
            status = Text(row.status, MR_STYLES.get(row.status, ""))
            self.add_row(str(position), row.rig, Text(row.bead, "cyan"), status, row.branch, key=row.id)


def relative(seconds: float) -> str:
    """'in 42s' / '3m ago' style label for a signed number of seconds from now."""
    future = seconds >= 0
    s = abs(int(seconds))
    label = f"{s}s" if s < 60 else f"{s // 60}m" if s < 3600 else f"{s // 3600}h"
    return f"in {label}" if future else f"{label} ago"


class PatrolsTable(DataTable[Text | str]):
    """One row per patrol: name, state, every, next run, last result."""

    def __init__(self, now: Callable[[], float], *, time_format: Callable[[float], str] | None = None,
                 id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self._now = now
        self._fmt = time_format
        self._rows: tuple[PatrolRow, ...] = ()

    def on_mount(self) -> None:
        """Columns with fixed widths for the short ones, so a narrow tab never gets 1-character columns."""
        self.add_column("Patrol", key="patrol")
        self.add_column("State", width=6, key="state")
        self.add_column("Every", width=5, key="every")
        self.add_column("Next run", width=14 if self._fmt else 8, key="next")
        self.add_column("Last", key="last")

    @property
    def selected_name(self) -> str | None:
        """Name of the patrol under the cursor."""
        if not self._rows or self.cursor_row < 0 or self.cursor_row >= len(self._rows):
            return None
        return self._rows[self.cursor_row].name

    def set_rows(self, rows: Sequence[PatrolRow]) -> None:
        """Refill when the patrols changed (times are shown relative to the injected clock)."""
        rows = tuple(rows)
        if rows == self._rows:
            return
        self._rows = rows
        keep = self.cursor_row
        self.clear()
        now = self._now()
        for row in rows:
            state = Text("paused", "yellow") if row.paused else Text("active", "green")
            nxt = "—" if row.paused or row.next_run is None else relative(row.next_run - now)
            if self._fmt is not None and nxt != "—" and row.next_run is not None:
                nxt = f"{self._fmt(row.next_run)[:5]} {nxt}"
            result_style = "red" if row.last_result == "error" else "green" if row.last_result == "ok" else "dim"
            last = Text(row.last_result or "never", result_style)
            if row.last_summary:
                last.append(f" {row.last_summary}", "dim")
            self.add_row(row.name, state, relative(row.interval).removeprefix("in "), nxt, last, key=row.name)
        if rows:
            self.move_cursor(row=min(max(keep, 0), len(rows) - 1))
