"""Bridge translation and coalescing, keymap remapping from config, and the command palette (fake engine: UI only)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from gastown_tui.engine.api import (
    AgentStateChanged, EngineLost, FeedEvent, MailArrived, NudgeQueued, SessionExited, SessionOutput,
)
from gastown_tui.ui.app import GastownApp
from gastown_tui.ui.bindings import APP_BINDINGS, load_keymap, read_keymap
from gastown_tui.ui.bridge import translate
from gastown_tui.ui.messages import (
    AgentOutput, EngineGone, FeedAppended, MailNotice, Notice, SessionEnded, TownChanged,
)
from gastown_tui.ui.screens.form import FormDialog
from tests.ui.fake_engine import FakeEngine

AppFactory = Callable[..., GastownApp]


def test_every_binding_has_id_tooltip_and_unique_id() -> None:
    ids = [b.id for b in APP_BINDINGS]
    assert all(ids) and len(ids) == len(set(ids))
    assert all(b.tooltip for b in APP_BINDINGS)


def test_translate_maps_domain_events() -> None:
    assert translate(SessionOutput("demo/polecats/nux")) == [AgentOutput("demo/polecats/nux")]
    feed = translate(FeedEvent("mol.step_done", 0.0, "greeter/polecats/nux", {"step": "test"}), lambda ts: "T")
    assert isinstance(feed[0], FeedAppended) and feed[0].entries[0].text == "step=test"
    assert feed[0].entries[0].when == "T" and feed[0].entries[0].actor == "greeter/nux"
    assert isinstance(feed[1], TownChanged)
    mail = translate(MailArrived("overseer", "hq-m1", "mayor", "hi"))
    assert isinstance(mail[0], MailNotice) and mail[0].sender == "mayor" and mail[0].subject == "hi"
    assert [type(m) for m in translate(MailArrived("demo/polecats/nux", "hq-m2", "mayor", "hi"))] == [TownChanged]
    assert [type(m) for m in translate(AgentStateChanged("x", "working", "idle"))] == [TownChanged]
    ended = translate(SessionExited("demo/polecats/nux", "s1", 137))[0]
    assert isinstance(ended, SessionEnded) and ended.status == "with status 137"  # the field is exit_status
    gone = translate(EngineLost("the engine closed the connection"))
    assert [type(m) for m in gone] == [EngineGone] and gone[0].reason == "the engine closed the connection"


def test_nudge_events_become_notices() -> None:
    notice = translate(NudgeQueued("greeter/polecats/nux", "hq-1", "agent is working (hook)"))[0]
    assert isinstance(notice, Notice) and notice.text == "greeter/polecats/nux: agent is working (hook)"


def test_output_messages_coalesce_per_agent() -> None:
    a1, a2, b = AgentOutput("a"), AgentOutput("a"), AgentOutput("b")
    assert a2.can_replace(a1) and not b.can_replace(a1)
    assert TownChanged().can_replace(TownChanged())


async def test_event_storm_is_coalesced(make_app: AppFactory, engine: FakeEngine) -> None:
    """500 state events and 500 output events in one burst cost a handful of snapshot reads, not 500."""
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        before = app.snapshots_taken
        for _ in range(500):
            engine.emit(AgentStateChanged("demo/polecats/nux", "working", "idle"))
            engine.emit(SessionOutput("demo/polecats/nux"))
        await pilot.pause()
        await pilot.pause()
        assert app.bridge.posted <= 4
        assert 1 <= app.snapshots_taken - before <= 5


async def test_feed_and_mail_events_reach_widgets(make_app: AppFactory, engine: FakeEngine) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        feed = app.query_one("#activity")
        before = feed.entries_added
        engine.emit(FeedEvent("sling", 1_700_000_000.0, "overseer", {"text": "de-d4m → demo"}))
        engine.emit(MailArrived("overseer", "hq-m9", "witness", "nux finished"))
        await pilot.pause()
        assert feed.entries_added == before + 1
        assert any(n.title == "Mail from witness" for n in app._notifications)


def test_load_keymap_reads_user_config(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[keymap]\nsling = "ctrl+l"\nbogus = "x"\n')
    assert load_keymap(path) == {"sling": "ctrl+l"}
    assert read_keymap(path)[1] == [f"{path}: unknown binding id 'bogus'"]
    path.write_text("not = [toml")
    assert load_keymap(path) == {} and read_keymap(path)[1]
    assert read_keymap(tmp_path / "missing.toml") == ({}, [])


async def test_keymap_remaps_by_id(make_app: AppFactory, engine: FakeEngine, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[keymap]\nsling = "ctrl+l"\n')
    monkeypatch.setenv("GASTOWN_TUI_CONFIG", str(config))
    app = make_app(keymap=None)  # None: read the user config
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        assert not isinstance(app.screen, FormDialog)
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog) and app.screen.id == "sling-dialog"


async def test_palette_runs_actions(make_app: AppFactory, engine: FakeEngine) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"nudge")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog) and app.screen.id == "nudge-dialog"


async def test_palette_jumps_to_agent(make_app: AppFactory, engine: FakeEngine) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"furiosa")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.selected_agent == "demo/polecats/furiosa"
