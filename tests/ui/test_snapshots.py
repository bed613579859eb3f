"""SVG snapshots of every main view and dialog, written to screenshots/ (fake engine: these are about the UI).

Deterministic by construction: fake engine with fixed data, fixed clock and UTC labels, no cursor blink, no
animations, fixed sizes. `test_snapshots_are_deterministic` renders the dashboard twice and compares the SVGs.
Look at them after a change (they are committed): `rsvg-convert screenshots/dashboard_120x36.svg -o /tmp/d.png`.
"""

from __future__ import annotations

import pytest
from collections.abc import Callable
from pathlib import Path

from textual.widgets import Input, OptionList, TextArea

from gastown_tui.ui.app import GastownApp
from tests.conftest import REPO_ROOT
from tests.ui.fake_engine import FakeEngine

SHOTS = REPO_ROOT / "screenshots"
AppFactory = Callable[..., GastownApp]


def shoot(app: GastownApp, name: str) -> str:
    """Write screenshots/<name>.svg and return the SVG; refuse anything host-, path- or clock-dependent."""
    svg = app.export_screenshot(title="Gas Town")
    for leak in ("/tmp", "/home", str(Path.home()), "/work/"):
        assert leak not in svg, f"{name}: SVG contains {leak!r}"
    SHOTS.mkdir(exist_ok=True)
    (SHOTS / f"{name}.svg").write_text(svg)
    return svg


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """Let queued messages, workers and refreshes finish."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def test_dashboard_120x36(make_app: AppFactory) -> None:
    """Convoy tree and agents left, 2×2 live terminals centre, bead graph right, counts in the header."""
    app = make_app(layout="2x2")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        svg = shoot(app, "dashboard_120x36")
    assert "demo-town" in svg and "nux" in svg


async def test_dashboard_80x24(make_app: AppFactory) -> None:
    """The same screen at 80×24: convoys and agents left, one terminal pane; tabs hidden until asked for."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        shoot(app, "dashboard_80x24")


async def test_zoomed_terminal_80x24(make_app: AppFactory) -> None:
    """Agent 3 (nux) zoomed to the full 80×24 screen."""
    app = make_app(layout="1")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3", "z")
        await settle(pilot)
        svg = shoot(app, "zoomed_terminal_80x24")
    assert "4 passed" in svg.replace("&#160;", " ")


async def test_split_2x2_200x60(make_app: AppFactory) -> None:
    """A 2×2 split at 200×60 with the third pane current (accent border)."""
    app = make_app(layout="2x2")
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        shoot(app, "split_2x2_200x60")


async def test_bead_graph_zoomed(make_app: AppFactory) -> None:
    """The bead graph of convoy hq-cv1 zoomed: done → in progress/ready → blocked, cursor on de-c3l."""
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.query_one("#dag").focus()
        await pilot.press("right", "z")
        await settle(pilot)
        svg = shoot(app, "bead_graph")
    assert "Implement CSS" in svg.replace("&#160;", " ")


async def test_mail(make_app: AppFactory) -> None:
    """The Overseer's inbox with unread dots and the second message open."""
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("M")
        app.query_one("#mail-options", OptionList).focus()
        await pilot.press("down", "enter")
        await settle(pilot)
        shoot(app, "mail")


ONE_KEY_VIEWS = [
    # (screenshot, size, key): views reached by one key from the dashboard
    ("mail_80x24", (80, 24), "M"),      # at 80×24 the tabs appear on demand beside one terminal pane
    ("merge_queue", (120, 36), "Q"),    # two MRs, one testing, one queued
    ("activity_feed", (120, 36), "a"),
    ("help", (120, 36), "f1"),          # every binding with its keys, what it does and its keymap id
]


@pytest.mark.parametrize(("name", "size", "key"), ONE_KEY_VIEWS, ids=[v[0] for v in ONE_KEY_VIEWS])
async def test_one_key_view(make_app: AppFactory, name: str, size: tuple[int, int], key: str) -> None:
    """A view one key away from the dashboard, at a fixed size."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press(key)
        await settle(pilot)
        shoot(app, name)


async def test_patrols(make_app: AppFactory) -> None:
    """Patrols: next run relative to the fixed clock, last result, one paused."""
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("t")
        app.query_one("#patrol-table").focus()
        await pilot.press("z")
        await settle(pilot)
        shoot(app, "patrols")


async def test_sling_dialog_with_inline_error(make_app: AppFactory, engine: FakeEngine) -> None:
    """Sling dialog refusing an unknown target inline (nothing was sent)."""
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        app.query_one("#convoys").focus()
        await pilot.press("down", "down", "s")
        await settle(pilot)
        target = app.screen.query_one("#field-target", Input)
        target.value = "nobody"
        await pilot.press("enter")
        await settle(pilot)
        shoot(app, "sling_dialog")
    assert engine.command_calls() == []


async def test_sling_dialog_80x24(make_app: AppFactory) -> None:
    """The sling dialog fits 80×24."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one("#convoys").focus()
        await pilot.press("down", "down", "s")
        await settle(pilot)
        shoot(app, "sling_dialog_80x24")


async def test_nudge_dialog(make_app: AppFactory) -> None:
    """Nudge dialog refusing an empty message."""
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("4", "n")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        shoot(app, "nudge_dialog")


async def test_command_palette(make_app: AppFactory) -> None:
    """Ctrl+P lists every action with its key; typing filters (here: 'patrol')."""
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"patrol")
        await pilot.pause(0.5)
        await settle(pilot)
        shoot(app, "command_palette")


async def test_compose_dialog(make_app: AppFactory) -> None:
    """Compose mail to the mayor, with a multi-line body."""
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        app.screen.query_one("#field-to", Input).value = "mayor"
        app.screen.query_one("#field-subject", Input).value = "Convoy status"
        app.screen.query_one("#field-body", TextArea).text = "How close is hq-cv1?\nAnything blocked?"
        await settle(pilot)
        shoot(app, "compose_dialog")


async def test_error_toast(make_app: AppFactory, engine: FakeEngine) -> None:
    """An engine refusal shown as an error toast; the app stays up."""
    engine.fail["sling"] = "demo/polecats/nux already has de-c3l on its hook"
    app = make_app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        app.query_one("#convoys").focus()
        await pilot.press("down", "down", "down", "s")
        await settle(pilot)
        app.screen.query_one("#field-target", Input).value = "demo/polecats/nux"
        await pilot.press("enter")
        await settle(pilot)
        shoot(app, "error_toast")


async def test_quit_confirm(make_app: AppFactory) -> None:
    """Quitting with live agents asks first."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("q")
        await settle(pilot)
        shoot(app, "quit_confirm_80x24")


async def test_snapshots_are_deterministic(make_app: AppFactory) -> None:
    """Two independent renders of the dashboard produce byte-identical SVG."""
    svgs = []
    for _ in range(2):
        app = make_app(layout="2x2")
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            svgs.append(app.export_screenshot(title="Gas Town"))
    assert svgs[0] == svgs[1]
