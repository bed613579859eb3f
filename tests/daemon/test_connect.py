"""Connecting to the engine: a full backlog is busy (retried), not 'not running'; a crashed engine is restarted by
the next `gt` call that needs it (not by an agent's own call)."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from pathlib import Path

import pytest

from gastown_tui.control_socket import EngineBusy, connect_socket
from gastown_tui.engine import api
from gastown_tui.errors import EngineNotRunning
from tests.conftest import run_cli
from tests.daemon.conftest import Daemon, alive, wait_gone


def full_listener(path: Path) -> tuple[socket.socket, list[socket.socket]]:
    """A listening socket that never accepts, with its backlog filled (new connects get EAGAIN)."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(0)
    fillers = []
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.setblocking(False)
        try:
            sock.connect(str(path))
        except BlockingIOError:
            sock.close()
            return server, fillers
        fillers.append(sock)


def test_full_backlog_is_busy_not_dead(tmp_path: Path) -> None:
    path = tmp_path / "engine.sock"
    server, fillers = full_listener(path)
    try:
        started = time.monotonic()
        with pytest.raises(EngineBusy, match="running but did not accept"):
            connect_socket(path, busy_wait=0.3)
        assert time.monotonic() - started >= 0.3  # it retried for the whole wait

        def drain() -> None:  # the engine catches up: accept the queued connections
            time.sleep(0.2)
            for _ in range(len(fillers) + 1):
                server.accept()[0].close()
        thread = threading.Thread(target=drain)
        thread.start()
        connect_socket(path, busy_wait=5).close()  # retried until a slot freed up
        thread.join()
    finally:
        for sock in fillers:
            sock.close()
        server.close()


def test_no_socket_and_stale_socket_are_not_running(tmp_path: Path) -> None:
    with pytest.raises(EngineNotRunning, match="not running"):
        connect_socket(tmp_path / "engine.sock")
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(tmp_path / "engine.sock"))
    stale.close()  # the file stays, nobody listens: what a SIGKILLed engine leaves
    with pytest.raises(EngineNotRunning, match="not running"):
        connect_socket(tmp_path / "engine.sock")


def test_a_crashed_engine_is_restarted_by_the_next_gt_call(engine_daemon: Daemon) -> None:
    old = engine_daemon.pid
    os.kill(old, signal.SIGKILL)
    assert wait_gone(old, 10)
    assert engine_daemon.sock.exists()  # a crash leaves the socket file: that is how a crash is told from a stop
    # an agent's own gt call (inside a session) does not start an engine: it falls back to its offline path
    run_cli("nudge", "mayor", "hello", env={"GT_SESSION": "s-1", "GT_TOWN": str(engine_daemon.root)})
    assert not _engine_answers(engine_daemon)
    # a read has an offline answer: it does not start one either
    assert run_cli("agents", "--json", env={"GT_TOWN": str(engine_daemon.root)}).returncode == 0
    assert not _engine_answers(engine_daemon)
    # the Overseer's next gt call that needs the engine starts it again
    result = run_cli("nudge", "mayor", "hello", env={"GT_TOWN": str(engine_daemon.root)})
    new = engine_daemon.restart_if_dead()
    assert new != old and alive(new)
    assert "not running" not in result.stderr, result.stderr


def _engine_answers(daemon: Daemon) -> bool:
    try:
        daemon.call(api.Ping())
    except EngineNotRunning:
        return False
    return True
