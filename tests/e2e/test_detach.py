"""The SSH drop with real Claude Code: the TUI's tmux dies while the polecat is mid-tool-call (`sleep 8`).

The engine owns the PTY, so the call finishes normally (no `Exit code 137`, no interrupt), the session is never
restarted or resumed, the polecat reaches `gt done`, and a new `gastown` shows its live screen again.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable

import pytest

from policy import GasTownPolicy, read_conversation
from steps import create_bead, pid_alive, sling, turns_from, wait_for_done
from stub_api import StubApi
from tasks import CALC_TASKS, FIX_TITLE
from tests.daemon.tmux import GASTOWN, Tmux
from town import Town

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240),
              pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")]


def test_ssh_drop_mid_tool_call_leaves_claude_working(make_town: Callable[..., Town], stub: StubApi) -> None:
    stub.policy = GasTownPolicy(tasks=CALC_TASKS, slow_command="sleep 8")
    town = make_town()
    town.start_engine()
    fix = create_bead(town, FIX_TITLE, "Make add() return a + b.")
    agent = sling(town, fix)
    env = dict(town.env, TERM="xterm-256color", TEXTUAL_ANIMATIONS="none", GT_TOWN=str(town.root),
               GASTOWN_TUI_CONFIG=str(town.root / "no-tui-config.toml"))
    tui = Tmux(200, 50, f"exec {GASTOWN} --town {town.root} tui --layout 1", env)
    try:
        town.wait(lambda: "sleep 8" in stub.sent_commands(), "the polecat to start `sleep 8`", 60)
        time.sleep(1.0)  # the CLI is running the command now
        pid = next(row["pid"] for row in town.request("status") if row["address"] == agent)
        tui.wait_for(lambda s: "calc" in s or agent.rsplit("/", 1)[-1] in s, "the TUI showing the town", 30)
        tui_pid = tui.pane_pid()
        tui.kill()  # the SSH drop, mid-tool-call
        town.wait(lambda: not pid_alive(tui_pid), "the TUI to go with its terminal", 10)
        assert pid_alive(pid), "Claude Code died with the TUI"

        wait_for_done(town, fix, timeout=120)
        assert pid_alive(pid), "the polecat's Claude Code was replaced"
        conv = read_conversation(turns_from(stub, fix)[-1])
        sleep = next(c for c in conv.calls if c.command == "sleep 8")
        assert sleep.result is not None, "the tool call never returned"
        assert "137" not in sleep.result and "interrupt" not in sleep.result.lower(), sleep.result
        starts = [e for e in town.events() if e.get("kind") == "session.start" and e.get("address") == agent]
        assert len(starts) == 1 and not starts[0].get("resumed"), starts  # nothing restarted or resumed

        # a new gastown shows the polecat's live screen again
        started = time.monotonic()
        tui = Tmux(200, 50, f"exec {GASTOWN} --town {town.root} tui --layout 1", env)
        last = [line.strip() for line in town.peek(agent).splitlines() if line.strip()][-1][:30]
        tui.wait_for(lambda s: last in s, "the polecat's screen in a new TUI", 15)
        print(f"reattach with Claude Code: {time.monotonic() - started:.2f}s")
    finally:
        tui.kill()
