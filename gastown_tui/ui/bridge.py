"""The one bridge from engine events to Textual messages: subscribe to the port, post messages to the app.

Domain events are matched by class name and read duck-typed, so this module is the only place that knows their
shape. `App.post_message` is thread-safe, so the engine may call us from any thread; nothing here touches a widget.
High-rate output becomes `AgentOutput`, at most one pending per agent (and `can_replace`), and at most one
`TownChanged` is pending at a time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.message import Message

from gastown_tui.ui.messages import AgentOutput, FeedAppended, MailNotice, Notice, SessionEnded, TownChanged
from gastown_tui.ui.port import TownPort
from widgets.activity_feed import FeedEntry

TimeFormat = Callable[[float], str]
"""Turns epoch seconds into a short label (injected so snapshots carry no real clock or time zone)."""


def local_hms(ts: float) -> str:
    """Default time label: local HH:MM:SS."""
    return time.strftime("%H:%M:%S", time.localtime(ts))


def _address(event: Any) -> str:
    for attr in ("address", "agent", "session"):
        value = getattr(event, attr, None)
        if isinstance(value, str) and value:
            return value
    return ""


def feed_entry(raw: Any, fmt: TimeFormat) -> FeedEntry:
    """Turn a feed event (an `events.Event`, or anything with kind/ts/actor/data or text) into a feed line."""
    inner = getattr(raw, "event", raw)
    kind = str(getattr(inner, "kind", type(inner).__name__))
    ts = getattr(inner, "ts", None)
    actor = str(getattr(inner, "actor", "") or "").replace("/polecats/", "/").replace("/crew/", "/").rstrip("/")
    data = getattr(inner, "data", None) or {}
    text = getattr(inner, "text", None) or data.get("text") or data.get("summary") or data.get("message") or ""
    if not text and data:
        text = " ".join(f"{key}={value}" for key, value in sorted(data.items()) if key not in ("kind", "ts", "actor"))
    return FeedEntry(fmt(float(ts)) if isinstance(ts, (int, float)) else "", actor, kind, str(text))


def translate(event: object, fmt: TimeFormat = local_hms) -> list[Message]:
    """The messages one domain event becomes (pure: unit-tested without an app)."""
    name = type(event).__name__
    if name in ("SessionOutput", "TerminalOutput", "OutputBatch"):
        address = _address(event)
        return [AgentOutput(address)] if address else []
    if name in ("FeedEvent", "Event", "ActivityEvent"):
        return [FeedAppended([feed_entry(event, fmt)]), TownChanged()]
    if name in ("MailArrived", "MailSent"):
        to = str(getattr(event, "to", "") or getattr(event, "recipient", "") or "")
        notices: list[Message] = []
        if name == "MailArrived" and (not to or to.startswith("overseer")):
            notices.append(MailNotice(str(getattr(event, "sender", "") or ""), str(getattr(event, "subject", ""))))
        return [*notices, TownChanged()]
    if name == "NudgeQueued":
        reason = str(getattr(event, "reason", "") or "")
        return [Notice("Nudge queued", f"{_address(event)}: {reason}" if reason else _address(event)), TownChanged()]
    if name == "NudgeDelivered":
        verified = bool(getattr(event, "verified", True))
        return [Notice("Nudge delivered" if verified else "Nudge sent, not confirmed", _address(event),
                       "information" if verified else "warning"), TownChanged()]
    if name in ("SessionExited", "SessionEnded", "SessionDied"):
        return [SessionEnded(_address(event), str(getattr(event, "status", "") or "")), TownChanged()]
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
        """Is this agent on screen? Output of the others is only fed to its screen, never posted to the app."""

    def attach(self) -> None:
        """Start receiving events."""
        self._port.subscribe(self.on_event)

    def on_event(self, event: object) -> None:
        """Engine callback: translate and post; never raise into the engine."""
        try:
            messages = translate(event, self._fmt)
        except Exception:  # a malformed event must not take the engine down with it
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
