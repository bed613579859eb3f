"""The client end of the town's control socket (`.gastown/engine.sock`), for code that must not import the engine.

Two things live here: `connect_socket` (the connect rules every client shares) and `request` (the legacy JSON op
protocol `{"op": ...}` that `gt` commands run by agents and the Overseer use; typed clients use
`gastown_tui.engine.api`). Connect rules: ENOENT (no socket) and ECONNREFUSED (a socket file nobody listens on:
the engine died) are EngineNotRunning; EAGAIN (the listen backlog is full: the engine runs but is busy) is retried
with backoff, then EngineBusy, never "not running".

A crashed engine (its socket file is left, nobody listens) is restarted by the next request that needs it (an op
in NEEDS_ENGINE; reads have offline answers) made outside an agent session, when a restarter is installed
(`set_restarter`; the CLI installs one). Agents' own `gt` calls (GT_SESSION set) never start an engine: they
queue, and the engine replays the queue when it starts.
"""

from __future__ import annotations

import errno
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from gastown_tui import errors
from gastown_tui.errors import EngineNotRunning

TYPE_CHECKING = False  # not typing's: importing typing costs ~4 ms of every `gt` call, and only checkers need it
if TYPE_CHECKING:
    from typing import Any

    Restarter = Callable[[Path], Any]
    import socket

DEFAULT_TIMEOUT = 30.0
BUSY_WAIT = 10.0
"""Seconds a full backlog is retried before EngineBusy."""
NOT_RUNNING = (errno.ENOENT, errno.ECONNREFUSED, errno.ENOTSOCK)
NEEDS_ENGINE = frozenset({"spawn", "restart", "kill", "nudge", "sling-start"})
"""Ops that need a live engine; reads (status, explain, peek) have offline answers and never start one."""
_restarter: Restarter | None = None


class EngineBusy(errors.GastownError):
    """The engine's socket kept refusing new connections for a while (its backlog was full): it is running."""


def set_restarter(restarter: Restarter | None) -> None:
    """Install the function that starts a town's engine (given the town root) after a crash."""
    global _restarter
    _restarter = restarter


def connect_socket(path: Path, *, busy_wait: float = BUSY_WAIT, blocking: bool = True) -> socket.socket:
    """A connected AF_UNIX socket to `path` (see the module docstring for the error rules)."""
    import socket  # deferred: ~3 ms of CPU, and most `gt` calls (bd, hookevent) never talk to the engine

    deadline = time.monotonic() + busy_wait
    delay = 0.002
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.setblocking(False)  # a blocking connect would hang on a full backlog instead of saying EAGAIN
        try:
            sock.connect(str(path))
        except OSError as exc:
            sock.close()
            if exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EINPROGRESS):
                if time.monotonic() >= deadline:
                    raise EngineBusy(f"the engine for {path.parent.parent} is running but did not accept a "
                                     f"connection within {busy_wait:.0f}s (socket backlog full)") from None
                time.sleep(delay)
                delay = min(delay * 2, 0.1)
                continue
            if exc.errno in NOT_RUNNING:
                raise EngineNotRunning(f"the engine is not running for {path.parent.parent} "
                                       f"({exc.strerror or exc})") from None
            raise EngineNotRunning(f"cannot reach the engine at {path}: {exc.strerror or exc}") from None
        sock.setblocking(blocking)
        return sock


def _error_class(kind: str) -> type[errors.GastownError]:
    """The GastownError subclass named `kind` (plain GastownError if unknown)."""
    cls = getattr(errors, kind, None)
    return cls if isinstance(cls, type) and issubclass(cls, errors.GastownError) else errors.GastownError


def _once(sock_path: Path, op: str, timeout: float, args: dict[str, Any]) -> Any:
    sock = connect_socket(sock_path)
    sock.settimeout(timeout)
    try:
        sock.sendall((json.dumps({"op": op, **args}) + "\n").encode())
        buffer = b""
        while not buffer.endswith(b"\n"):
            chunk = sock.recv(65536)
            if not chunk:
                raise EngineNotRunning("the engine closed the connection without answering")
            buffer += chunk
    except TimeoutError:
        raise errors.GastownError(f"the engine did not answer {op!r} within {timeout:.0f}s") from None
    finally:
        sock.close()
    response = json.loads(buffer)
    if response.get("ok"):
        return response.get("result")
    raise _error_class(str(response.get("kind", "")))(str(response.get("error", "engine error")))


def crashed(sock_path: Path) -> bool:
    """The socket file is there but nobody listens: the engine died (a clean stop removes the file)."""
    if not sock_path.exists():
        return False
    try:
        connect_socket(sock_path, busy_wait=1.0).close()
    except EngineNotRunning:
        return True
    except EngineBusy:
        return False
    return False


def request(paths: Any, op: str, *, timeout: float = DEFAULT_TIMEOUT, **args: Any) -> Any:
    """Send `op` with `args` to the town's engine and return its result; EngineNotRunning if nobody listens."""
    sock_path: Path = paths.engine_sock
    try:
        return _once(sock_path, op, timeout, args)
    except EngineNotRunning:
        if op not in NEEDS_ENGINE or _restarter is None or os.environ.get("GT_SESSION") or not crashed(sock_path):
            raise
    _restarter(Path(paths.root))
    return _once(sock_path, op, timeout, args)


def engine_running(paths: Any) -> bool:
    """True if an engine answers `ping` on the control socket."""
    try:
        _once(paths.engine_sock, "ping", 2.0, {})
    except errors.GastownError:
        return False
    return True
