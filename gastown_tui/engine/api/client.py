"""`EngineClient`: the one protocol a UI (or test) drives the engine through, and its in-process implementation.

`call(command)` returns the command's result type or raises the GastownError subclass the engine raised;
`snapshot()` is `call(GetSnapshot())`; `events()` yields every pushed Event (domain events, and PaneUpdates for
viewed panes) and ends with one `EngineLost` when the engine goes away.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from gastown_tui import errors
from gastown_tui.control_socket import EngineBusy
from gastown_tui.engine.api.base import Command, Event, Result
from gastown_tui.engine.api.commands import GetSnapshot
from gastown_tui.engine.api.rows import TownSnapshot
from gastown_tui.engine.api.wire import wire

__all__ = ["EVENT_QUEUE", "EngineBusy", "EngineClient", "EngineLost", "EngineNotRunning", "InProcessClient",
           "Server", "error_class"]
R = TypeVar("R", bound=Result)
EVENT_QUEUE = 50_000
"""Events a slow client may have pending before the oldest PaneUpdates are dropped (a fresh snapshot heals)."""


EngineNotRunning = errors.EngineNotRunning
"""No engine answers on the town's control socket (defined in gastown_tui.errors: domain code catches it too)."""




@wire
@dataclass(frozen=True)
class EngineLost(Event):
    """The connection to the engine ended (the engine stopped or died); the last event a client sees."""

    reason: str = ""


def error_class(kind: str) -> type[errors.GastownError]:
    """The GastownError subclass named `kind` (plain GastownError if unknown)."""
    if kind == "EngineNotRunning":
        return EngineNotRunning
    cls = getattr(errors, kind, None)
    return cls if isinstance(cls, type) and issubclass(cls, errors.GastownError) else errors.GastownError


class EngineClient(Protocol):
    """What every client of the engine uses; implemented in-process (tests) and over the socket."""

    async def call(self, command: Command[R]) -> R:
        """Run one command in the engine and return its result (GastownError subclasses on failure)."""
        ...

    async def snapshot(self) -> TownSnapshot:
        """The town snapshot, computed by the engine."""
        ...

    def events(self) -> AsyncIterator[Event]:
        """Pushed events, in order, ending with EngineLost."""
        ...

    async def close(self) -> None:
        """Detach: stop receiving events, stop viewing panes. Never stops the engine."""
        ...


class Server(Protocol):
    """The engine side an in-process client talks to (the engine's Dispatcher satisfies it)."""

    def open_client(self, push: Callable[[Event], None], name: str) -> int:
        """Register a client whose events go to `push`; returns its id."""
        ...

    def close_client(self, client_id: int) -> None:
        """Forget a client (its viewed panes, its size claims)."""
        ...

    async def dispatch(self, client_id: int, command: Command[Result]) -> Result:
        """Run one command for a client."""
        ...


class InProcessClient:
    """An EngineClient calling a Server on the same loop (unit tests of the engine and of clients)."""

    def __init__(self, server: Server, name: str = "in-process") -> None:
        self._server = server
        self._queue: asyncio.Queue[Event] = asyncio.Queue()
        self.client_id = server.open_client(self._push, name)
        self._closed = False

    def _push(self, event: Event) -> None:
        if self._queue.qsize() < EVENT_QUEUE:
            self._queue.put_nowait(event)

    async def call(self, command: Command[R]) -> R:
        """Dispatch directly (same objects, no encoding)."""
        if self._closed:
            raise EngineNotRunning("this client is closed")
        return await self._server.dispatch(self.client_id, command)  # type: ignore[return-value]

    async def snapshot(self) -> TownSnapshot:
        """GetSnapshot."""
        return await self.call(GetSnapshot())

    async def events(self) -> AsyncIterator[Event]:
        """Queued events until close()."""
        while True:
            event = await self._queue.get()
            yield event
            if isinstance(event, EngineLost):
                return

    async def close(self) -> None:
        """Unregister; events() ends."""
        if not self._closed:
            self._closed = True
            self._server.close_client(self.client_id)
            self._queue.put_nowait(EngineLost("closed"))
