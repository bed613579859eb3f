"""The EngineClient over the town's 0600 Unix socket, and the connect rules shared with the CLI.

Connecting: ENOENT (no socket) and ECONNREFUSED (a socket file nobody listens on: the engine died) mean
EngineNotRunning; EAGAIN (the listen backlog is full: the engine is running but busy) is retried with backoff
for up to `busy_wait` seconds, then EngineBusy. Requests carry ids, so many calls may be in flight at once;
events arrive on the same connection after Subscribe.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TypeVar

from gastown_tui.errors import GastownError
from gastown_tui.engine.api.base import Command, Event, Failure, Result
from gastown_tui.control_socket import connect_socket
from gastown_tui.engine.api.client import EVENT_QUEUE, EngineLost, EngineNotRunning, error_class
from gastown_tui.engine.api.commands import GetSnapshot, Subscribe
from gastown_tui.engine.api.rows import TownSnapshot
from gastown_tui.engine.api.wire import MAX_LINE, WireError, decode, encode

R = TypeVar("R", bound=Result)
BUSY_WAIT = 10.0
"""Seconds a full backlog is retried before giving up with EngineBusy."""


class SocketClient:
    """EngineClient over a Unix socket; `await SocketClient.connect(path)` then call/events/close."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader, self._writer = reader, writer
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[Result]] = {}
        self._events: asyncio.Queue[Event] = asyncio.Queue()
        self._lost: str | None = None
        self._task = asyncio.get_running_loop().create_task(self._read(), name="engine-client-reader")
        self.client_id = 0
        self.engine_pid = 0
        self.bytes_in = 0
        """Bytes read from the socket so far (benchmarks)."""

    @classmethod
    async def connect(cls, path: Path, *, subscribe: bool = True, name: str = "tui",
                      busy_wait: float = BUSY_WAIT) -> SocketClient:
        """Connect (retrying a full backlog off the loop) and optionally subscribe to events."""
        sock = await asyncio.to_thread(connect_socket, path, busy_wait=busy_wait, blocking=False)
        reader, writer = await asyncio.open_unix_connection(sock=sock, limit=MAX_LINE)
        client = cls(reader, writer)
        if subscribe:
            answer = await client.call(Subscribe(name))
            client.client_id, client.engine_pid = answer.client_id, answer.pid
        return client

    @property
    def connected(self) -> bool:
        """False once the engine went away."""
        return self._lost is None

    async def _read(self) -> None:
        reason = "the engine closed the connection"
        try:
            while True:
                line = await self._reader.readline()
                if not line:
                    break
                self.bytes_in += len(line)
                try:
                    envelope = decode(line)
                except WireError as exc:
                    reason = f"bad line from the engine: {exc.one_line()}"
                    break
                if envelope.re is not None:
                    future = self._pending.pop(envelope.re, None)
                    if future is not None and not future.done():
                        future.set_result(envelope.message)
                elif isinstance(envelope.message, EngineLost):
                    reason = envelope.message.reason or reason
                    break
                elif isinstance(envelope.message, Event) and self._events.qsize() < EVENT_QUEUE:
                    self._events.put_nowait(envelope.message)
        except (ConnectionError, OSError, ValueError) as exc:
            reason = f"connection to the engine lost ({exc})"
        except asyncio.CancelledError:
            reason = "detached"
        self._lost = reason
        for future in self._pending.values():
            if not future.done():
                future.set_exception(EngineNotRunning(reason))
        self._pending.clear()
        self._events.put_nowait(EngineLost(reason))

    async def call(self, command: Command[R]) -> R:
        """Send one request and await its reply; Failure replies raise their GastownError subclass."""
        if self._lost is not None:
            raise EngineNotRunning(self._lost)
        request_id = next(self._ids)
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        try:
            self._writer.write(encode(command, id=request_id))
            await self._writer.drain()
        except (ConnectionError, OSError) as exc:
            self._pending.pop(request_id, None)
            raise EngineNotRunning(f"connection to the engine lost ({exc})") from None
        result = await future
        if isinstance(result, Failure):
            raise error_class(result.kind)(result.message)
        return result  # type: ignore[return-value]

    async def snapshot(self) -> TownSnapshot:
        """GetSnapshot."""
        return await self.call(GetSnapshot())

    async def events(self) -> AsyncIterator[Event]:
        """Pushed events until the connection ends (the last one is EngineLost)."""
        while True:
            event = await self._events.get()
            yield event
            if isinstance(event, EngineLost):
                return

    async def close(self) -> None:
        """Hang up (the engine forgets this client's panes); never stops the engine."""
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass
        self._writer.close()
        try:
            await self._writer.wait_closed()
        except (ConnectionError, OSError):
            pass


def call_sync(path: Path, command: Command[R], *, timeout: float = 30.0) -> R:
    """One blocking request/reply on a fresh connection (the CLI and agents' `gt` calls)."""
    sock = connect_socket(path)
    sock.settimeout(timeout)
    try:
        sock.sendall(encode(command, id=1))
        buffer = b""
        while not buffer.endswith(b"\n"):
            chunk = sock.recv(1 << 16)
            if not chunk:
                raise EngineNotRunning("the engine closed the connection without answering")
            buffer += chunk
    except TimeoutError:
        raise GastownError(f"the engine did not answer {type(command).__name__} within {timeout:.0f}s") from None
    finally:
        sock.close()
    result = decode(buffer).message
    if isinstance(result, Failure):
        raise error_class(result.kind)(result.message)
    return result  # type: ignore[no-any-return]


def socket_owner_pid(path: Path) -> int | None:
    """The engine's pid from its lock file next to the socket (None if unknown)."""
    try:
        return int((path.parent / "engine.lock").read_text().strip() or "0") or None
    except (OSError, ValueError):
        return None


__all__ = ["SocketClient", "call_sync", "connect_socket", "socket_owner_pid"]
