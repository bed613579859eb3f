"""Smoke test: the real `gastown demo` (real town, git, PTYs, scripted agents, engine) driven in tmux.

At 80×24 with 16 colours and 200×60 with 256, keyboard only:
sling (refused target, then a rig), zoom and unzoom, nudge (refused empty message, then
sent), and quit (cancelled once, then Stop all). Checks are on the captured screen text (`capture-pane -p`).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.daemon.tmux import Tmux

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")]


def stop_engine(town: Path) -> None:
    """Stop the town's engine if the test left one running (it must never outlive the test)."""
    from gastown_tui.engine import api

    sock = town / ".gastown" / "engine.sock"
    if sock.exists():
        try:
            api.call_sync(sock, api.StopEngine(), timeout=10)
        except Exception:  # noqa: BLE001 - best effort; the pid fallback below
            pass
        time.sleep(2)


def crowd_row(screen: str) -> str:
    """The convoy-tree row of the 'Greet a crowd' bead (left column), or ''."""
    return next((line[:24] for line in screen.splitlines() if "Greet a cr" in line[:40]), "")


@pytest.mark.parametrize("size,term", [((80, 24), "xterm"), ((200, 60), "xterm-256color")],
                         ids=["80x24-16colours", "200x60-256colours"])
def test_demo_in_tmux(size: tuple[int, int], term: str, tmp_path: Path) -> None:
    width, height = size
    # TERM=xterm without COLORTERM: Rich/Textual fall back to the 16 standard colours
    env = dict(os.environ, GASTOWN_TUI_CONFIG=str(tmp_path / "none.toml"), TERM=term, TEXTUAL_ANIMATIONS="none")
    for key in ("GT_TOWN", "COLORTERM"):
        env.pop(key, None)
    marker = tmp_path / "exit_code"
    gastown = f"{sys.executable} -c 'from gastown_tui.cli.main import gastown_main; gastown_main()'"
    command = (f"cd {REPO_ROOT} && TERM={term} {gastown} demo --dir {tmp_path / 'demo'}; echo $? > {marker}; "
               "sleep 60")
    tmux = Tmux(width, height, command, env)
    try:
        # the demo slings two beads at start: two polecats show up working
        tmux.wait_for(lambda s: "Gas Town" in s and "Friendlier g" in s, "the dashboard", 120)
        tmux.wait_for(lambda s: "nux" in s and "slit" in s, "two polecats", 180)
        if term == "xterm":  # 16 colours only: no 256-colour or true-colour SGR anywhere on screen
            assert not re.search(r"\[[0-9;]*[34]8;[25];", tmux.screen_with_escapes())

        # sling: move to the last tracked bead (Greet a crowd), refuse an unknown target, then sling to the rig
        tmux.keys("Down", "Down", "Down", "Down")
        tmux.keys("s")
        tmux.wait_for(lambda s: "Sling a bead" in s, "the sling dialog", 30)
        tmux.type("nobody")
        tmux.keys("Enter")
        tmux.wait_for(lambda s: "Unknown target 'nobody'" in s, "the inline refusal", 30)
        tmux.keys("C-u")
        tmux.wait_for(lambda s: "▊  nobody" not in s, "the target field to clear", 30)
        tmux.type("greeter")
        tmux.wait_for(lambda s: "▊  greeter " in s, "the typed target", 30)
        tmux.keys("Enter")
        tmux.wait_for(lambda s: "Sling a bead" not in s, "the dialog to close", 30)
        # the success toast names the target; the bead's row leaves the ready state (○) in the convoy tree
        tmux.wait_for(lambda s: "→ greeter" in s or "already" in s, "the sling result", 60)
        tmux.wait_for(lambda s: crowd_row(s) and "○" not in crowd_row(s), "the slung bead to start", 180)

        # zoom the current pane to the full screen and back
        tmux.keys("z")
        zoomed = tmux.wait_for(lambda s: "Friendlier g" not in s, "the zoomed pane", 30)
        states = ("working", "idle", "waiting", "stuck", "dead", "starting", "off")
        assert any(word in zoomed.splitlines()[0] for word in states), zoomed  # the pane title leads the screen
        tmux.keys("z")
        tmux.wait_for(lambda s: "Friendlier g" in s, "the dashboard again", 30)

        # nudge: refused while empty, then sent to the selected agent
        tmux.keys("n")
        tmux.wait_for(lambda s: "Nudge an agent" in s, "the nudge dialog", 30)
        tmux.keys("Enter")
        tmux.wait_for(lambda s: "Message is empty" in s, "the empty-message refusal", 30)
        tmux.type("please check your mail")
        tmux.wait_for(lambda s: "please check your mail" in s, "the typed message", 30)
        tmux.keys("Enter")
        tmux.wait_for(lambda s: "Nudge an agent" not in s, "the nudge dialog to close", 30)

        # quit: cancel once, then "Stop all" (the demo town is kept with --dir, so detaching would leave its
        # engine running); the app exits cleanly and the engine is gone
        tmux.keys("q")
        tmux.wait_for(lambda s: "Detach (d)" in s, "the quit question", 30)
        tmux.keys("c")
        tmux.wait_for(lambda s: "Detach (d)" not in s, "the question to close", 30)
        tmux.keys("q")
        tmux.wait_for(lambda s: "Detach (d)" in s, "the quit question again", 30)
        tmux.keys("s")
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert marker.exists(), tmux.screen()
        assert marker.read_text().strip() == "0"
        assert not (tmp_path / "demo" / "town" / ".gastown" / "engine.sock").exists(), "Stop all left the engine"
    finally:
        tmux.kill()
        stop_engine(tmp_path / "demo" / "town")
