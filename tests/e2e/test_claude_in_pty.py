"""Interactive Claude Code inside our PtySession + TerminalScreen: idle screen, a typed prompt, a tool call."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import Diagnostics
from panes import IDLE_PATTERNS, PtySession, screen_text, type_line, wait_screen
from policy import bash, read_conversation, scripted
from stub_api import StubApi

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(90)]


async def test_interactive_claude_reaches_idle_and_runs_a_scripted_bash_call(
        claude_bin: Path, claude_env: dict[str, str], stub: StubApi, tmp_path: Path,
        diagnostics: Diagnostics) -> None:
    """The idle screen renders in our emulator, and a typed prompt leads to the stub's Bash call on screen."""
    stub.policy = scripted([bash("echo e2e-marker-$((6*7))", "Print a marker")], "The marker was printed.")
    session = PtySession([str(claude_bin), "--dangerously-skip-permissions"], cwd=tmp_path, env=claude_env,
                         cols=100, rows=30, transcript=tmp_path / "claude.transcript")
    diagnostics.add_screen("claude", lambda: screen_text(session))
    await session.start()
    try:
        await wait_screen(session, *IDLE_PATTERNS, timeout=30)
        await type_line(session, "please print the marker")
        text = await wait_screen(session, r"● Bash\(echo e2e-marker-\$\(\(6\*7\)\)\)", r"⎿\s+e2e-marker-42",
                                 r"● The marker was printed\.", timeout=30)
        await wait_screen(session, *IDLE_PATTERNS, timeout=10)
        assert re.search(r"^❯ please print the marker", text, re.M)
        turns = stub.main_turns()
        assert read_conversation(turns[0]).prompts[-1] == "please print the marker"
        last = read_conversation(turns[-1])
        assert [c.command for c in last.calls] == ["echo e2e-marker-$((6*7))"]
        assert last.calls[0].result is not None and "e2e-marker-42" in last.calls[0].result
    finally:
        await session.stop()
