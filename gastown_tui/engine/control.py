"""The control socket `.gastown/engine.sock`: an asyncio unix server speaking JSON lines, mode 0600.

Request: `{"op": "<name>", ...args}`; response: `{"ok": true, "result": ...}` or
`{"ok": false, "error": "<one line>", "kind": "<GastownError subclass>"}`. Handlers are the Engine's `op_*`
coroutines, so the CLI and a future out-of-process UI drive the engine through exactly the same calls.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from gastown_tui.errors import GastownError

log = logging.getLogger(__name__)
Handler = Callable[[dict[str, Any]], Awaitable[Any]]
Stream = Callable[[dict[str, Any]], AsyncIterator[dict[str, Any]]]
MAX_REQUEST_BYTES = 1 << 20


class ControlServer:
    """Serves requests on a unix socket by dispatching `op` to a handler."""

    def __init__(self, path: Path, handlers: dict[str, Handler], streams: dict[str, Stream] | None = None) -> None:
        self.path = path
        self.handlers = handlers
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
                                                           limit=MAX_REQUEST_BYTES)
        finally:
            os.umask(old_umask)
        os.chmod(self.path, 0o600)

    async def stop(self) -> None:
        """Stop serving and remove the socket file."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Answer each request line of one connection."""
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
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
            writer.close()

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
