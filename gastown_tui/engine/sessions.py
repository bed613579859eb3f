"""AgentSessions: the live PTY sessions of agents, by address — spawn with identity and beacon, restart, kill.

A session is cattle: its agent's identity, hook and molecule live in the ledger, so a dead or killed session is
respawned from there (`spawn` reads the hook and, where the runtime supports it, resumes the stored conversation).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gastown_tui import events as feed
from gastown_tui.agents.registry import update_agent
from gastown_tui.agents.screen_rules import ScreenRules, rules_for
from gastown_tui.agents.spawn import SpawnPlan, ensure_startable, plan_spawn
from gastown_tui.agents.state import HookSignal, Verdict, decide
from gastown_tui.engine.events import SessionExited, SessionOutput, SessionStarted
from gastown_tui.errors import Conflict
from gastown_tui.records import Address, parse_address
from gastown_tui.terminal import PtySession, TerminalScreen

if TYPE_CHECKING:
    from gastown_tui.engine.engine import Engine

log = logging.getLogger(__name__)
OUTPUT_FLUSH_SECONDS = 0.03  # SessionOutput is coalesced to at most one per session per this interval


@dataclass
class AgentSession:
    """One live (or just exited) agent session: the PTY plus what state detection needs."""

    address: Address
    plan: SpawnPlan
    pty: PtySession
    rules: ScreenRules | None
    started_at: float                     # wall time (comparable with hook event timestamps)
    started_clock: float                  # engine clock time (GUPP and typing windows use the engine clock)
    exited_at: float | None = None
    hook: HookSignal | None = None
    verdict: Verdict | None = None
    was_busy: bool = False                # seen working since start (GUPP only nudges agents that never started)
    gupp_nudged: bool = False
    beacon_sent: bool = False             # for runtimes that take no prompt argument
    answered_dialogs: dict[str, float] = field(default_factory=dict)
    limited_until: float | None = None    # retry time of a recorded rate limit (the monitor refreshes it per tick)
    _flush_pending: bool = False
    _published_at: float = float("-inf")  # loop time of the last SessionOutput

    @property
    def session_id(self) -> str:
        """The GT_SESSION id of this session."""
        return self.plan.session_id

    @property
    def alive(self) -> bool:
        """True while the process runs."""
        return self.pty.alive

    @property
    def screen(self) -> TerminalScreen:
        """The session's TerminalScreen (the UI renders it)."""
        return self.pty.screen

    def display(self) -> list[str]:
        """The visible screen as text lines."""
        return list(self.pty.screen.display)

    def write(self, data: bytes) -> None:
        """Send raw bytes (keystrokes) to the agent."""
        self.pty.write(data)

    def resize(self, cols: int, rows: int) -> None:
        """Resize the PTY to the pane's real size."""
        self.pty.resize(cols, rows)

    def compute(self, now: float) -> Verdict:
        """Recompute the layered state verdict."""
        return decide(alive=self.alive, exited_at=self.exited_at, started_at=self.started_at, now=now,
                      hook=self.hook, rules=self.rules, display=self.display(),
                      last_output_at=self.pty.last_output_at, ready_delay=self.plan.runtime.ready_delay,
                      exit_status=self.pty.exit_status, limited_until=self.limited_until)


