"""Attaching in tmux: two TUIs on one engine, a TUI on a foreground `gastown engine run`, and an engine killed
under an attached TUI (the TUI says so; restarting resumes the agents)."""

from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from gastown_tui.agents.registry import ensure_agent
from gastown_tui.engine import api
from gastown_tui.ledger import Ledger
from gastown_tui.records import parse_address
from tests.daemon.conftest import Daemon, alive, wait_gone
from tests.daemon.test_detach_drill import open_tui, start_three
from tests.daemon.tmux import GASTOWN, Tmux

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")]
MAYOR = "mayor/"


def shell_mayor(daemon: Daemon) -> int:
    """The Mayor as a plain shell in the engine (something to type into); returns its pid."""
    daemon.demo.paths.mayor_dir.mkdir(exist_ok=True)
    ledger = Ledger.open(daemon.demo.paths)
    try:
        ensure_agent(ledger, parse_address(MAYOR), runtime="shell")
    finally:
        ledger.shutdown()
    info = daemon.call(api.StartAgent(MAYOR))
    assert info.pid
    daemon.pids.add(info.pid)
    return info.pid


def test_two_tuis_are_both_live(engine_daemon: Daemon, tmp_path: Path) -> None:
    shell_mayor(engine_daemon)
    one = open_tui(engine_daemon, tmp_path)
    two = open_tui(engine_daemon, tmp_path)
    try:
        for tui in (one, two):
            tui.wait_for(lambda s: "mayor" in s and "$" in s, "the Mayor's live shell", 60)
        one.keys("i")  # type into the current pane (the Mayor's)
        one.type("echo FROM-ONE-$((6*7))")
        one.keys("Enter")
        two.wait_for(lambda s: "FROM-ONE-42" in s, "what one typed, in the other TUI", 10)
        two.keys("i")
        two.type("echo FROM-TWO-$((7*8))")
        two.keys("Enter")
        one.wait_for(lambda s: "FROM-TWO-56" in s, "what two typed, in the first TUI", 10)
    finally:
        one.kill()
        two.kill()


def test_tui_on_a_foreground_engine_detaches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gastown_tui.demo import build_demo_town
    from gastown_tui.engine.api.daemon import ping

    demo = build_demo_town(tmp_path / "demo")
    monkeypatch.setenv("GT_TOWN", str(demo.paths.root))
    env = dict(os.environ, GASTOWN_TUI_CONFIG=str(tmp_path / "none.toml"), TERM="xterm-256color",
               TEXTUAL_ANIMATIONS="none", GT_TOWN=str(demo.paths.root))
    engine_tmux = Tmux(120, 30, f"exec {GASTOWN} --town {demo.paths.root} engine run", env)
    daemon = Daemon(demo, 0)
    tui: Tmux | None = None
    try:
        engine_tmux.wait_for(lambda s: "engine running (foreground" in s, "the foreground engine", 60)
        info = ping(demo.paths.root)
        assert info is not None
        daemon.pid = info.pid
        mayor = shell_mayor(daemon)
        tui = open_tui(daemon, tmp_path)
        tui.wait_for(lambda s: "mayor" in s and "$" in s, "the Mayor's shell in the TUI", 60)
        tui_pid = tui.pane_pid()
        tui.keys("q")
        tui.wait_for(lambda s: "Detach (d)" in s, "the quit question", 30)
        tui.keys("d")
        assert wait_gone(tui_pid, 10), "Detach did not quit the TUI"
        assert alive(mayor) and alive(daemon.pid), "Detach stopped the agent or the engine"
        assert ping(demo.paths.root) is not None
        # the foreground engine stops on Ctrl+C, with its agents
        engine_tmux.keys("C-c")
        assert wait_gone(daemon.pid, 30) and wait_gone(mayor, 10)
    finally:
        if tui is not None:
            tui.kill()
        engine_tmux.kill()
        daemon.stop()


def test_engine_killed_under_a_tui(engine_daemon: Daemon, tmp_path: Path) -> None:
    pids = start_three(engine_daemon)
    tui = open_tui(engine_daemon, tmp_path)
    try:
        tui.wait_for(lambda s: "tick-" in s, "live agents", 60)
        old_pid = engine_daemon.pid
        os.kill(old_pid, signal.SIGKILL)
        screen = tui.wait_for(lambda s: "The engine stopped" in s, "the TUI to say the engine died", 10)
        assert "Restart the engine (r)" in screen
        tui.keys("r")
        tui.wait_for(lambda s: "Engine restarted" in s, "the restart", 60)
        new_pid = engine_daemon.restart_if_dead()
        assert new_pid != old_pid and alive(new_pid) and not alive(old_pid)
        # recovery resumed the agents that held work: new sessions, live in the same TUI
        deadline = time.monotonic() + 60
        resumed: dict[str, int] = {}
        while time.monotonic() < deadline and len(resumed) < 3:
            resumed = {a: p for a, p in engine_daemon.agent_pids().items() if a in pids}
            time.sleep(0.3)
        assert set(resumed) == set(pids) and all(resumed[a] != pids[a] for a in pids)
        tui.wait_for(lambda s: sum(1 for a in pids if a.rsplit("/", 1)[-1] in s) == 3, "the resumed agents", 30)
    finally:
        tui.kill()
