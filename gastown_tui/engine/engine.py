"""The Engine: one per town. Hosts agent sessions, the patrol scheduler, the control socket and the event bus.

start(): take the town's engine lock, open the ledger, serve the control socket (0600), tail the activity feed,
respawn every agent that holds hooked work but has no session (crash recovery; resumed where the runtime can),
run the operations queued while no engine was running, start patrols and the session monitor.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import time
from typing import Any

from gastown_tui import events as feed
from gastown_tui.agents.hooks import hooked_bead
from gastown_tui.agents.nudges import format_nudge, pending_nudges, queue_nudge
from gastown_tui.agents.pending import finish_op, pending_ops
from gastown_tui.agents.registry import agent_address, find_agent, list_agents
from gastown_tui.agents.repair import repair_town
from gastown_tui.agents.runtimes import allowed_dialogs
from gastown_tui.clock import Clock, SystemClock
from gastown_tui.costs import budget
from gastown_tui.engine.bus import EventBus
from gastown_tui.engine.events import EngineStatus, NudgeQueued
from gastown_tui.engine.feedtail import FeedTail
from gastown_tui.engine.monitor import SessionMonitor
from gastown_tui.engine.ops import ControlOps
from gastown_tui.scheduler import Scheduler
from gastown_tui.engine.sessions import AgentSession, AgentSessions
from gastown_tui.errors import Conflict, GastownError, NotFound
from gastown_tui.records import Address, parse_address
from gastown_tui.town.paths import TownPaths, private_dir

log = logging.getLogger(__name__)
GUPP_DELAY = 45.0          # seconds of engine clock an agent may sit idle after start with work on its hook
TYPING_QUIET = 2.0         # seconds after the Overseer's last keystroke in a pane before we type into it
MONITOR_INTERVAL = 0.25    # real seconds between session checks (I/O polling, not policy time)


class Engine:
    """The town's live core; the TUI subscribes to `bus` and calls methods; the CLI uses the control socket."""

    def __init__(self, town_paths: TownPaths, clock: Clock | None = None, *, ledger: Any = None,
                 recover: bool = True, patrols: bool = True, control: bool = True) -> None:
        self.paths = town_paths
        self.clock: Clock = clock or SystemClock()
        self.bus = EventBus()
        self.sessions = AgentSessions(self)
        self.scheduler = Scheduler(self.clock)
        self.ledger: Any = ledger
        self.monitor = SessionMonitor(self)
        self.gupp_delay = GUPP_DELAY
        self.typing_quiet = TYPING_QUIET
        self.allowed_dialogs: set[str] = set()
        self.running = False
        self._recover, self._patrols, self._control = recover, patrols, control
        self._typing: dict[str, float] = {}
        self._lock_fd: int | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._background: set[asyncio.Task[Any]] = set()
        self._ops = ControlOps(self)
        self._server: Any = None
        self._feed = FeedTail(self)
        self.dispatcher: Any = None
        """The one command dispatcher (engine.dispatch.Dispatcher), built at start."""
        self.started_at = 0.0
        self.stopped = asyncio.Event()
        """Set when stop() finished (a foreground `engine run` waits on it as well as on signals)."""
        self.stop_reason = ""

    # ---- lifecycle ---------------------------------------------------------------------------------------
    async def start(self) -> None:
        """Bring the engine up (see module docstring); Conflict if another engine runs for this town."""
        private_dir(self.paths.runtime)  # explicit 0700 whatever the umask (town/paths.py)
        self._take_lock()
        try:
            await self._start_locked()
        except BaseException:
            if self._server is not None:
                await self._server.stop()
            self._release_lock()  # a failed start must not block the next one
            raise

    async def _start_locked(self) -> None:
        """The start sequence, run while holding the engine lock."""
        if self.ledger is None:
            from gastown_tui.ledger import Ledger

            self.ledger = Ledger.open(self.paths)
        self.allowed_dialogs = allowed_dialogs(self.paths.town_toml)
        self._feed.start_at_end()
        from gastown_tui.engine.dispatch import Dispatcher

        self.dispatcher = Dispatcher(self)
        self.started_at = time.time()
        self.stopped = asyncio.Event()
        if self._control:
            from gastown_tui.engine.control import ControlServer

            self._server = ControlServer(self.paths.engine_sock, self._ops.handlers(), self._ops.streams(),
                                         self.dispatcher)
            await self._server.start()
        self.running = True
        self.monitor.nudges_waiting = {a for a in self._agents_with_nudges()}
        repair_town(self.paths, self.ledger)  # half-made slings of killed commands, before anything restarts
        if self._recover:
            await self.recover()
        await self.run_pending_ops()
        if self._patrols:
            await self._start_patrols()
        self._tasks.append(asyncio.get_running_loop().create_task(self._loop(), name="engine-monitor"))
        feed.emit(self.paths.events, "engine.start", actor="engine", pid=os.getpid())
        self.bus.publish(EngineStatus(True, f"pid {os.getpid()}"))

    async def stop(self) -> None:
        """Stop patrols, the monitor, the socket and every session; hooks stay in the ledger for next start."""
        if not self.running:
            return
        self.running = False
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        try:
            await self.scheduler.stop()
        except Exception:  # noqa: BLE001 - shutting down regardless
            log.exception("scheduler stop failed")
        if self._server is not None:
            await self._server.stop()
        await self.sessions.stop_all()
        feed.emit(self.paths.events, "engine.stop", actor="engine", pid=os.getpid())
        self.bus.publish(EngineStatus(False, "stopped"))
        if self.dispatcher is not None:
            self.dispatcher.close()
        self._release_lock()
        self.stopped.set()

    def request_stop(self, reason: str) -> None:
        """Stop soon (after the current command's reply is written): "Stop all" from a client."""
        self.stop_reason = reason
        log.warning("engine stop requested: %s", reason)
        self.spawn_task(self._stop_soon(), "engine-stop")

    async def _stop_soon(self) -> None:
        await asyncio.sleep(0.05)  # let the reply reach the client first
        await self.stop()

    def spawn_task(self, coro: Any, name: str) -> None:
        """Run a coroutine on the engine's loop, logged if it fails (delayed restarts, stop requests)."""
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._background.add(task)

        def done(t: asyncio.Task[Any]) -> None:
            self._background.discard(t)
            if not t.cancelled() and t.exception() is not None:
                log.error("engine task %s failed", name, exc_info=t.exception())
        task.add_done_callback(done)

    def _take_lock(self) -> None:
        """One engine per town: an exclusive flock on `.gastown/engine.lock` (released by the OS on crash)."""
        path = self.paths.runtime / "engine.lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = os.read(fd, 32).decode(errors="replace").strip()
            os.close(fd)
            raise Conflict(f"an engine is already running for {self.paths.root} (pid {other or '?'})") from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._lock_fd = fd

    def _release_lock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    async def _start_patrols(self) -> None:
        """Register the patrols and start the scheduler."""
        from gastown_tui.patrols import register_patrols

        register_patrols(self)
        await self.scheduler.start()

    async def _loop(self) -> None:
        """Tail the feed and check sessions, forever."""
        while True:
            try:
                self._feed.poll()
                await self.monitor.tick()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the monitor must survive a bad tick
                log.exception("engine tick failed")
            await asyncio.sleep(MONITOR_INTERVAL)

    # ---- recovery and queued operations ------------------------------------------------------------------
    async def recover(self) -> list[str]:
        """Respawn every agent holding hooked work without a live session; returns their addresses."""
        started = []
        for bead in list_agents(self.ledger):
            address = agent_address(bead)
            if address.role == "overseer" or self.sessions.live(address) is not None:
                continue
            if hooked_bead(self.ledger, address) is None:
                continue
            try:
                await self.sessions.spawn(address, topic="restart", resume=True, sender="engine")
                started.append(str(address))
                # A spawn never yields on its own: let the loop (a UI's frames and keys) run between agents.
                await asyncio.sleep(0)
            except GastownError as exc:
                feed.emit(self.paths.events, "session.spawn_failed", actor="engine", address=str(address),
                          error=exc.one_line())
        return started

    async def run_pending_ops(self) -> None:
        """Run the operations queued in the ledger while no engine was running, oldest first."""
        for op in pending_ops(self.ledger):
            result = "done"
            try:
                if op.op == "start":
                    await self.sessions.spawn(op.address, topic=str(op.args.get("topic", "assigned")),
                                              sender=str(op.args.get("sender", "overseer")))
                elif op.op == "restart":
                    await self.sessions.restart(op.address, topic=str(op.args.get("topic", "handoff")))
                elif op.op == "nudge":
                    self.monitor.nudges_waiting.add(op.address)
            except GastownError as exc:
                result = f"failed: {exc.one_line()}"
            finish_op(self.ledger, op.id, result=result)

    def _agents_with_nudges(self) -> list[str]:
        """Addresses that have queued nudges right now."""
        out = []
        for bead in list_agents(self.ledger):
            address = agent_address(bead)
            if pending_nudges(self.ledger, address):
                out.append(str(address))
        return out

    # ---- the Overseer's typing ---------------------------------------------------------------------------
    def note_user_typing(self, address: Address | str) -> None:
        """The Overseer pressed a key in this agent's pane (the UI calls this; nudges hold off meanwhile)."""
        self._typing[str(address)] = self.clock.now()

    def user_typing(self, address: Address | str) -> bool:
        """True if the Overseer typed in this pane within the last `typing_quiet` seconds."""
        last = self._typing.get(str(address))
        return last is not None and self.clock.now() - last < self.typing_quiet

    # ---- commands (also reachable through the control socket) --------------------------------------------
    def resolve(self, text: str) -> Address:
        """A known agent's address from what was typed (address or unique name); NotFound otherwise."""
        return find_agent(self.ledger, text)

    async def nudge(self, target: str, text: str, *, sender: str = "overseer") -> dict[str, Any]:
        """Deliver now if the agent is idle and nobody types in its pane, else queue for its next turn boundary."""
        address = self.resolve(target)
        key = str(address)
        session = self.sessions.live(address)
        if session is None:
            raise Conflict(f"agent {key} is not running (no live session); start it with `gt sling` or restart it")
        verdict = session.compute(time.time())  # fresh: the monitor's cached verdict may lag a tick
        reason = ""
        allowed, held = budget.allows_nudge(self.ledger, key)  # an open breaker: the nudge waits for a reset
        if not allowed:
            reason = held
        elif not session.plan.runtime.accepts_typing:
            reason = f"runtime {session.plan.runtime.name} takes no typed messages (they would run as commands)"
        elif verdict.state != "idle":
            reason = f"agent is {verdict.state} ({verdict.source})"
        elif self.user_typing(key):
            reason = "the Overseer is typing in its pane"
        elif self.monitor.delivering(key):
            reason = "another delivery is in progress"
        if reason:
            nudge_id = queue_nudge(self.ledger, address, text, sender=sender)
            self.monitor.nudges_waiting.add(key)
            feed.emit(self.paths.events, "nudge.queued", actor=sender, address=key, nudge=nudge_id, reason=reason)
            self.bus.publish(NudgeQueued(key, nudge_id, reason))
            return {"delivered": False, "queued": True, "nudge_id": nudge_id, "reason": reason}
        verified = await self.monitor.deliver_now(session, format_nudge(sender, text))
        return {"delivered": True, "queued": False, "verified": verified}

    def status(self) -> list[dict[str, Any]]:
        """Every agent with its live state (agents without a session are 'dead' if they hold work, else 'off')."""
        rows = []
        now = time.time()
        for bead in list_agents(self.ledger):
            address = agent_address(bead)
            session = self.sessions.get(address)
            rows.append(self._row(address, session, bead, now))
        return rows

    def _row(self, address: Address, session: AgentSession | None, bead: Any, now: float) -> dict[str, Any]:
        meta = dict(bead.metadata or {})
        row: dict[str, Any] = {"address": str(address), "role": address.role, "rig": address.rig,
                               "runtime": meta.get("runtime", ""), "hook": meta.get("hook_bead") or "",
                               "last_activity": meta.get("last_activity")}
        if session is None and meta.get("agent_state") == "failed":  # its runtime cannot start (agents/spawn.py)
            row.update(state="failed", source="ledger", detail=str(meta.get("failure", "")), session_id="", pid=None)
        elif session is None:
            row.update(state="off", source="process", detail="no session in this engine", session_id="", pid=None)
        else:
            verdict = session.compute(now)
            row.update(state=verdict.state, source=verdict.source, detail=verdict.detail,
                       explain=verdict.explain(now), session_id=session.session_id, pid=session.pty.pid,
                       since=verdict.ts)
        return row

    def explain(self, target: str) -> dict[str, Any]:
        """Which signal decided the agent's state, and when."""
        address = self.resolve(target)
        from gastown_tui.agents.registry import get_agent

        return self._row(address, self.sessions.get(address), get_agent(self.ledger, address),
                         time.time())

    def peek(self, target: str, lines: int = 40) -> list[str]:
        """The last `lines` non-empty-trailing lines of the agent's screen."""
        address = self.resolve(target)
        session = self.sessions.get(address)
        if session is None:
            raise NotFound(f"agent {address} has no session in this engine")
        display = [line.rstrip() for line in session.display()]
        while display and not display[-1]:
            display.pop()
        return display[-lines:]

    async def sling_start(self, target: str, bead_id: str, *, sender: str = "overseer") -> dict[str, Any]:
        """Start the agent for freshly slung work, or tell a running agent about it."""
        address = parse_address(target)
        session = self.sessions.live(address)
        if session is not None and address.role == "polecat":
            # a polecat's worktree was just re-created on the new branch: its old process sits in a deleted
            # directory, so it gets a fresh session (sessions are cattle; the hook is in the ledger)
            session = await self.sessions.restart(address, topic="assigned", sender=sender)
            return {"started": True, "session_id": session.session_id, "pid": session.pty.pid, "restarted": True}
        if session is not None:
            result = await self.nudge(str(address), f"Work slung: {bead_id}. Run `gt prime` and start on it now.",
                                      sender=sender)
            return {"started": False, "session_id": session.session_id, **result}
        session = await self.sessions.spawn(address, topic="assigned", sender=sender)
        return {"started": True, "session_id": session.session_id, "pid": session.pty.pid}