class AgentSessions:
    """Registry of live sessions keyed by agent address; owned by the Engine."""

    def __init__(self, engine: "Engine") -> None:
        self._engine = engine
        self._sessions: dict[str, AgentSession] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self.on_exit: list[Callable[[AgentSession], None]] = []

    def get(self, address: Address | str) -> AgentSession | None:
        """The session of `address` (live or recently exited), or None."""
        return self._sessions.get(str(address))

    def live(self, address: Address | str) -> AgentSession | None:
        """The session of `address` only if its process is alive."""
        session = self.get(address)
        return session if session is not None and session.alive else None

    def all(self) -> list[AgentSession]:
        """Every known session, sorted by address."""
        return [self._sessions[key] for key in sorted(self._sessions)]

    def _lock(self, key: str) -> asyncio.Lock:
        return self._locks.setdefault(key, asyncio.Lock())

    async def spawn(self, address: Address | str, *, topic: str = "assigned", resume: bool = True,
                    sender: str = "overseer", cols: int = 100, rows: int = 30) -> AgentSession:
        """Start the agent's runtime in its worktree (or return its live session): identity env, beacon, hook."""
        address = parse_address(str(address)) if isinstance(address, str) else address
        key = str(address)
        async with self._lock(key):
            existing = self.live(key)
            if existing is not None:
                return existing
            engine = self._engine
            plan = plan_spawn(engine.paths, engine.ledger, address, topic=topic, resume=resume, sender=sender)
            ensure_startable(engine.ledger, plan)  # a missing runtime program: agent marked failed, town carries on
            if not plan.cwd.is_dir():
                raise Conflict(f"cannot start {address}: its working directory {plan.cwd} does not exist")
            transcript = engine.paths.transcripts / f"{address.agent_id}-{plan.session_id}.log"
            pty = PtySession(plan.argv, cwd=plan.cwd, env=plan.env, cols=cols, rows=rows, transcript=transcript,
                             clock=time.time, on_output=self._on_output, on_exit=self._on_pty_exit)
            rules = rules_for(plan.runtime.screen)
            session = AgentSession(address, plan, pty, rules, time.time(), engine.clock.now())
            self._sessions[key] = session
            await pty.start()
            self._record_start(session)
            return session

    def _record_start(self, session: AgentSession) -> None:
        """Persist the new session on the agent bead and announce it (feed + bus)."""
        plan, engine = session.plan, self._engine
        changes: dict[str, object] = {"session_id": plan.session_id, "agent_state": "starting",
                                      "pid": session.pty.pid, "started_at": session.started_at,
                                      "runtime": plan.runtime.name, "cwd": str(plan.cwd)}
        if plan.conversation_id:
            changes["conversation_id"] = plan.conversation_id
        update_agent(engine.ledger, session.address, **changes)
        feed.emit(engine.paths.events, "session.start", actor="engine", address=str(session.address),
                  session_id=plan.session_id, runtime=plan.runtime.name, bead=plan.bead_id or "",
                  resumed=bool(plan.resume_id), conversation_id=plan.conversation_id or "", cwd=str(plan.cwd))
        engine.bus.publish(SessionStarted(str(session.address), plan.session_id, tuple(plan.argv), str(plan.cwd)))

    def _find(self, pty: PtySession) -> AgentSession | None:
        for session in self._sessions.values():
            if session.pty is pty:
                return session
        return None

    def _on_output(self, pty: PtySession, _data: bytes) -> None:
        """Coalesce output notifications: at most one SessionOutput per session per flush interval.

        Leading edge: output after a quiet interval (or the echo of a key) is announced at once; only output
        inside the interval waits for it to end. A fixed delay here stacked on the PTY batch and the UI's frame.
        """
        session = self._find(pty)
        if session is None:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        wait = session._published_at + OUTPUT_FLUSH_SECONDS - now
        if wait <= 0 or pty.echo_expected():
            self._publish_output(session, now)
            return
        if session._flush_pending:
            return
        session._flush_pending = True

        def flush() -> None:
            session._flush_pending = False
            self._publish_output(session, loop.time())

        loop.call_later(wait, flush)

    def _publish_output(self, session: AgentSession, now: float) -> None:
        session._published_at = now
        self._engine.bus.publish(SessionOutput(str(session.address)))

    def _on_pty_exit(self, pty: PtySession) -> None:
        """Record the exit (feed + bus); the monitor turns it into state 'dead'."""
        session = self._find(pty)
        if session is None:
            return
        session.exited_at = time.time()
        engine = self._engine
        feed.emit(engine.paths.events, "session.exit", actor="engine", address=str(session.address),
                  session_id=session.session_id, exit_status=pty.exit_status)
        engine.bus.publish(SessionExited(str(session.address), session.session_id, pty.exit_status))
        for callback in list(self.on_exit):
            callback(session)

    async def kill(self, address: Address | str, *, grace: float = 2.0) -> bool:
        """Stop the agent's session (HUP/TERM, then KILL after `grace`); False if it had none."""
        session = self.live(str(address))
        if session is None:
            return False
        await session.pty.stop(grace)
        return True

    async def restart(self, address: Address | str, *, topic: str = "restart", resume: bool = True,
                      sender: str = "overseer") -> AgentSession:
        """Kill the live session (if any) and spawn a fresh one with the same hook."""
        await self.kill(address)
        return await self.spawn(address, topic=topic, resume=resume, sender=sender)

    async def stop_all(self, grace: float = 2.0) -> None:
        """Stop every live session (engine shutdown); hooks stay in the ledger for the next start."""
        await asyncio.gather(*(s.pty.stop(grace) for s in self._sessions.values() if s.alive),
                             return_exceptions=True)
