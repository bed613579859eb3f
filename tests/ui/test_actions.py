"""Pilot tests for every app action, on the fake engine (fake engine: these tests are about the UI).

Dialogs must refuse bad input inline and send nothing: each refusal asserts the engine received no call.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import Input, Label, OptionList, TabbedContent, TextArea

from gastown_tui.ui.app import GastownApp
from gastown_tui.ui.panels.terminals import TerminalDeck, TerminalPane
from gastown_tui.ui.detach import ChoiceDialog
from gastown_tui.ui.screens.dialogs import ConfirmDialog
from gastown_tui.ui.screens.form import FormDialog
from gastown_tui.ui.screens.help import HelpScreen
from tests.ui.fake_engine import FakeEngine

AppFactory = Callable[..., GastownApp]
SIZE = (120, 36)


def error_text(app: GastownApp) -> str:
    return str(app.screen.query_one("#form-error", Label).render())


async def type_into(pilot, selector: str, text: str) -> None:  # type: ignore[no-untyped-def]
    widget = pilot.app.screen.query_one(selector)
    widget.focus()
    await pilot.pause()
    if isinstance(widget, Input):
        widget.value = ""
    await pilot.press(*text) if text else None


async def select_bead(pilot, bead_id: str) -> None:  # type: ignore[no-untyped-def]
    tree = pilot.app.query_one("#convoys")
    tree.focus()
    for _ in range(10):
        if pilot.app.selected_bead == bead_id:
            return
        await pilot.press("down")
        await pilot.pause()
    raise AssertionError(f"bead {bead_id} not reached")


async def test_sling_refuses_unknown_target_then_sends(make_app: AppFactory, engine: FakeEngine) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await select_bead(pilot, "de-c3l")
        await pilot.press("s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FormDialog) and dialog.id == "sling-dialog"
        assert dialog.query_one("#field-bead", Input).value == "de-c3l"
        await type_into(pilot, "#field-target", "nobody")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog and dialog.rejections == 1
        assert "Unknown target 'nobody'" in error_text(app)
        assert engine.command_calls() == []
        await type_into(pilot, "#field-target", "demo/polecats/furiosa")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert engine.command_calls() == [("sling", ("de-c3l", "demo/polecats/furiosa"))]
        assert not isinstance(app.screen, FormDialog)


async def test_sling_escape_sends_nothing(make_app: AppFactory, engine: FakeEngine) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, FormDialog)
        assert engine.command_calls() == []


async def test_nudge_refuses_empty_message_then_sends(make_app: AppFactory, engine: FakeEngine) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.show_agent("demo/polecats/slit")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        dialog = app.screen
        assert dialog.id == "nudge-dialog"
        assert dialog.query_one("#field-agent", Input).value == "demo/polecats/slit"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog and "Message is empty" in error_text(app)
        assert engine.command_calls() == []
        await type_into(pilot, "#field-message", "check your mail")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        assert engine.command_calls() == [("nudge", ("demo/polecats/slit", "check your mail"))]


async def test_nudge_refuses_unknown_agent(make_app: AppFactory, engine: FakeEngine) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        await type_into(pilot, "#field-agent", "ghost")
        await type_into(pilot, "#field-message", "hi")
        await pilot.press("enter")
        await pilot.pause()
        assert "Unknown agent 'ghost'" in error_text(app)
        assert engine.command_calls() == []


async def test_seance_requires_question(make_app: AppFactory, engine: FakeEngine) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.show_agent("demo/polecats/nux")
        await pilot.pause()
        await pilot.press("S")
        await pilot.pause()
        assert app.screen.id == "seance-dialog"
        await pilot.press("enter")
        await pilot.pause()
        assert "Question is empty" in error_text(app)
        assert engine.command_calls() == []
        await type_into(pilot, "#field-question", "where did you stop")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        assert engine.command_calls() == [("seance", ("demo/polecats/nux", "where did you stop"))]


async def test_handoff_asks_then_sends(make_app: AppFactory, engine: FakeEngine) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.show_agent("demo/polecats/nux")
        await pilot.pause()
        await pilot.press("H")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        assert engine.command_calls() == []
        await pilot.press("H")
        await pilot.pause()
        await pilot.press("y")
        await app.workers.wait_for_complete()
        assert engine.command_calls() == [("handoff", ("demo/polecats/nux",))]


async def test_new_bead_requires_title_and_known_rig(make_app: AppFactory, engine: FakeEngine) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert "Title is empty" in error_text(app)
        await type_into(pilot, "#field-title", "Add logout")
        await type_into(pilot, "#field-rig", "nope")
        await pilot.press("enter")
        await pilot.pause()
        assert "Unknown rig 'nope'" in error_text(app)
        assert engine.command_calls() == []
        await type_into(pilot, "#field-rig", "demo")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        assert engine.command_calls() == [("new_bead", ("Add logout", "", "demo"))]


async def test_new_convoy_tracks_selected_bead(make_app: AppFactory, engine: FakeEngine) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await select_bead(pilot, "de-d4m")
        await pilot.press("c")
        await pilot.pause()
        assert app.screen.query_one("#field-beads", Input).value == "de-d4m"
        await pilot.press("enter")
        await pilot.pause()
        assert "Title is empty" in error_text(app) and engine.command_calls() == []
        await type_into(pilot, "#field-title", "Styles")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        assert engine.command_calls() == [("new_convoy", ("Styles", ("de-d4m",)))]


async def test_compose_mail_needs_body_and_known_recipient(make_app: AppFactory, engine: FakeEngine) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        await pilot.pause()
        await type_into(pilot, "#field-to", "mayor")
        await type_into(pilot, "#field-subject", "status")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Body is empty" in error_text(app) and engine.command_calls() == []
        app.screen.query_one("#field-body", TextArea).text = "How are the convoys?"
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        assert engine.command_calls() == [("send_mail", ("mayor", "status", "How are the convoys?"))]


async def test_reply_to_selected_mail(make_app: AppFactory, engine: FakeEngine) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("M")
        await pilot.pause()
        assert app.query_one(TabbedContent).active == "mail"
        app.query_one("#mail-options", OptionList).focus()
        await pilot.press("down", "enter")
        await app.workers.wait_for_complete()
        assert ("mark_read", ("hq-m2",)) in engine.calls
        await pilot.press("r")
        await pilot.pause()
        assert app.screen.id == "reply-dialog"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Body is empty" in error_text(app) and engine.command_calls() == []
        app.screen.query_one("#field-body", TextArea).text = "Thanks."
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        assert engine.command_calls() == [("reply_mail", ("hq-m2", "Thanks."))]


async def test_zoom_split_cycle_and_jump(make_app: AppFactory, engine: FakeEngine) -> None:
    app = make_app(layout="2x2")
    async with app.run_test(size=SIZE) as pilot:
        deck = app.query_one(TerminalDeck)
        await pilot.pause()
        assert deck.layout_name == "2x2" and len(deck.panes) == 4
        await pilot.press("z")
        await pilot.pause()
        assert isinstance(app.screen.maximized, TerminalPane)
        await pilot.press("z")
        await pilot.pause()
        assert app.screen.maximized is None
        await pilot.press("x")
        await pilot.pause()
        await pilot.pause()
        assert deck.layout_name == "3x3" and len(deck.panes) == 9
        await pilot.press("x")
        await pilot.pause()
        await pilot.pause()
        assert deck.layout_name == "1" and len(deck.panes) == 1
        first = deck.current_address
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert deck.current_address != first
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert deck.current_address == first
        await pilot.press("5")
        await pilot.pause()
        assert deck.current_address == app.agent_order()[4].address
        assert app.selected_agent == deck.current_address


async def test_jump_in_split_focuses_visible_pane(make_app: AppFactory) -> None:
    app = make_app(layout="2x2")
    async with app.run_test(size=SIZE) as pilot:
        deck = app.query_one(TerminalDeck)
        await pilot.pause()
        visible = deck.slots
        await pilot.press("3")
        await pilot.pause()
        assert deck.slots == visible
        assert deck.current_address == app.agent_order()[2].address


async def test_focus_type_and_release_terminal(make_app: AppFactory, engine: FakeEngine) -> None:
    app = make_app(layout="2x2")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await pilot.press("i")
        await pilot.pause()
        deck = app.query_one(TerminalDeck)
        pane = deck.current_pane()
        assert pane is not None and app.focused is pane.body
        await pilot.press("l", "s", "enter", "q")
        await pilot.pause()
        writes = [c for c in engine.calls if c[0] == "write"]
        assert [w[1][1] for w in writes] == [b"l", b"s", b"\r", b"q"]
        assert {w[1][0] for w in writes} == {deck.current_address}
        assert not isinstance(app.screen, ConfirmDialog)  # q went to the agent, not to quit
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert app.focused is app.query_one("#agent-options")
        await pilot.press("i")  # the terminal's own release chord works too
        await pilot.pause()
        assert app.focused is pane.body
        await pilot.press("ctrl+backslash")
        await pilot.pause()
        assert app.focused is app.query_one("#agent-options")
        assert not [c for c in engine.calls if c == ("write", (deck.current_address, b"\x1c"))]


async def test_tabs(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        tabs = app.query_one(TabbedContent)
        for key, tab in [("a", "feed"), ("Q", "queue"), ("t", "patrols"), ("M", "mail"), ("g", "graph")]:
            await pilot.press(key)
            await pilot.pause()
            assert tabs.active == tab


async def test_patrol_pause_and_run_now(make_app: AppFactory, engine: FakeEngine) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("p")
        await app.workers.wait_for_complete()
        assert engine.command_calls() == [("pause_patrol", ("deacon", True))]
        app.query_one("#patrol-table").focus()
        await pilot.press("down", "down")
        await pilot.press("p")
        await app.workers.wait_for_complete()
        assert engine.command_calls()[-1] == ("pause_patrol", ("demo/witness", False))  # it was paused
        await pilot.press("P")
        await app.workers.wait_for_complete()
        assert engine.command_calls()[-1] == ("run_patrol", ("demo/witness",))


async def test_help_lists_bindings(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("#help-table")
        ids = {str(table.get_row_at(i)[2]) for i in range(table.row_count)}
        assert {"sling", "nudge", "seance", "handoff", "zoom", "split", "help", "quit"} <= ids
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_quit_asks_while_agents_run(make_app: AppFactory, engine: FakeEngine) -> None:
    """q asks Detach (default) / Stop all / Cancel; Detach leaves the engine running (the port only detaches)."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog) and app.screen.id == "quit-dialog"
        assert app.screen.focused is not None and app.screen.focused.id == "choice-detach"  # the default
        await pilot.press("c")
        await pilot.pause()
        assert app.is_running and not isinstance(app.screen, ChoiceDialog)
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("enter")  # the default: Detach
        await pilot.pause()
    assert app.return_code == 0
    assert engine.stopped and "stop_all" not in [call[0] for call in engine.calls]


