"""Textual messages the bridge posts for domain events (events in), coalesced where they arrive fast."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from widgets.activity_feed import FeedEntry


class TownChanged(Message):
    """Something in the ledger changed; the app re-reads one snapshot. Queued copies collapse into one."""

    def can_replace(self, message: Message) -> bool:
        """Any pending TownChanged is superseded by this one."""
        return isinstance(message, TownChanged)


@dataclass
class AgentOutput(Message):
    """An agent's terminal has new output; repaint its pane if visible. Coalesced per agent."""

    address: str

    def can_replace(self, message: Message) -> bool:
        """A newer output notice for the same agent makes an older one redundant."""
        return isinstance(message, AgentOutput) and message.address == self.address


@dataclass
class FeedAppended(Message):
    """New activity-feed entries."""

    entries: list[FeedEntry]


@dataclass
class MailNotice(Message):
    """Mail arrived for the Overseer (shown as a toast; the inbox refreshes via TownChanged)."""

    sender: str
    subject: str


@dataclass
class SessionEnded(Message):
    """An agent's session exited."""

    address: str
    status: str = ""


@dataclass
class Notice(Message):
    """Something the Overseer should see briefly (a toast), e.g. a nudge queued or delivered."""

    title: str
    text: str
    severity: str = "information"


@dataclass
class EngineGone(Message):
    """The engine went away under this TUI (stopped or died); the app says so and offers a restart."""

    reason: str
