"""NeedsYouScreen: the agents waiting on the Overseer, oldest first; approve/deny a permission prompt in place."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from widgets.needs_you import NeedsYouItem, NeedsYouList

Answer = Callable[[str, bool], None]
"""answer(address, approve): the owner sends the agent's approve/deny keys."""


class NeedsYouScreen(ModalScreen[str | None]):
    """The list; y approves and n denies the highlighted prompt, Enter opens the agent's pane, Esc closes."""

    BINDINGS = [
        Binding("escape,exclamation_mark", "close", "Close", tooltip="Close the list", id="needs-you.close"),
        Binding("y", "answer(True)", "Approve", tooltip="Approve the highlighted permission prompt",
                id="needs-you.approve"),
        Binding("n", "answer(False)", "Deny", tooltip="Deny the highlighted permission prompt", id="needs-you.deny"),
    ]

    def __init__(self, items: Sequence[NeedsYouItem], answer: Answer) -> None:
        super().__init__(id="needs-you")
        self.initial = tuple(items)
        self.answer = answer
        self.closed = False

    def compose(self) -> ComposeResult:
        """Title, list, hint."""
        with Vertical(id="needs-you-box"):
            yield Static("Needs you (oldest first)", id="needs-you-title")
            yield NeedsYouList(id="needs-you-list")
            yield Static("y approve · n deny (permission prompts) · Enter open the pane · Esc close",
                         id="needs-you-hint")

    def on_mount(self) -> None:
        """Fill and focus the list."""
        self.set_items(self.initial)
        self.query_one(NeedsYouList).focus()

    def set_items(self, items: Sequence[NeedsYouItem]) -> None:
        """Live update (the app calls this on each snapshot)."""
        self.query_one(NeedsYouList).set_items(items)

    def action_answer(self, approve: bool) -> None:
        """Answer the highlighted permission prompt (others: say why not)."""
        item = self.query_one(NeedsYouList).selected
        if item is None:
            return
        if item.state != "permission-prompt":
            self.app.notify(f"{item.name} is {item.state}, not at a permission prompt: Enter opens its pane.",
                            severity="warning", timeout=4)
            return
        self.answer(item.address, approve)

    def on_needs_you_list_chosen(self, message: NeedsYouList.Chosen) -> None:
        """Close and let the app show that agent."""
        if not self.closed:
            self.closed = True
            self.dismiss(message.address)

    def action_close(self) -> None:
        """Close without choosing."""
        if not self.closed:
            self.closed = True
            self.dismiss(None)
