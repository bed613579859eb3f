"""Adapters from the real Engine to the narrow views patrols use (SessionsView, sling/wake functions).

Patrol step handlers that touch git run in worker threads; anything that must happen on the engine's loop (spawning
a session, nudging) is handed over with `run_coroutine_threadsafe`, so the engine's single-threaded session code
is never entered from a thread.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any

from gastown_tui.records import parse_address

SPAWN_TIMEOUT = 60.0  # real seconds a thread waits for the engine loop to start a session


class EngineSessions:
    """SessionsView over `engine.sessions`; timestamps converted to the engine clock via `to_clock`."""

    def __init__(self, engine: Any, to_clock: Callable[[float | None], float | None]) -> None:
        self.engine = engine
        self.to_clock = to_clock

    def alive(self, address: str) -> bool:
        """True if the agent has a live session in this engine."""
        return self.engine.sessions.live(address) is not None

    def started_at(self, address: str) -> float | None:
        """Engine-clock start time of the current (or last) session."""
        session = self.engine.sessions.get(address)
        return None if session is None else float(session.started_clock)

    def last_output_at(self, address: str) -> float | None:
        """Engine-clock time of the last output."""
        session = self.engine.sessions.get(address)
        if session is None:
            return None
        return self.to_clock(getattr(session.pty, "last_output_at", None))

    async def restart(self, address: str, *, reason: str) -> None:
        """Respawn the session with its hook (the runtime resumes its conversation where it can)."""
        rig = parse_address(address).rig
        await self.engine.sessions.restart(address, topic="restart", resume=True, sender=f"{rig}/witness")

    async def nudge(self, address: str, text: str) -> None:
        """Nudge through the engine (queued until the agent is idle and nobody is typing)."""
        await self.engine.nudge(address, text, sender=f"{parse_address(address).rig}/witness")

    async def dismiss_dialogs(self, address: str) -> bool:
        """Answer a recognised start-up dialog through the engine's screen rules; True if one was showing."""
        session = self.engine.sessions.live(address)
        if session is None:
            return False
        verdict = session.compute(time.time())
        if verdict.source == "screen" and verdict.detail.startswith("dialog "):
            answer = getattr(self.engine.monitor, "_answer_dialog", None)
            if answer is not None:
                answer(session)
                return True
        return False


def on_loop(loop: asyncio.AbstractEventLoop, make: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """Run a coroutine on the engine loop from a worker thread (or schedule it when already on the loop)."""
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        return loop.create_task(make())  # on the loop already: do not block it
    return asyncio.run_coroutine_threadsafe(make(), loop).result(SPAWN_TIMEOUT)


def engine_sling_fn(engine: Any, loop: asyncio.AbstractEventLoop, actor: str = "deacon/") -> Callable[[str, str], str]:
    """A sling function for LedgerDispatch: hook + worktree + molecule in the thread, start on the engine loop."""

    def sling_fn(bead_id: str, rig: str) -> str:
        from gastown_tui.agents.sling import sling  # noqa: PLC0415 - agents are optional for patrol unit tests

        result = sling(engine.paths, engine.ledger, bead_id, rig, actor=actor, start=False)
        on_loop(loop, lambda: engine.sling_start(result.address, bead_id, sender=actor))
        return str(result.address)

    return sling_fn


def engine_wake_fn(engine: Any, loop: asyncio.AbstractEventLoop) -> Callable[[str, str], None]:
    """A wake function: start (or nudge) an agent whose hook just got work back."""

    def wake_fn(address: str, bead_id: str) -> None:
        on_loop(loop, lambda: engine.sling_start(address, bead_id, sender=f"{parse_address(address).rig}/refinery"))

    return wake_fn
