"""The one bridge from engine events to Textual messages: subscribe to the port, post messages to the app.

Events are the typed `engine.api` events (plus the port's own SnapshotReady/PaneReady/FeedLoaded/CommandFailed),
matched by type. `App.post_message` is thread-safe; nothing here touches a widget. High-rate output becomes
`AgentOutput`, at most one pending per agent (and `can_replace`), and at most one `TownChanged` is pending.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.message import Message

from gastown_tui.engine import api
from gastown_tui.ui.engine_port import CommandFailed, FeedLoaded, PaneReady, SnapshotReady
from gastown_tui.ui.messages import (
    AgentOutput, EngineGone, FeedAppended, MailNotice, Notice, SessionEnded, TownChanged,
)
from gastown_tui.ui.port import TownPort
from widgets.activity_feed import FeedEntry

TimeFormat = Callable[[float], str]
"""Turns epoch seconds into a short label (injected so snapshots carry no real clock or time zone)."""


def local_hms(ts: float) -> str:
    """Default time label: local HH:MM:SS."""
    return time.strftime("%H:%M:%S", time.localtime(ts))


def feed_entry(event: api.FeedEvent, fmt: TimeFormat) -> FeedEntry:
    """One feed event as an activity line (text from the data's text/summary/message, else key=value pairs)."""
    actor = event.actor.replace("/polecats/", "/").replace("/crew/", "/").rstrip("/")
    data = event.data or {}
    text = data.get("text") or data.get("summary") or data.get("message") or ""
    if not text and data:
        text = " ".join(f"{key}={value}" for key, value in sorted(data.items()) if key not in ("kind", "ts", "actor"))
    return FeedEntry(fmt(event.ts), actor, event.kind, str(text))


def translate(event: object, fmt: TimeFormat = local_hms) -> list[Message]:
    """The messages one event becomes (pure: unit-tested without an app)."""
    match event:
        case api.SessionOutput(address=address):
            return [AgentOutput(address)]
        case api.FeedEvent():
            return [FeedAppended([feed_entry(event, fmt)]), TownChanged()]
        case FeedLoaded(entries=entries):
            return [FeedAppended(list(entries))]
        case api.MailArrived(recipient=to, sender=sender, subject=subject):
            notices: list[Message] = [MailNotice(sender, subject)] if to.startswith("overseer") else []
            return [*notices, TownChanged()]
        case api.NudgeQueued(address=address, reason=reason):
            return [Notice("Nudge queued", f"{address}: {reason}" if reason else address), TownChanged()]
        case api.NudgeDelivered(address=address, verified=verified):
            return [Notice("Nudge delivered" if verified else "Nudge sent, not confirmed", address,
                           "information" if verified else "warning"), TownChanged()]
        case api.SessionExited(address=address, exit_status=status):
            return [SessionEnded(address, "" if status is None else f"with status {status}"), TownChanged()]
        case api.EngineLost(reason=reason):
            return [EngineGone(reason)]
        case CommandFailed(text=text):
            return [Notice("Command failed", text, "error")]
        case SnapshotReady() | PaneReady():
            return [TownChanged()]
        case _:
            return [TownChanged()]


class Bridge:
    """Subscribes to the port's event stream and posts the translated messages to the app."""

    def __init__(self, app: App[Any], port: TownPort, fmt: TimeFormat = local_hms) -> None:
        self._app = app
        self._port = port
        self._fmt = fmt
        self.posted = 0
        """Messages posted so far (tests and benchmarks read it)."""
        self._town_pending = False
        self._output_pending: set[str] = set()
        self.shown: Callable[[str], bool] = lambda _address: True
        """Is this agent on screen? Output of the others is never posted to the app."""

    def attach(self) -> None:
        """Start receiving events; a port that views panes asks `shown` too (hidden panes are not streamed)."""
        self._port.subscribe(self.on_event)
        if hasattr(self._port, "shown"):
            self._port.shown = lambda address: self.shown(address)

    def on_event(self, event: object) -> None:
        """Port callback: translate and post; never raise into the port."""
        try:
            messages = translate(event, self._fmt)
        except Exception:  # a malformed event must not break the event stream
            messages = [TownChanged()]
        for message in messages:
            # can_replace only merges neighbours in the queue; interleaved kinds need these pending flags so a
            # burst of N events still costs one snapshot read and one repaint per agent.
            if isinstance(message, TownChanged):
                if self._town_pending:
                    continue
                self._town_pending = True
            elif isinstance(message, AgentOutput):
                if message.address in self._output_pending or not self.shown(message.address):
                    continue
                self._output_pending.add(message.address)
            self._app.post_message(message)
            self.posted += 1

    def town_handled(self) -> None:
        """The app is about to read the snapshot: later events need a new TownChanged."""
        self._town_pending = False

    def output_handled(self, address: str) -> None:
        """The app is about to repaint `address`: later output needs a new AgentOutput."""
        self._output_pending.discard(address)
