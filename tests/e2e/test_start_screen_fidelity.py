"""Fidelity: Claude Code's start screen in our PtySession + TerminalScreen versus tmux at the same size."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from conftest import Diagnostics
from panes import IDLE_PATTERNS, PtySession, TmuxPane, screen_text, type_line, wait_screen
from policy import bash, scripted
from stub_api import StubApi

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(90)]

COLS, ROWS = 100, 30

# Rows allowed to differ, each with the reason. Claude Code prints hints that depend on the host terminal
# (tmux without focus events gets a tip), and right-aligned status items appear asynchronously.
ACCEPTED = (
    (re.compile(r"tmux focus-events off"), "hint shown only inside tmux (focus reporting is off there)"),
    (re.compile(r"/effort\s*$"), "effort indicator drawn asynchronously after the first frame"),
    (re.compile(r"^✻ \w+ for \d+s$"), "turn summary verb is chosen at random (Brewed, Churned, Worked, ...)"),
)


def _accepted(ours: str, theirs: str) -> str | None:
    """The reason a row may differ, if any."""
    for pattern, reason in ACCEPTED:
        if pattern.search(ours) or pattern.search(theirs):
            return reason
    return None


def compare(mine: list[str], reference: list[str]) -> tuple[list[str], list[str]]:
    """(unexplained differences, accepted differences), one entry per differing row."""
    differences, accepted = [], []
    for y, (a, b) in enumerate(zip(mine, reference)):
        if a == b:
            continue
        reason = _accepted(a, b)
        (accepted if reason else differences).append(f"row {y}: {reason or 'unexplained'}\n  ours: {a!r}\n"
                                                     f"  tmux: {b!r}")
    return differences, accepted


async def test_start_screen_matches_tmux_row_by_row(claude_bin: Path, claude_env: dict[str, str], stub: StubApi,
                                                    tmp_path: Path, diagnostics: Diagnostics) -> None:
    """The idle start screen, then the screen after a scripted tool call, equal tmux's row by row (bar the list)."""
    stub.policy = scripted([bash("printf 'alpha\\nbeta\\n'", "Print two lines")], "Printed two lines.")
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
        differences, accepted = compare(mine, reference)
        print("start screen, accepted differences:", *accepted or ["none"], sep="\n")
        assert not differences, "start screens differ:\n" + "\n".join(differences)
        # The comparison must have covered real content, not two blank screens.
        assert any("Claude Code v2.1.197" in row for row in mine)

        # Same prompt in both; compare once both show the finished turn and are idle again.
        await type_line(ours, "print two lines")
        theirs.send_line("print two lines")
        done = (r"● Printed two lines\.", r"⎿\s+alpha", *IDLE_PATTERNS)
        await wait_screen(ours, *done, timeout=30)
        await theirs.wait(*done, timeout=30)
        await asyncio.sleep(1.0)
        differences, accepted = compare(screen_text(ours).split("\n"), theirs.capture().split("\n"))
        print("after a turn, accepted differences:", *accepted or ["none"], sep="\n")
        assert not differences, "screens after a turn differ:\n" + "\n".join(differences)
    finally:
        theirs.kill()
        await ours.stop()
