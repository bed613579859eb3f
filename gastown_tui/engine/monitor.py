"""The engine's watch over live sessions: state changes, start-up dialogs, queued nudges, beacons and GUPP.

One tick per session: recompute the layered verdict; publish AgentStateChanged on change; answer a known dialog
when town policy allows; when the agent is idle and the Overseer is not typing, type queued nudges (and the
beacon for runtimes that take no prompt argument); nudge an agent that is still idle GUPP_DELAY after start with
work on its hook.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from gastown_tui import events as feed
from gastown_tui.agents.nudges import drain_nudges, format_nudge
from gastown_tui.agents.registry import update_agent
from gastown_tui.agents.screen_rules import classify_screen
from gastown_tui.costs import budget, ratelimit
from gastown_tui.engine.delivery import type_into
from gastown_tui.engine.events import AgentStateChanged, NudgeDelivered, NudgeQueued
from gastown_tui.errors import GastownError

if TYPE_CHECKING:
    from gastown_tui.agents.state import Verdict
    from gastown_tui.engine.engine import Engine
    from gastown_tui.engine.sessions import AgentSession

log = logging.getLogger(__name__)
DIALOG_RETRY_SECONDS = 3.0
DIALOG_FIRST_KEY_SECONDS = 0.3   # let the dialog's input handler attach after it is drawn
DIALOG_KEY_GAP_SECONDS = 0.5


class SessionMonitor:
    """Periodic checks over every session of one engine."""

    def __init__(self, engine: "Engine") -> None:
        self.engine = engine
        self.nudges_waiting: set[str] = set()   # addresses with queued nudges (from feed + engine queueing)
        self._busy: set[str] = set()             # addresses with a delivery in flight
        self._held: dict[str, str] = {}          # address -> why an open budget breaker holds its nudges

    def delivering(self, address: str) -> bool:
        """True while something is being typed into this agent's session."""
        return address in self._busy

    async def tick(self) -> None:
        """Check every session once."""
        sessions = self.engine.sessions.all()
        self._refresh_limits(sessions)
        for session in sessions:
            try:
                await self.check(session)
            except GastownError as exc:
                log.warning("monitor: %s: %s", session.address, exc.one_line())

    def _refresh_limits(self, sessions: list["AgentSession"]) -> None:
        """One ledger read per tick: each session's recorded rate limit (None when it has passed)."""
        try:
            limits = {limit.agent: limit.retry_at for limit in ratelimit.active_limits(self.engine.ledger)}
        except Exception:  # noqa: BLE001 - a missing usage table must not stop state detection
            log.exception("monitor: reading rate limits failed")
            return
        for session in sessions:
            session.limited_until = limits.get(str(session.address))

    def _record_screen_limit(self, session: "AgentSession", verdict: "Verdict") -> None:
        """The screen says the runtime waits on a rate limit: store it (once per hit) for budgets and backoff."""
        now = time.time()
        retry_after = verdict.retry_at - now if verdict.retry_at is not None else None
        ratelimit.record_limit(self.engine.ledger, str(session.address), session.plan.runtime.name, now, "screen",
                               verdict.detail, retry_after)
        session.limited_until = now + (retry_after if retry_after is not None else ratelimit.DEFAULT_BACKOFF)

    def budget_holds(self, key: str) -> bool:
        """True if an open budget breaker covers this agent's work: its nudges stay queued (reason published once)."""
        allowed, reason = budget.allows_nudge(self.engine.ledger, key)
        if allowed:
            self._held.pop(key, None)
            return False
        if self._held.get(key) != reason:
            self._held[key] = reason
            feed.emit(self.engine.paths.events, "nudge.held", actor="engine", address=key, reason=reason)
            self.engine.bus.publish(NudgeQueued(key, "", reason))
        return True

    async def check(self, session: "AgentSession") -> None:
        """One session: state, dialogs, deliveries, GUPP."""
        engine, key = self.engine, str(session.address)
        verdict = session.compute(time.time())
        previous = session.verdict
        session.verdict = verdict
        if previous is None or previous.state != verdict.state:
            engine.bus.publish(AgentStateChanged(key, verdict.state, previous.state if previous else "",
                                                 verdict.source, verdict.detail))
            update_agent(engine.ledger, session.address, agent_state=verdict.state, state_source=verdict.source)
        if verdict.state == "rate-limited" and verdict.source == "screen" and session.limited_until is None:
            self._record_screen_limit(session, verdict)
        if verdict.state == "working":
            session.was_busy = True
        if not session.alive or key in self._busy:
            return
        if verdict.source == "screen" and verdict.detail.startswith("dialog "):
            self._answer_dialog(session)
            return
        if verdict.state != "idle" or engine.user_typing(key) or not session.plan.runtime.accepts_typing:
            return
        if session.plan.runtime.prompt_mode in ("stdin", "none") and not session.beacon_sent:
            session.beacon_sent = True
            self._background(session, session.plan.prompt, kind="beacon")
            return
        if (key in self.nudges_waiting or self._gupp_due(session)) and self.budget_holds(key):
            return
        if key in self.nudges_waiting:
            await self.deliver_queued(session)
            return
        self._gupp(session)

    def _background(self, session: "AgentSession", text: str, *, kind: str, count: int = 1) -> None:
        """Type in a task of its own: one slow agent must not hold up state updates of the others."""
        self._busy.add(str(session.address))  # reserved now, so the next tick does not start a second delivery
        asyncio.get_running_loop().create_task(self._deliver(session, text, kind=kind, count=count))

    def _answer_dialog(self, session: "AgentSession") -> None:
        """Send the answer keys of a recognised start-up dialog if the town allows it (at most every few s)."""
        screen = classify_screen(session.rules, session.display()) if session.rules else None
        dialog = screen.dialog if screen else None
        if dialog is None or dialog.name not in self.engine.allowed_dialogs:
            return
        now = time.time()
        if now - session.answered_dialogs.get(dialog.name, 0.0) < DIALOG_RETRY_SECONDS:
            return
        session.answered_dialogs[dialog.name] = now
        # Keys go one at a time with a pause: a TUI like Claude's (Ink) handles "Down" and "Enter" arriving in one
        # read with the old selection still active, so a burst would choose the default ("No, exit").
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        for i, keys in enumerate(dialog.answer):
            if loop is None:
                session.write(keys.encode())
            else:
                loop.call_later(DIALOG_FIRST_KEY_SECONDS + i * DIALOG_KEY_GAP_SECONDS, session.write, keys.encode())
        feed.emit(self.engine.paths.events, "agent.dialog", actor="engine", address=str(session.address),
                  dialog=dialog.name)

    async def deliver_queued(self, session: "AgentSession") -> None:
        """Claim every queued nudge of an idle agent and type them in as one message."""
        key = str(session.address)
        nudges = drain_nudges(self.engine.ledger, session.address, actor="engine")
        self.nudges_waiting.discard(key)
        if nudges:
            text = "\n".join(format_nudge(n.sender, n.text) for n in nudges)
            self._background(session, text, kind="nudge", count=len(nudges))

    async def _deliver(self, session: "AgentSession", text: str, *, kind: str, count: int = 1) -> bool:
        """Type `text` into the session (one delivery at a time per session) and record the outcome."""
        key = str(session.address)
        self._busy.add(key)
        try:
            verified, attempts = await type_into(session, text)
        finally:
            self._busy.discard(key)
        feed.emit(self.engine.paths.events, f"{kind}.delivered", actor="engine", address=key, verified=verified,
                  attempts=attempts, count=count)
        self.engine.bus.publish(NudgeDelivered(key, verified, attempts))
        return verified

    async def deliver_now(self, session: "AgentSession", text: str) -> bool:
        """Deliver a nudge immediately (caller checked idle and not typing)."""
        return await self._deliver(session, text, kind="nudge")

    def _gupp_due(self, session: "AgentSession") -> bool:
        """GUPP: idle since start with work on the hook for GUPP_DELAY of engine time (not nudged yet)."""
        if session.was_busy or session.gupp_nudged or not session.plan.bead_id:
            return False
        return self.engine.clock.now() - session.started_clock >= self.engine.gupp_delay

    def _gupp(self, session: "AgentSession") -> None:
        """Nudge an agent once when GUPP is due."""
        engine = self.engine
        if not self._gupp_due(session):
            return
        session.gupp_nudged = True
        text = (f"GUPP: work is on your hook ({session.plan.bead_id}). Run `gt prime` and begin now; "
                "no confirmation needed.")
        feed.emit(engine.paths.events, "gupp.nudge", actor="engine", address=str(session.address),
                  bead=session.plan.bead_id)
        self._background(session, text, kind="gupp")
