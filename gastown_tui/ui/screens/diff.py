"""DiffScreen: one change full-screen (an MR under review, or a live polecat's work) in a DiffView.

`a` approves and `r` asks for a note then rejects (only for an MR awaiting review); Escape / q close. What
approving or rejecting does is the app's callback; the screen closes once the decision is sent.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer

import gastown_tui.engine.api as api
from gastown_tui.ui.screens.form import Field, FormDialog, Values, require
from widgets.diff_view import DiffContent, DiffFile, DiffView

REVIEWABLE = ("awaiting-review",)
"""MR states a reviewer can approve or reject (the engine refuses the others with one line)."""
MAX_NOTE = 4000
"""Longest rejection note (it goes into the polecat's rework mail)."""


def gate_text(gates: api.GateRow) -> tuple[bool | None, str]:
    """(gate verdict for the header, the output worth showing): None while the MR is not gated yet."""
    if gates.result == "pass":
        return True, ""
    if gates.result == "fail":
        head = f"gate {gates.gate!r} failed" + (f" ({gates.command})" if gates.command else "")
        return False, f"{head}\n{gates.tail}".rstrip()
    if gates.result == "conflict":
        return False, "rebase conflict in " + ", ".join(gates.files or ("(unknown files)",))
    return None, ""


def where_text(mr: api.MergeRequestRow) -> str:
    """Where the MR went or why it did not: the PR URL, else where it landed, else the landing error."""
    if mr.pr_url:
        return f"PR #{mr.pr_number} {mr.pr_url}" if mr.pr_number is not None else f"PR {mr.pr_url}"
    return mr.landed or (f"land failed: {mr.land_error}" if mr.land_error else "")


def content_of(result: api.DiffResult, *, title: str = "") -> DiffContent:
    """The DiffView's content for an MR diff (reviewable when awaiting review) or a polecat's live work."""
    files = tuple(DiffFile(f.path, f.added, f.removed) for f in result.files)
    mr = result.mr
    if mr is None:
        return DiffContent(title, title or result.head, result.text, files, subtitle=f"{result.head} vs {result.base}",
                           can_review=False, truncated=result.truncated,
                           notes=("live work: commits and uncommitted changes; Escape closes",))
    ok, output = gate_text(mr.gates)
    notes = [f"{mr.state} · lands by {mr.land_mode} · review {mr.review} · worker {mr.worker or '-'}"]
    if where := where_text(mr):
        notes.append(where)
    if mr.state not in REVIEWABLE:
        notes.append("not awaiting review: a/r do nothing here")
    return DiffContent(mr.id, f"{mr.bead_id} {mr.bead_title}".strip(), result.text, files,
                       subtitle=f"{mr.id} {mr.branch} → {mr.target}", acceptance=mr.acceptance, gate_ok=ok,
                       gate_output=output, can_review=mr.state in REVIEWABLE, truncated=result.truncated,
                       notes=tuple(notes))


def reject_dialog(mr_id: str, *, blink: bool = True) -> FormDialog:
    """The rejection note (required): it is the polecat's rework instruction."""
    return FormDialog(f"Reject {mr_id}: what should change?",
                      [Field("note", "Note to the polecat", multiline=True, max_length=MAX_NOTE)],
                      require("note"), ok_label="Reject", blink=blink, id="reject-dialog")


class DiffScreen(Screen[None]):
    """A change full-screen; approve / reject go to the callbacks, then the screen closes."""

    BINDINGS = [
        Binding("escape,q", "close", "Close", tooltip="Back to the dashboard", id="diff-close"),
    ]

    def __init__(self, content: DiffContent, *, approve: Callable[[str], None] | None = None,
                 reject: Callable[[str, str], None] | None = None, blink: bool = True) -> None:
        super().__init__(id="diff-screen")
        self.content = content
        self._approve = approve
        self._reject = reject
        self._blink = blink

    def compose(self) -> ComposeResult:
        """The diff view and the footer."""
        yield DiffView(self.content, id="diff")
        yield Footer()

    def on_mount(self) -> None:
        """Keys go to the diff (j/k/space scroll it, Tab moves to the file list)."""
        self.query_one("#diff-scroll").focus()

    def action_close(self) -> None:
        """Back to the dashboard."""
        self.dismiss(None)

    @on(DiffView.Approve)
    def approved(self, message: DiffView.Approve) -> None:
        """Send the approval and close."""
        message.stop()
        if self._approve is not None:
            self._approve(message.ref)
        self.dismiss(None)

    @on(DiffView.Reject)
    def rejected(self, message: DiffView.Reject) -> None:
        """Ask for the note; with one, send the rejection and close (cancelling keeps the diff open)."""
        message.stop()
        ref = message.ref

        def done(values: Values | None) -> None:
            if values and self._reject is not None:
                self._reject(ref, values["note"].strip())
                self.dismiss(None)

        self.app.push_screen(reject_dialog(ref, blink=self._blink), done)
