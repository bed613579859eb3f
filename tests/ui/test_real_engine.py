"""The app on a real engine (demo town, real PTYs, scripted agents), in-process with Pilot: no fake here."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from gastown_tui.demo import build_demo_town
from gastown_tui.engine import Engine
from gastown_tui.ui.app import GastownApp
from gastown_tui.ui.engine_port import EnginePort
from gastown_tui.ui.panels.terminals import PaneTerminal, TerminalDeck

pytestmark = pytest.mark.slow


async def until(check: Callable[[], object], what: str, timeout: float = 120.0) -> None:
    """Let the app and engine run until `check()` is truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


async def test_sling_from_the_ui_starts_a_live_agent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    demo = build_demo_town(tmp_path / "demo")
    monkeypatch.setenv("GT_TOWN", str(demo.paths.root))
    port = EnginePort(Engine(demo.paths))
    app = GastownApp(port, keymap={}, blink=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await until(lambda: port.engine.running, "the engine")
        tree = app.query_one("#convoys")
        tree.focus()
        await pilot.press("down")  # the first tracked bead
        await pilot.pause()
        bead = app.selected_bead
        assert bead == demo.beads["farewell"]
        await pilot.press("s")
        await pilot.pause()
        await pilot.press(*"greeter", "enter")
        await until(lambda: any(a.address == "greeter/polecats/nux" for a in app.snapshot.agents), "the polecat")
        deck = app.query_one(TerminalDeck)
        await until(lambda: deck.slots[0] == "greeter/polecats/nux" and isinstance(deck.panes[0].body, PaneTerminal),
                    "the polecat's pane")
        screen = port.screen("greeter/polecats/nux")
        await until(lambda: any("scripted" in line for line in screen.display), "the agent's output")
        await until(lambda: port.ledger.get(bead).status != "hooked", "the work to move on", 180)
        assert port.live_sessions() >= 1
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert not port.engine.running