async def test_quit_stop_all_stops_the_engine(make_app: AppFactory, engine: FakeEngine) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert ("stop_all", ()) in engine.calls


async def test_quit_without_live_agents_needs_no_confirm(make_app: AppFactory, engine: FakeEngine) -> None:
    engine.live = 0
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_command_failure_shows_error_toast(make_app: AppFactory, engine: FakeEngine) -> None:
    engine.fail["sling"] = "demo/polecats/nux already has de-c3l on its hook"
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await select_bead(pilot, "de-d4m")
        await pilot.press("s")
        await pilot.pause()
        await type_into(pilot, "#field-target", "demo/polecats/nux")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        errors = [n for n in app._notifications if n.severity == "error"]
        assert errors and "already has de-c3l" in errors[0].message and errors[0].title == "Sling failed"
        assert app.is_running


async def test_new_session_gets_the_pane_size(make_app: AppFactory, engine: FakeEngine) -> None:
    """A restarted session (new screen, same agent) is resized to its pane even though the pane did not change."""
    from gastown_tui.terminal import TerminalScreen
    from gastown_tui.ui.messages import TownChanged

    app = make_app(layout="1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        deck = app.query_one(TerminalDeck)
        address = deck.current_address
        assert address is not None
        body = deck.current_pane().body  # type: ignore[union-attr]
        engine.calls.clear()
        engine.screens[address] = TerminalScreen(100, 30)
        app.post_message(TownChanged())
        await pilot.pause()
        await pilot.pause()
        assert ("resize", (address, body.size.width, body.size.height)) in engine.calls
        assert body.source is engine.screens[address]
