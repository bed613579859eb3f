"""Tailing `.gastown/events.jsonl`: every new line becomes a FeedEvent on the bus, and some become more.

Hook events from agents (`agent.hook`, written by `gt hookevent`) update the live session's hook signal, so state
follows the agent's own turn boundaries within one poll. Mail and bead events become MailArrived / BeadChanged;
mail to an agent with a live session also queues a short "new mail" nudge for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gastown_tui.agents.nudges import queue_nudge
from gastown_tui.agents.state import HookSignal
from gastown_tui.engine.events import BeadChanged, FeedEvent, MailArrived
from gastown_tui.events import Event, read_events

if TYPE_CHECKING:
    from gastown_tui.engine.engine import Engine


class FeedTail:
    """Reads new feed lines from a byte offset and dispatches them."""

    def __init__(self, engine: "Engine") -> None:
        self.engine = engine
        self.offset = 0

    def start_at_end(self) -> None:
        """Skip history: only lines appended from now on are published."""
        path = self.engine.paths.events
        self.offset = path.stat().st_size if path.exists() else 0

    def poll(self) -> int:
        """Publish every complete new line; returns how many."""
        events, self.offset = read_events(self.engine.paths.events, self.offset)
        for event in events:
            self.dispatch(event)
        return len(events)

    def dispatch(self, event: Event) -> None:
        """Publish one feed line and its derived domain events."""
        bus, data = self.engine.bus, event.data
        bus.publish(FeedEvent(event.kind, event.ts, event.actor, dict(data)))
        if event.kind == "agent.hook":
            session = self.engine.sessions.get(str(data.get("address", "")))
            if session is not None and data.get("session") in (session.session_id, "", None):
                session.hook = HookSignal(str(data.get("event", "")), event.ts, str(data.get("detail", "")))
        elif event.kind == "nudge.queued":
            self.engine.monitor.nudges_waiting.add(str(data.get("address", "")))
        elif event.kind == "mail.sent":
            bus.publish(MailArrived(str(data.get("to", "")), str(data.get("message", "")), event.actor,
                                    str(data.get("subject", ""))))
            self._notify_recipient(event)
        if event.kind.startswith(("bead.", "mail.", "mol.", "hook.", "sling", "done", "convoy.")):
            bead_id = data.get("bead") or data.get("message") or data.get("mol")
            if bead_id:
                bus.publish(BeadChanged(str(bead_id), event.kind))

    def _notify_recipient(self, event: Event) -> None:
        """Tell a running recipient about new mail with a queued nudge (typed when it is next idle)."""
        to, message = str(event.data.get("to", "")), str(event.data.get("message", ""))
        session = self.engine.sessions.live(to)
        if session is None or not session.plan.runtime.accepts_typing or event.actor == to:
            return
        text = f"New mail from {event.actor}: {event.data.get('subject', '')} (gt mail read {message})"
        queue_nudge(self.engine.ledger, session.address, text, sender="mail")
        self.engine.monitor.nudges_waiting.add(to)
