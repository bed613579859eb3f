"""NeedsYouList: the agents waiting on the Overseer (permission prompts, questions, errors), oldest first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

__all__ = ["NEEDS_YOU_STYLES", "NeedsYouItem", "NeedsYouList"]

NEEDS_YOU_STYLES: dict[str, tuple[str, str]] = {
    "permission-prompt": ("⚑", "bold yellow"), "waiting-input": ("?", "yellow"), "waiting": ("?", "yellow"),
    "errored": ("✗", "bold red"), "rate-limited": ("⏳", "magenta"),
}
"""Glyph and style per state (glyph first: readable in monochrome)."""


@dataclass(frozen=True)
class NeedsYouItem:
    """One agent that cannot go on without the Overseer; `waited` is preformatted ('3m')."""

    address: str
    name: str
    state: str
    why: str
    waited: str = ""
    number: int = 0
    can_answer: bool = False
    """A permission prompt whose runtime has known approve/deny keys."""


class NeedsYouList(OptionList):
    """One row per waiting agent: number, glyph, name, state, how long, why. Posts Chosen on Enter."""

    DEFAULT_CSS = """
    NeedsYouList { height: auto; max-height: 100%; }
    """

    @dataclass
    class Chosen(Message):
        """Enter on an agent: the owner opens its pane."""

        address: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.items: tuple[NeedsYouItem, ...] = ()

    @staticmethod
    def prompt(item: NeedsYouItem) -> Text:
        """The row text (agent-supplied text is never parsed as markup)."""
        glyph, style = NEEDS_YOU_STYLES.get(item.state, ("·", ""))
        text = Text.assemble((f"{item.number} " if item.number else "  ", "dim"), (f"{glyph} ", style),
                             (item.name, "bold"), (f" {item.state}", style), (f" {item.waited}", "dim"))
        if item.can_answer:
            text.append("  y approve · n deny", "cyan")
        text.append(f"\n    {item.why}", "dim")
        return text

    def set_items(self, items: Sequence[NeedsYouItem]) -> None:
        """Replace the rows, keeping the highlight on the same agent."""
        items = tuple(items)
        if items == self.items:
            return
        keep = self.selected_address
        self.items = items
        self.clear_options()
        if not items:
            self.add_option(Option(Text("Nobody needs you. Agents that ask for permission, ask a question or "
                                        "fail show up here.", style="dim"), disabled=True))
            return
        self.add_options([Option(self.prompt(item), id=item.address) for item in items])
        addresses = [item.address for item in items]
        self.highlighted = addresses.index(keep) if keep in addresses else 0

    @property
    def selected_address(self) -> str | None:
        """The highlighted agent."""
        if self.highlighted is None or not self.items:
            return None
        return self.get_option_at_index(self.highlighted).id

    @property
    def selected(self) -> NeedsYouItem | None:
        """The highlighted item."""
        address = self.selected_address
        return next((item for item in self.items if item.address == address), None)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter: ask the owner to open the agent."""
        event.stop()
        if event.option.id:
            self.post_message(self.Chosen(event.option.id))
