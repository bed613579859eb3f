"""Fidelity: Claude Code's start screen in our PtySession + TerminalScreen versus tmux at the same size."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from conftest import Diagnostics
from panes import IDLE_PATTERNS, PtySession, TmuxPane, screen_text, wait_screen

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(90)]

COLS, ROWS = 100, 30

# Rows allowed to differ, each with the reason. Claude Code prints hints that depend on the host terminal
# (tmux without focus events gets a tip), and right-aligned status items appear asynchronously.
ACCEPTED = (
    (re.compile(r"tmux focus-events off"), "hint shown only inside tmux (focus reporting is off there)"),
    (re.compile(r"/effort\s*$"), "effort indicator drawn asynchronously after the first frame"),
)


def _accepted(ours: str, theirs: str) -> str | None:
    """The reason a row may differ, if any."""
    for pattern, reason in ACCEPTED:
        if pattern.search(ours) or pattern.search(theirs):
            return reason
    return None


async def test_start_screen_matches_tmux_row_by_row(claude_bin: Path, claude_env: dict[str, str],
                                                    tmp_path: Path, diagnostics: Diagnostics) -> None:
    """Every visible row of the idle start screen equals tmux's, apart from listed, explained differences."""
    cwd = tmp_path / "project"
    cwd.mkdir()
    argv = [str(claude_bin), "--dangerously-skip-permissions"]
    ours = PtySession(argv, cwd=cwd, env=claude_env, cols=COLS, rows=ROWS)
    theirs = TmuxPane(argv, cwd=cwd, env=claude_env, cols=COLS, rows=ROWS)
    diagnostics.add_screen("PtySession", lambda: screen_text(ours))
    diagnostics.add_screen("tmux", theirs.capture)
    await ours.start()
    theirs.start()
    try:
        await wait_screen(ours, *IDLE_PATTERNS, timeout=30)
        await theirs.wait(*IDLE_PATTERNS, timeout=30)
        await asyncio.sleep(2.0)  # let late status items (effort, tips) settle on both
        mine, reference = screen_text(ours).split("\n"), theirs.capture().split("\n")
        assert len(mine) == len(reference) == ROWS
        differences, accepted = [], []
        for y, (a, b) in enumerate(zip(mine, reference)):
            if a == b:
                continue
            reason = _accepted(a, b)
            (accepted if reason else differences).append(f"row {y}: {reason or 'unexplained'}\n  ours: {a!r}\n"
                                                         f"  tmux: {b!r}")
        print("accepted differences:", *accepted or ["none"], sep="\n")
        assert not differences, "screens differ:\n" + "\n".join(differences)
        # The comparison must have covered real content, not two blank screens.
        assert any("Claude Code v2.1.197" in row for row in mine)
    finally:
        theirs.kill()
        await ours.stop()
