"""Domain events the engine publishes on its bus and sends to subscribed clients: frozen dataclasses on the wire.

The UI bridge matches them by type; `engine.events` re-exports them for the engine's own modules.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from gastown_tui.engine.api.base import Event
from gastown_tui.engine.api.wire import wire


@dataclass(frozen=True)
class DomainEvent(Event):
    """Base class of everything on the bus."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form, with the event class name under `type`."""
        return {"type": type(self).__name__, **asdict(self)}


@wire
@dataclass(frozen=True)
class AgentStateChanged(DomainEvent):
    """An agent's state changed (working, idle, waiting, starting, dead, ...); `source` says which signal decided."""

    address: str
    state: str
    previous: str
    source: str = ""
    detail: str = ""


@wire
@dataclass(frozen=True)
class SessionStarted(DomainEvent):
    """A session was spawned for an agent."""

    address: str
    session_id: str
    argv: tuple[str, ...] = ()
    cwd: str = ""


@wire
@dataclass(frozen=True)
class SessionOutput(DomainEvent):
    """New output reached an agent's screen (coalesced: at most one per session per flush interval)."""

    address: str


@wire
@dataclass(frozen=True)
class SessionExited(DomainEvent):
    """An agent's process ended."""

    address: str
    session_id: str
    exit_status: int | None = None


@wire
@dataclass(frozen=True)
class BeadChanged(DomainEvent):
    """A bead was created or changed (from the feed or from an engine operation)."""

    bead_id: str
    kind: str = "updated"


@wire
@dataclass(frozen=True)
class FeedEvent(DomainEvent):
    """One new line of `.gastown/events.jsonl`."""

    kind: str
    ts: float
    actor: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@wire
@dataclass(frozen=True)
class MailArrived(DomainEvent):
    """Mail was sent to `recipient`."""

    recipient: str
    message_id: str
    sender: str = ""
    subject: str = ""


@wire
@dataclass(frozen=True)
class NudgeQueued(DomainEvent):
    """A nudge could not be delivered now and waits for the agent's next turn boundary."""

    address: str
    nudge_id: str
    reason: str = ""


@wire
@dataclass(frozen=True)
class NudgeDelivered(DomainEvent):
    """A nudge was typed into an agent's session (verified: the text showed up or the agent turned busy)."""

    address: str
    verified: bool = True
    attempts: int = 1


@wire
@dataclass(frozen=True)
class EngineStatus(DomainEvent):
    """The engine started or is stopping."""

    running: bool
    detail: str = ""
