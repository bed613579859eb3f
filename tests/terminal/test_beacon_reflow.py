"""Issue 15: the beacon showed as "verseer • ..." in a pane, its first characters gone.

Why: an agent prints its beacon as soon as it starts, at whatever width its PTY has then; the TUI lays the pane out
afterwards and resizes it (a second agent appearing halves the pane's width). The old pyte-based core cut every
row to the new width on a shrink and never re-joined soft-wrapped rows: "prompt received: [GAS TOWN] polecat nux
(rig: greeter) <- o" lost its tail while the continuation row "verseer • 2026-..." stayed, so the line read as
clipped at the front (reproduced at commit 098862d: written at 59 columns, shown at 54). The libghostty-vt core
reflows soft-wrapped lines on every resize, on screen and in scrollback; these tests keep it that way with the
real beacon text, through the screen alone and through a real PTY whose child printed it.
"""

from __future__ import annotations

import asyncio
import sys
import time

import pytest

from gastown_tui.agents.spawn import beacon
from gastown_tui.records import parse_address
from gastown_tui.terminal import PtySession, TerminalScreen

pytestmark = pytest.mark.timeout(30)
ADDRESS = "greeter/polecats/nux"
NOW = 1796537580.0  # a fixed time, so the beacon (and where it wraps) is the same on every run


def _beacon_line() -> str:
    """The beacon's first line as the scripted agent echoes it ("prompt received: ...")."""
    text = beacon(parse_address(ADDRESS), sender="overseer", topic="assigned", bead_id="gr-0wk", now=NOW)
    return "prompt received: " + text.splitlines()[0]


def _wrap_at(line: str, marker: str) -> int:
    """The width at which `line` soft-wraps with `marker` starting the continuation row (the issue's case)."""
    return line.index(marker)


def _assert_whole(rows: list[str], line: str, where: str) -> None:
    """The beacon reads whole: no row starts mid-word at "verseer", and the rows carry every character of it."""
    stripped = [row.rstrip() for row in rows]
    assert not any(row.startswith("verseer") for row in stripped), f"clipped beacon in {where}: {stripped}"
    start = next(i for i, row in enumerate(stripped) if row.startswith("prompt received:"))
    text = ""
    for row in stripped[start:]:
        text += row
        if len(text) >= len(line):
            break
    assert line.replace(" ", "") in text.replace(" ", ""), f"{where} lost part of the beacon: {stripped}"


@pytest.mark.parametrize("before,after", [("wrap", -5), ("wrap", +51), (100, 54)],
                         ids=["narrower-after-wrap", "wider-after-wrap", "wide-then-half"])
def test_beacon_survives_a_resize_after_it_printed(before: object, after: int) -> None:
    """Printed at one width, resized (as the layout does), the beacon is whole on screen and in scrollback."""
    line = _beacon_line()
    cols = _wrap_at(line, "verseer") if before == "wrap" else int(str(before))
    new_cols = cols + after if before == "wrap" else after
    screen = TerminalScreen(cols, 12)
    screen.feed(b"scripted agent greeter/polecats/nux (polecat)\r\n" + line.encode() + b"\r\nWork is on your hook\r\n")
    if before == "wrap":
        assert any(row.startswith("verseer") for row in screen.display), "the setup must wrap where the issue did"
    screen.resize(new_cols, 12)
    _assert_whole(screen.display, line, f"the screen after {cols}->{new_cols} columns")
    screen.feed(b"".join(b"scripted: step %d\r\n" % i for i in range(20)))  # the beacon scrolls into history
    history = [screen.history_text(i) for i in range(screen.scrollback_lines)]
    _assert_whole(history, line, "the scrollback")


async def test_beacon_printed_by_a_child_survives_the_pane_halving() -> None:
    """A real child prints the beacon in a PTY; the PTY is then halved (a second agent took half the width)."""
    line = _beacon_line()
    cols = _wrap_at(line, "verseer")
    session = PtySession([sys.executable, "-c", f"print({line!r}); import time; time.sleep(20)"], cols=cols,
                         rows=10)
    await session.start()
    try:
        deadline = time.monotonic() + 10
        while not any("verseer" in row for row in session.screen.display):
            assert time.monotonic() < deadline, f"the child's beacon never showed: {session.screen.display}"
            await asyncio.sleep(0.05)
        session.resize(cols // 2, 10)
        await asyncio.sleep(0.1)
        _assert_whole(session.screen.display, line, f"the pane after {cols}->{cols // 2} columns")
    finally:
        await session.stop()
