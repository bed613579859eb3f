"""MailList: an inbox (one OptionList, cheap at any size) with unread markers, and a read pane below it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

__all__ = ["MailItem", "MailList"]


@dataclass(frozen=True)
class MailItem:
    """One message as the list shows it."""

    id: str
    sender: str
    subject: str
    body: str = ""
    unread: bool = True
    when: str = ""
    """Preformatted time label (the caller owns clocks and time zones)."""


EMPTY_INBOX = ("No mail. Agents, the witness and the refinery write here when they need the Overseer; "
               "m composes a message.")
"""What the read pane says while the inbox is empty."""


class MailList(Vertical):
    """Inbox list plus read pane; posts Opened when a message is shown so the owner can mark it read."""

    DEFAULT_CSS = """
    MailList { height: 1fr; }
    MailList > OptionList, MailList > OptionList:focus { height: 1fr; min-height: 3; border: none; }
    MailList > #mail-read { height: 1fr; min-height: 3; border-top: solid $secondary; padding: 0 1; }
    """

    @dataclass
    class Opened(Message):
        """A message is shown in the read pane."""

        mail_list: MailList
        mail_id: str

        @property
        def control(self) -> MailList:
            """The MailList that sent this."""
            return self.mail_list

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._items: dict[str, MailItem] = {}
        self._order: list[str] = []

    def compose(self) -> ComposeResult:
        """The list and the read pane."""
        yield OptionList(id="mail-options")
        with VerticalScroll(id="mail-read"):
            yield Static(EMPTY_INBOX, id="mail-body")

    @property
    def unread_count(self) -> int:
        """Number of unread messages."""
        return sum(1 for item in self._items.values() if item.unread)

    @property
    def selected_id(self) -> str | None:
        """Id of the highlighted message."""
        options = self.query_one(OptionList)
        if options.highlighted is None or not self._order:
            return None
        return self._order[options.highlighted]

    @staticmethod
    def prompt(item: MailItem) -> Text:
        """One inbox row: unread dot, sender, subject, time."""
        style = "bold" if item.unread else ""
        text = Text.assemble(("● " if item.unread else "  ", "bold cyan"), (f"{item.sender:<14.14} ", style),
                             (item.subject, style))
        if item.when:
            text.append(f"  {item.when}", "dim")
        text.no_wrap = True
        text.overflow = "ellipsis"
        return text

    def set_items(self, items: Sequence[MailItem]) -> None:
        """Replace the inbox content; the highlight stays on the same message id."""
        new = {item.id: item for item in items}
        order = [item.id for item in items]
        if new == self._items and order == self._order:
            return
        options = self.query_one(OptionList)
        keep = self.selected_id
        self._items, self._order = new, order
        options.clear_options()
        options.add_options([Option(self.prompt(item), id=item.id) for item in items])
        if keep in new:
            options.highlighted = order.index(keep)
        elif order:
            options.highlighted = 0
        self._show(self.selected_id)

    def mark_read(self, mail_id: str) -> None:
        """Drop the unread marker of one message (the owner also tells the domain)."""
        item = self._items.get(mail_id)
        if item is None or not item.unread:
            return
        item = MailItem(item.id, item.sender, item.subject, item.body, False, item.when)
        self._items[mail_id] = item
        self.query_one(OptionList).replace_option_prompt(mail_id, self.prompt(item))

    def _show(self, mail_id: str | None) -> None:
        body = self.query_one("#mail-body", Static)
        item = self._items.get(mail_id) if mail_id else None
        if item is None:
            body.update(EMPTY_INBOX if not self._items else "No message selected.")
            return
        header = Text.assemble(("From: ", "dim"), item.sender, "\n", ("Subject: ", "dim"), (item.subject, "bold"),
                               "\n\n")
        body.update(header + Text(item.body))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """Show the highlighted message in the read pane."""
        event.stop()
        self._show(event.option.id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter opens (reads) the message."""
        event.stop()
        if event.option.id:
            self._show(event.option.id)
            self.post_message(self.Opened(self, event.option.id))
