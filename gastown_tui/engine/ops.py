"""The legacy op table (`{"op": ...}` from `gt` commands): each op becomes a typed command for the one dispatcher.

Commands (spawn, restart, kill, nudge, peek) go through `engine.dispatch` exactly like a TUI's, and their typed
results are flattened back into the dicts older callers read. The reads `status`, `explain` and the `sling-start`
and `typing` ops still call the engine directly: their dicts carry fields the typed rows do not (yet).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

from gastown_tui.engine.api.commands import Nudge, Peek, RestartAgent, StartAgent, StopAgent
from gastown_tui.errors import InvalidInput

if TYPE_CHECKING:
    from gastown_tui.engine.engine import Engine


def _text(args: dict[str, Any], key: str, default: str | None = None) -> str:
    """A required (or defaulted) string argument."""
    value = args.get(key, default)
    if not isinstance(value, str) or (default is None and not value):
        raise InvalidInput(f"request needs a string {key!r}")
    return value


class ControlOps:
    """The op table served on `.gastown/engine.sock`."""

    def __init__(self, engine: "Engine") -> None:
        self.engine = engine

    def handlers(self) -> dict[str, Callable[[dict[str, Any]], Awaitable[Any]]]:
        """op name -> coroutine handler."""
        return {"ping": self.ping, "status": self.status, "spawn": self.spawn, "restart": self.restart,
                "kill": self.kill, "nudge": self.nudge, "peek": self.peek, "sling-start": self.sling_start,
                "explain": self.explain, "typing": self.typing}

    def streams(self) -> dict[str, Any]:
        """Streaming ops: `subscribe` sends every bus event as a line (a UI in another process attaches here)."""
        return {"subscribe": self.subscribe}

    async def subscribe(self, args: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        """Yield bus events as dicts until the client disconnects; SessionOutput only with `output: true`."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=10_000)
        with_output = bool(args.get("output"))

        def push(event: Any) -> None:
            if (with_output or type(event).__name__ != "SessionOutput") and not queue.full():
                queue.put_nowait(event.to_dict())

        unsubscribe = self.engine.bus.subscribe(push)
        try:
            yield {"type": "Subscribed", "pid": os.getpid()}
            while True:
                yield await queue.get()
        finally:
            unsubscribe()

    async def ping(self, _args: dict[str, Any]) -> dict[str, Any]:
        """Liveness and pid."""
        return {"pid": os.getpid(), "town": str(self.engine.paths.root)}

    async def status(self, _args: dict[str, Any]) -> list[dict[str, Any]]:
        """Every agent and its state."""
        return self.engine.status()

    async def _dispatch(self, command: Any) -> Any:
        """One typed command through the engine's dispatcher (client 0: the legacy op table)."""
        return await self.engine.dispatcher.dispatch(0, command)

    async def spawn(self, args: dict[str, Any]) -> dict[str, Any]:
        """Start an agent's session (no-op if it runs)."""
        info = await self._dispatch(StartAgent(_text(args, "address"), _text(args, "topic", "assigned"),
                                               _text(args, "sender", "overseer")))
        return {"address": info.address, "session_id": info.session_id, "pid": info.pid}

    async def restart(self, args: dict[str, Any]) -> dict[str, Any]:
        """Restart an agent with its hook; with `delay`, answer first (the caller may be inside that session)."""
        info = await self._dispatch(RestartAgent(_text(args, "address"), _text(args, "topic", "restart"),
                                                 float(args.get("delay", 0) or 0)))
        if info.scheduled_in:
            return {"address": info.address, "scheduled_in": info.scheduled_in}
        return {"address": info.address, "session_id": info.session_id}

    async def kill(self, args: dict[str, Any]) -> dict[str, Any]:
        """Stop an agent's session."""
        address = str(self.engine.resolve(_text(args, "address")))
        killed = self.engine.sessions.live(address) is not None
        await self._dispatch(StopAgent(address))
        return {"address": address, "killed": killed}

    async def nudge(self, args: dict[str, Any]) -> dict[str, Any]:
        """Deliver or queue a nudge."""
        outcome = await self._dispatch(Nudge(_text(args, "address"), _text(args, "message"),
                                             _text(args, "sender", "overseer")))
        if outcome.delivered:
            return {"delivered": True, "queued": False, "verified": outcome.verified}
        return {"delivered": False, "queued": True, "nudge_id": outcome.nudge_id, "reason": outcome.reason}

    async def peek(self, args: dict[str, Any]) -> dict[str, Any]:
        """Recent screen lines."""
        return {"lines": list((await self._dispatch(Peek(_text(args, "address"), int(args.get("lines", 40))))).lines)}

    async def sling_start(self, args: dict[str, Any]) -> dict[str, Any]:
        """Start (or notify) the agent that just got work slung onto its hook."""
        return await self.engine.sling_start(_text(args, "address"), _text(args, "bead"),
                                             sender=_text(args, "sender", "overseer"))

    async def explain(self, args: dict[str, Any]) -> dict[str, Any]:
        """The state verdict with its deciding signal."""
        return self.engine.explain(_text(args, "address"))

    async def typing(self, args: dict[str, Any]) -> dict[str, Any]:
        """Record an Overseer keystroke in a pane (for a UI in another process)."""
        self.engine.note_user_typing(_text(args, "address"))
        return {}
