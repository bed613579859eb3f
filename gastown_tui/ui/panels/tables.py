"""Merge-queue and patrol tables: DataTables refilled from snapshot rows (rebuilt only when rows change)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.widgets import DataTable

from gastown_tui.ui.port import MergeRow, PatrolRow

MR_STYLES = {"queued": "", "landing": "yellow", "awaiting-review": "bold magenta", "approved": "cyan",
             "pr-open": "cyan", "branch-pushed": "cyan", "blocked": "red", "merged": "green", "rework": "red",
             "closed": "dim"}
"""State word -> style in the Queue tab."""
SHORT_MR_STATES = {"awaiting-review": "review", "branch-pushed": "pushed"}
"""Shorter state labels, so a narrow Queue tab still shows the gates column."""
BEAD_WIDTH = 20


def gates_cell(row: MergeRow) -> Text:
    """'pass', 'fail: <gate>' with the output's last line, 'conflict: <files>', or 'pending'."""
    g = row.gates
    if g.result == "pass":
        return Text("pass", "green")
    if g.result == "fail":
        last = next((line.strip() for line in reversed(g.tail.splitlines()) if line.strip()), "")
        return Text.assemble((f"fail: {g.gate or '?'}", "bold red"), (f" {last}" if last else "", "red"))
    if g.result == "conflict":
        return Text(f"conflict: {', '.join(g.files) or '?'}", "red")
    return Text(g.result or "pending", "dim")


def where_cell(row: MergeRow) -> Text:
    """The PR URL, else where it landed, else why landing failed."""
    if row.pr_url:
        return Text(row.pr_url, "cyan underline")
    if row.landed:
        return Text(row.landed, "green")
    return Text(row.land_error, "red") if row.land_error else Text("")


class MergeQueueTable(DataTable[Text | str]):
    """One row per merge request: bead, rig, age, state, gate verdict, land mode, PR / where it went."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self._rows: tuple[MergeRow, ...] = ()

    def on_mount(self) -> None:
        """Columns; the short ones fixed so a narrow tab keeps the bead and gate verdict readable."""
        self.add_column("Bead", width=BEAD_WIDTH, key="bead")  # id + the title's start: the tab is narrow
        self.add_column("Rig", key="rig")
        self.add_column("Age", width=4, key="age")
        self.add_column("State", key="state")
        self.add_column("Gates", key="gates")
        self.add_column("Land", width=5, key="land")
        self.add_column("PR/where", key="where")

    @property
    def selected_id(self) -> str | None:
        """Id of the MR under the cursor."""
        if not self._rows or self.cursor_row < 0 or self.cursor_row >= len(self._rows):
            return None
        return self._rows[self.cursor_row].id

    def set_rows(self, rows: Sequence[MergeRow]) -> None:
        """Refill when the queue changed (ages are the engine's, so a refill happens each snapshot at most)."""
        rows = tuple(rows)
        if rows == self._rows:
            return
        self._rows = rows
        keep = self.cursor_row
        self.clear()
        for row in rows:
            bead = Text(row.bead_id or row.id, "cyan")
            if row.bead_title:
                bead.append(f" {row.bead_title}", "")
            state = Text(SHORT_MR_STATES.get(row.state, row.state), MR_STYLES.get(row.state, ""))
            self.add_row(bead, row.rig, relative(-row.age_s).removesuffix(" ago"), state, gates_cell(row),
                         row.land_mode, where_cell(row), key=row.id)
        if rows:
            self.move_cursor(row=min(max(keep, 0), len(rows) - 1))


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
