"""The one dispatcher: every typed command from every client (socket or in-process) goes through `dispatch`.

Handlers register with `@handles(CommandType)` in `gastown_tui.engine.handlers.<module>`; the modules listed in
`handlers.HANDLER_MODULES` are imported when the first Dispatcher is built. A handler receives a HandlerContext
(what handlers use, plus the calling client's id) and the command, and returns the command's result type.
"""

from __future__ import annotations

import importlib
import itertools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from gastown_tui.engine.api.base import Command, Event, Result
from gastown_tui.errors import GastownError, InvalidInput

if TYPE_CHECKING:
    from gastown_tui.engine.engine import Engine
    from gastown_tui.engine.panes import PaneHub

log = logging.getLogger(__name__)
C = TypeVar("C", bound=Command[Any])
Handler = Callable[["HandlerContext", Any], Awaitable[Result]]
_HANDLERS: dict[type[Any], Handler] = {}


def handles(command: type[C]) -> Callable[[Callable[[HandlerContext, C], Awaitable[Any]]],
                                          Callable[[HandlerContext, C], Awaitable[Any]]]:
    """Register the decorated coroutine as the handler of `command` (one handler per command type)."""
    def register(fn: Callable[[HandlerContext, C], Awaitable[Any]]) -> Callable[[HandlerContext, C], Awaitable[Any]]:
        if command in _HANDLERS and _HANDLERS[command] is not fn:
            raise TypeError(f"{command.__name__} already has a handler ({_HANDLERS[command].__module__})")
        _HANDLERS[command] = fn
        return fn
    return register


def handled_commands() -> set[type[Any]]:
    """Command types with a handler (tests check every registered command has one)."""
    load_handlers()
    return set(_HANDLERS)


def load_handlers() -> None:
    """Import every handler module (idempotent)."""
    from gastown_tui.engine.handlers import HANDLER_MODULES

    for name in HANDLER_MODULES:
        importlib.import_module(f"gastown_tui.engine.handlers.{name}")


@dataclass(frozen=True)
class HandlerContext:
    """What a handler may use: the engine's parts, the pane hub, and who is calling."""

    engine: Engine
    panes: PaneHub
    client_id: int

    @property
    def ledger(self) -> Any:
        """The town's ledger."""
        return self.engine.ledger

    @property
    def paths(self) -> Any:
        """The town's paths."""
        return self.engine.paths


@dataclass
class Client:
    """One attached client: where its events go, and whether it asked for them."""

    id: int
    name: str
    push: Callable[[Event], None]
    subscribed: bool = False


class Dispatcher:
    """Clients, their event fan-out, and command dispatch for one engine."""

    def __init__(self, engine: Engine) -> None:
        from gastown_tui.engine.panes import PaneHub

        load_handlers()
        self.engine = engine
        self.clients: dict[int, Client] = {}
        self._ids = itertools.count(1)
        self.panes = PaneHub(engine, self)
        self._unsubscribe = engine.bus.subscribe(self._on_bus)

    # -- clients ----------------------------------------------------------------------------------------------
    def open_client(self, push: Callable[[Event], None], name: str) -> int:
        """Register a client; in-process clients are subscribed from the start."""
        client = Client(next(self._ids), name, push, subscribed=name == "in-process")
        self.clients[client.id] = client
        return client.id

    def close_client(self, client_id: int) -> None:
        """Forget a client and its panes."""
        self.clients.pop(client_id, None)
        self.panes.forget_client(client_id)

    def subscribe(self, client_id: int) -> None:
        """From now on the client gets every domain event."""
        if client_id in self.clients:
            self.clients[client_id].subscribed = True

    def send(self, client_id: int, event: Event) -> None:
        """One event to one client (pane updates); a failing client is dropped, never the engine."""
        client = self.clients.get(client_id)
        if client is None:
            return
        try:
            client.push(event)
        except Exception:  # noqa: BLE001 - a broken client must not hurt the others
            log.exception("client %s dropped", client.name)
            self.close_client(client_id)

    def _on_bus(self, event: Any) -> None:
        """Domain events go to every subscribed client; output notices drive the pane hub instead."""
        from gastown_tui.engine.api.events import SessionExited, SessionOutput, SessionStarted

        if isinstance(event, SessionOutput):
            self.panes.output(event.address)
            return  # screens travel as PaneUpdates; the notice itself is noise on the wire
        if isinstance(event, (SessionStarted, SessionExited)):
            self.panes.replaced(event.address)
        for client in list(self.clients.values()):
            if client.subscribed:
                self.send(client.id, event)

    # -- commands ---------------------------------------------------------------------------------------------
    async def dispatch(self, client_id: int, command: Command[Any]) -> Result:
        """Run `command`'s handler; GastownError passes through, any other exception becomes one."""
        handler = _HANDLERS.get(type(command))
        if handler is None:
            raise InvalidInput(f"the engine has no handler for {type(command).__name__}")
        context = HandlerContext(self.engine, self.panes, client_id)
        try:
            return await handler(context, command)
        except GastownError:
            raise
        except Exception as exc:  # a bug in one handler must not kill the engine or the connection
            log.exception("command %s failed", type(command).__name__)
            raise GastownError(f"engine error in {type(command).__name__}: {exc}") from exc

    def close(self) -> None:
        """Stop listening to the bus and tell every client the engine is going."""
        from gastown_tui.engine.api.client import EngineLost

        self._unsubscribe()
        self.panes.close()
        for client in list(self.clients.values()):
            self.send(client.id, EngineLost("the engine stopped"))
        self.clients.clear()
