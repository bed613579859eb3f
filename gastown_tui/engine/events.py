"""Domain events on the engine's bus: defined in `engine.api.events` (they cross the wire), re-exported here."""

from gastown_tui.engine.api.events import (
    AgentStateChanged, BeadChanged, DomainEvent, EngineStatus, FeedEvent, MailArrived, NudgeDelivered, NudgeQueued,
    SessionExited, SessionOutput, SessionStarted,
)

__all__ = ["AgentStateChanged", "BeadChanged", "DomainEvent", "EngineStatus", "FeedEvent", "MailArrived",
           "NudgeDelivered", "NudgeQueued", "SessionExited", "SessionOutput", "SessionStarted"]
