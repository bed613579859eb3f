"""The control socket `.gastown/engine.sock`: an asyncio unix server speaking JSON lines, mode 0600.

Typed requests (`{"v": 1, "id": N, "t": "<Command>", "d": {...}}`, see `engine.api.wire`) go to the Dispatcher,
each in its own task so a slow command (a patrol run) never holds up keystrokes on the same connection; replies
carry `re`. Events for the connection's client are written as they happen. A client whose unread output passes
MAX_BUFFERED is disconnected (it re-attaches and gets fresh snapshots) instead of growing the engine's memory.

Legacy requests (`{"op": "<name>", ...args}` -> `{"ok": true, "result": ...}` or `{"ok": false, "error", "kind"}`)
from older `gt` binaries are still answered through the old op table.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gastown_tui.engine.api.base import Event, Failure, Result
from gastown_tui.engine.api.wire import WireError, decode, encode
from gastown_tui.errors import GastownError

if TYPE_CHECKING:
    from gastown_tui.engine.dispatch import Dispatcher

log = logging.getLogger(__name__)
Handler = Callable[[dict[str, Any]], Awaitable[Any]]
Stream = Callable[[dict[str, Any]], AsyncIterator[dict[str, Any]]]
MAX_REQUEST_BYTES = 8 << 20
MAX_BUFFERED = 32 << 20
BACKLOG = 1024
"""Pending connections the kernel queues (30 agents' `gt` calls at once plus TUIs); clients retry on EAGAIN."""


class ControlServer:
    """Serves requests on a unix socket by dispatching `op` to a handler."""

    def __init__(self, path: Path, handlers: dict[str, Handler], streams: dict[str, Stream] | None = None,
                 dispatcher: Dispatcher | None = None) -> None:
        self.path = path
        self.handlers = handlers
        self.dispatcher = dispatcher
        self._writers: set[asyncio.StreamWriter] = set()
        self.bytes_out = 0
        """Bytes written to typed clients (benchmarks read it)."""
        self.streams = streams or {}  # ops that answer with a line per item until the client hangs up
        self._server: asyncio.AbstractServer | None = None

    async def start(self) -> None:
        """Bind the socket (replacing a stale one) with mode 0600 from the first moment."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists() or self.path.is_symlink():
            self.path.unlink()
        old_umask = os.umask(0o177)  # the socket is created 0600: no window where others could connect
        try:
            self._server = await asyncio.start_unix_server(self._serve, path=str(self.path),
                                                           limit=MAX_REQUEST_BYTES, backlog=BACKLOG)
        finally:
            os.umask(old_umask)
        os.chmod(self.path, 0o600)
        self._inode = os.stat(self.path).st_ino

    async def stop(self) -> None:
        """Stop serving and remove the socket file."""
        for writer in list(self._writers):
            writer.close()  # clients see the end of the stream at once (they report the engine gone)
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        try:
            # only our own socket: a newer engine may have bound this path since (never cut it off)
            if os.stat(self.path).st_ino == getattr(self, "_inode", None):
                self.path.unlink()
        except FileNotFoundError:
            pass

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Answer each request line of one connection (typed or legacy)."""
        client_id: int | None = None
        tasks: set[asyncio.Task[None]] = set()
        self._writers.add(writer)
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                if line.startswith(b'{"v"') and self.dispatcher is not None:
                    if client_id is None:
                        client_id = self.dispatcher.open_client(self._pusher(writer), "socket")
                    task = asyncio.get_running_loop().create_task(self._typed(client_id, line, writer))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                    continue
                stream = self._stream_for(line)
                if stream is not None:
                    async for item in stream:
                        writer.write((json.dumps({"ok": True, "event": item}, default=str) + "\n").encode())
                        await writer.drain()
                    break
                response = await self._answer(line)
                writer.write((json.dumps(response, default=str) + "\n").encode())
                await writer.drain()
        except (ConnectionError, asyncio.LimitOverrunError, ValueError):
            pass
        finally:
            if client_id is not None and self.dispatcher is not None:
                self.dispatcher.close_client(client_id)
            for task in tasks:
                task.cancel()
            self._writers.discard(writer)
            writer.close()

    def _write(self, writer: asyncio.StreamWriter, data: bytes) -> None:
        if writer.is_closing():
            return
        transport = writer.transport
        if transport.get_write_buffer_size() > MAX_BUFFERED:
            log.warning("dropping a client that stopped reading (%d bytes queued)", transport.get_write_buffer_size())
            transport.abort()
            return
        writer.write(data)
        self.bytes_out += len(data)

    def _pusher(self, writer: asyncio.StreamWriter) -> Callable[[Event], None]:
        def push(event: Event) -> None:
            self._write(writer, encode(event))
        return push

    async def _typed(self, client_id: int, line: bytes, writer: asyncio.StreamWriter) -> None:
        """Decode one typed request, dispatch it, write the reply (or a Failure) with `re`."""
        assert self.dispatcher is not None
        request_id: int | None = None
        result: Result
        try:
            envelope = decode(line)
            request_id = envelope.id
            result = await self.dispatcher.dispatch(client_id, envelope.message)
        except WireError as exc:
            result = Failure("InvalidInput", f"bad request: {exc.one_line()}")
        except GastownError as exc:
            result = Failure(type(exc).__name__, exc.one_line())
        if request_id is not None:
            self._write(writer, encode(result, re=request_id))

    def _stream_for(self, line: bytes) -> AsyncIterator[dict[str, Any]] | None:
        """The async iterator for a streaming op (e.g. `subscribe`), or None for an ordinary request."""
        try:
            request = json.loads(line)
        except ValueError:
            return None
        if not isinstance(request, dict) or request.get("op") not in self.streams:
            return None
        return self.streams[str(request.pop("op"))](request)

    async def _answer(self, line: bytes) -> dict[str, Any]:
        """Decode, dispatch and wrap one request."""
        try:
            request = json.loads(line)
            if not isinstance(request, dict):
                raise ValueError("request must be a JSON object")
        except ValueError as exc:
            return {"ok": False, "error": f"bad request: {exc}", "kind": "InvalidInput"}
        op = request.pop("op", None)
        handler = self.handlers.get(str(op))
        if handler is None:
            return {"ok": False, "error": f"unknown op {op!r} (known: {', '.join(sorted(self.handlers))})",
                    "kind": "InvalidInput"}
        try:
            return {"ok": True, "result": await handler(request)}
        except GastownError as exc:
            return {"ok": False, "error": exc.one_line(), "kind": type(exc).__name__}
        except Exception as exc:  # a bug in one handler must not kill the engine
            log.exception("control op %s failed", op)
            return {"ok": False, "error": f"engine error in {op}: {exc}", "kind": "GastownError"}
