"""BeadDetails: one backlog bead in full (title, status, priority, rig, assignee, convoys, description)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from widgets.backlog import BacklogItem


def details_text(item: BacklogItem) -> Text:
    """The bead as text (its own text is never markup)."""
    text = Text.assemble((item.id, "bold cyan"), "  ", (item.title, "bold"), "\n\n")
    for label, value in (("Status", item.status), ("Priority", f"P{item.priority}"), ("Type", item.kind),
                         ("Rig", item.rig or "town"), ("Assignee", item.assignee or "—"),
                         ("Convoys", " ".join(item.convoys) or "—")):
        text.append(f"{label:<9}", "dim")
        text.append(f"{value}\n")
    text.append("\n")
    text.append(item.description or "(no description)")
    return text


class BeadDetails(ModalScreen[bool]):
    """Read-only details; s slings this bead (closes with True), Esc/Enter/q closes."""

    BINDINGS = [
        Binding("escape,enter,q", "close(False)", "Close", tooltip="Close the details", id="bead-details.close"),
        Binding("s", "close(True)", "Sling", tooltip="Sling this bead", id="bead-details.sling"),
    ]

    def __init__(self, item: BacklogItem) -> None:
        super().__init__(id="bead-details")
        self.item = item
        self.closed = False

    def compose(self) -> ComposeResult:
        """The text in a scroll box."""
        with Vertical(id="details-box"):
            with VerticalScroll(id="details-scroll"):
                yield Static(details_text(self.item), id="details-text")
            yield Static("s sling · Esc close", id="details-hint")

    def action_close(self, sling: bool) -> None:
        """Close once (True: the app opens the sling dialog for this bead)."""
        if not self.closed:
            self.closed = True
            self.dismiss(sling)
