"""The CLI side of the control socket: one synchronous request, errors mapped back to GastownError classes."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from collections.abc import Iterator
from typing import Any

from gastown_tui import errors
from gastown_tui.town.paths import TownPaths

DEFAULT_TIMEOUT = 30.0


class EngineNotRunning(errors.GastownError):
    """No engine answers on the town's control socket."""


def _error_class(kind: str) -> type[errors.GastownError]:
    """The GastownError subclass named `kind` (plain GastownError if unknown)."""
    cls = getattr(errors, kind, None)
    return cls if isinstance(cls, type) and issubclass(cls, errors.GastownError) else errors.GastownError


def request(paths: TownPaths, op: str, *, timeout: float = DEFAULT_TIMEOUT, **args: Any) -> Any:
    """Send `op` with `args` to the engine and return its result; EngineNotRunning if nobody listens."""
    sock_path: Path = paths.engine_sock
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        try:
            sock.connect(str(sock_path))
        except (FileNotFoundError, ConnectionRefusedError, OSError) as exc:
            raise EngineNotRunning(f"the engine is not running for {paths.root} ({exc.strerror or exc})") from None
        sock.sendall((json.dumps({"op": op, **args}) + "\n").encode())
        buffer = b""
        while not buffer.endswith(b"\n"):
            chunk = sock.recv(65536)
            if not chunk:
                raise EngineNotRunning("the engine closed the connection without answering")
            buffer += chunk
    except socket.timeout:
        raise errors.GastownError(f"the engine did not answer {op!r} within {timeout:.0f}s") from None
    finally:
        sock.close()
    response = json.loads(buffer)
    if response.get("ok"):
        return response.get("result")
    raise _error_class(str(response.get("kind", "")))(str(response.get("error", "engine error")))


def engine_running(paths: TownPaths) -> bool:
    """True if an engine answers `ping` on the control socket."""
    try:
        request(paths, "ping", timeout=2.0)
    except errors.GastownError:
        return False
    return True


def subscribe(paths: TownPaths, *, output: bool = False, timeout: float | None = None) -> Iterator[dict[str, Any]]:
    """Yield the engine's bus events (as dicts with `type`) until the engine stops or the caller stops iterating."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        try:
            sock.connect(str(paths.engine_sock))
        except OSError as exc:
            raise EngineNotRunning(f"the engine is not running for {paths.root} ({exc.strerror or exc})") from None
        sock.sendall((json.dumps({"op": "subscribe", "output": output}) + "\n").encode())
        with sock.makefile("rb") as lines:
            for line in lines:
                yield json.loads(line)["event"]
    finally:
        sock.close()
