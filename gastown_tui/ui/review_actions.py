"""The app's review actions: open a diff (an MR from the Queue tab, or a selected polecat's live work), approve or
reject from it, and the doctor's problems shown once at start. Kept apart from actions.py (one area each)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import work
from textual.app import App
from textual.widgets import DataTable

from gastown_tui.errors import GastownError
from gastown_tui.ui.panels.tables import MergeQueueTable
from gastown_tui.ui.screens.diff import DiffScreen, content_of

DOCTOR_LINES = 8
"""Most problem lines in the start-up notice (the rest: run `gastown doctor`)."""


class ReviewMixin(App[None]):
    """action_open_diff and the approve / reject / doctor plumbing for GastownApp (which provides the below)."""

    port: Any
    snapshot: Any
    selected_agent: str | None
    blink: bool
    run_command: Callable[..., Any]

    def action_open_diff(self) -> None:
        """`d`: the MR under the cursor when the Queue has focus, else the selected polecat's live work."""
        table = self.query_one(MergeQueueTable)
        if self.focused is table:
            self.open_mr_diff(table.selected_id)
            return
        address = self.selected_agent or ""
        agent = next((a for a in self.snapshot.agents if a.address == address), None)
        if agent is None or agent.role != "polecat":
            self.notify("Select a polecat (its live work) or a Queue row (an MR) first.", severity="warning")
            return
        self.open_polecat_diff(agent.rig, agent.name)

    def on_data_table_row_selected(self, message: DataTable.RowSelected) -> None:
        """Enter on a Queue row: its diff (a mixin method: `@on` only registers on the class that defines it)."""
        if message.data_table.id == "merge-queue":
            message.stop()
            self.open_mr_diff(message.row_key.value)

    def open_mr_diff(self, mr_id: str | None) -> None:
        """Fetch an MR's diff (in a worker) and show it; reviewable when it awaits review."""
        if not mr_id:
            self.notify("No merge request selected.", severity="warning")
            return
        self._show_diff("mr_diff", mr_id)

    def open_polecat_diff(self, rig: str, name: str) -> None:
        """Fetch a live polecat's diff and show it (read-only)."""
        self._show_diff("polecat_diff", rig, name, title=f"{rig}/polecats/{name}: work in progress")

    @work(exit_on_error=False, group="diff", exclusive=True, description="read a diff")
    async def _show_diff(self, method: str, *args: str, title: str = "") -> None:
        read = getattr(self.port, method, None)
        if not callable(read):
            self.notify("This engine cannot show diffs.", severity="warning")
            return
        try:
            result = await read(*args)
        except GastownError as exc:
            self.notify(exc.one_line(), title="Diff", severity="error", timeout=10)
            return
        except Exception as exc:  # an engine bug must not kill the Overseer's screen
            self.notify(f"{type(exc).__name__}: {exc}", title="Diff", severity="error", timeout=10)
            return
        if isinstance(self.screen, DiffScreen):
            self.screen.dismiss(None)  # one diff at a time: the newest asked for wins
        self.push_screen(DiffScreen(content_of(result, title=title), approve=self.approve_mr,
                                    reject=self.reject_mr, blink=self.blink))

    def approve_mr(self, mr_id: str) -> None:
        """Approve through the engine (which runs the rig's refinery at once)."""
        self.run_command("Approve", self.port.approve_mr, mr_id,
                         success=f"{mr_id} approved: the refinery lands it now")

    def reject_mr(self, mr_id: str, note: str) -> None:
        """Reject with the note (the polecat gets rework mail)."""
        self.run_command("Reject", self.port.reject_mr, mr_id, note,
                         success=f"{mr_id} rejected: rework mail sent to its polecat")

    @work(exit_on_error=False, group="doctor", description="gastown doctor")
    async def show_doctor_problems(self) -> None:
        """Once per app: ask the engine what `gastown doctor` finds and show it as one notice, a line each."""
        read = getattr(self.port, "doctor_problems", None)
        if getattr(self, "_doctor_shown", False) or not callable(read):
            return
        self._doctor_shown = True
        try:
            problems: Any = await read()
        except GastownError as exc:
            self.notify(exc.one_line(), title="gastown doctor could not run", severity="warning")
            return
        if not problems:
            return
        lines = [p.line for p in problems[:DOCTOR_LINES]]
        if len(problems) > DOCTOR_LINES:
            lines.append(f"… and {len(problems) - DOCTOR_LINES} more: run `gastown doctor`")
        title = f"gastown doctor: {len(problems)} problem(s) (gastown doctor --fix)"
        if any(p.status == "error" for p in problems):
            self.notify("\n".join(lines), title=title, severity="error", timeout=30)
        else:
            self.notify("\n".join(lines), title=title, severity="warning", timeout=30)
