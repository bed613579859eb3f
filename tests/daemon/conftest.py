"""A real town with its engine running as a background daemon (the way `gastown` starts it); always stopped.

`engine_daemon` builds the demo town (real git, scripted agents), starts its engine with `ensure_engine`, and at
teardown stops it with StopEngine, then SIGKILLs the engine and any agent pid it reported if they outlive that.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pytest

from gastown_tui.demo import DemoTown, build_demo_town
from gastown_tui.engine import api
from gastown_tui.engine.api.daemon import ensure_engine, socket_path

R = TypeVar("R", bound=api.Result)


def alive(pid: int) -> bool:
    """Is the process there (and not a zombie)?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except OSError:
        return False


def wait_gone(pid: int, timeout: float) -> bool:
    """Wait for a pid to exit; True if it did."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return not alive(pid)


@dataclass
class Daemon:
    """A running engine for a demo town, and every pid to reap at the end."""

    demo: DemoTown
    pid: int
    pids: set[int] = field(default_factory=set)

    @property
    def root(self) -> Path:
        return self.demo.paths.root

    @property
    def sock(self) -> Path:
        return socket_path(self.root)

    def call(self, command: api.Command[R]) -> R:
        """One blocking call to the engine."""
        return api.call_sync(self.sock, command)

    def agent_pids(self) -> dict[str, int]:
        """Live agents' pids by address (also remembered for the final cleanup)."""
        rows = self.call(api.GetStatus()).agents
        pids = {row.address: row.pid for row in rows if row.pid}
        self.pids.update(pids.values())
        return pids  # type: ignore[return-value]

    def restart_if_dead(self) -> int:
        """The engine pid after making sure one runs (tests that kill it)."""
        info, _ = ensure_engine(self.root)
        self.pid = info.pid
        self.pids.add(info.pid)
        return info.pid

    def stop(self) -> None:
        """StopEngine, then SIGKILL whatever is left (engine and agents)."""
        with contextlib.suppress(Exception):
            self.agent_pids()
        with contextlib.suppress(api.EngineNotRunning, api.EngineBusy, Exception):
            self.call(api.StopEngine())
        wait_gone(self.pid, 20)
        for pid in sorted(self.pids | {self.pid}):
            if alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


@pytest.fixture
def engine_daemon(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Daemon]:
    """The demo town with a background engine (patrols on: the refinery merges)."""
    demo = build_demo_town(tmp_path / "demo")
    monkeypatch.setenv("GT_TOWN", str(demo.paths.root))
    info, started = ensure_engine(demo.paths.root)
    assert started
    daemon = Daemon(demo, info.pid, {info.pid})
    try:
        yield daemon
    finally:
        daemon.stop()
