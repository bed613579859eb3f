"""Pilot tests for the Queue tab, the diff screen (approve / reject) and the doctor notice, on the fake engine
(fake engine: these tests are about the UI; tests/engine/test_review_api.py runs the same commands for real)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from textual.widgets import DataTable, OptionList, TextArea

import gastown_tui.engine.api as api
from gastown_tui.ui.app import GastownApp
from gastown_tui.ui.screens.diff import DiffScreen
from gastown_tui.ui.screens.form import FormDialog
from tests.ui.fake_engine import FakeEngine
from widgets.agent_list import AgentList
from widgets.diff_view import DiffView

AppFactory = Callable[..., GastownApp]
SIZE = (160, 40)


def cell_text(table: DataTable, row: int, column: int) -> str:  # type: ignore[type-arg]
    return str(table.get_row_at(row)[column])


async def open_queue_row(pilot, row: int) -> DiffScreen:  # type: ignore[no-untyped-def]
    await pilot.press("Q")
    await pilot.pause()
    table = pilot.app.query_one("#merge-queue", DataTable)
    assert pilot.app.focused is table
    table.move_cursor(row=row)
    await pilot.press("enter")
    for _ in range(20):
        await pilot.pause()
        if isinstance(pilot.app.screen, DiffScreen):
            return pilot.app.screen
    raise AssertionError("the diff screen did not open")


async def test_queue_columns_show_gates_land_mode_and_pr(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("Q")
        await pilot.pause()
        table = app.query_one("#merge-queue", DataTable)
        assert [str(c.label) for c in table.columns.values()] == ["Bead", "Rig", "Age", "State", "Gates", "Land",
                                                                   "PR/where"]
        assert table.row_count == 3
        assert cell_text(table, 0, 0).startswith("de-c3l Implement CSS variables")
        assert (cell_text(table, 0, 2), cell_text(table, 0, 3), cell_text(table, 0, 4)) == ("5m", "review", "pass")
        assert cell_text(table, 1, 4) == "fail: test FAILED test_toggle - KeyError"  # the tail's last line
        assert cell_text(table, 2, 5) == "pr" and cell_text(table, 2, 6) == "https://github.com/acme/demo/pull/42"


async def test_enter_opens_the_diff_and_a_approves(make_app: AppFactory, engine: FakeEngine) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_queue_row(pilot, 0)
        view = screen.query_one(DiffView)
        assert view.content is not None and view.content.ref == "hq-mr1" and view.content.can_review
        assert view.content.acceptance == "Every colour comes from a CSS variable" and view.content.gate_ok is True
        assert screen.query_one("#diff-files", OptionList).option_count == 2
        await pilot.press("a")
        await pilot.pause()
        await pilot.pause()
        assert not isinstance(app.screen, DiffScreen)
        assert engine.command_calls() == [("mr_diff", ("hq-mr1",)), ("approve_mr", ("hq-mr1",))]


async def test_r_asks_a_note_refuses_empty_then_rejects(make_app: AppFactory, engine: FakeEngine) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_queue_row(pilot, 0)
        await pilot.press("r")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FormDialog) and dialog.id == "reject-dialog"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog and dialog.rejections == 1
        assert [c[0] for c in engine.command_calls()] == ["mr_diff"]  # nothing sent for an empty note
        dialog.query_one(TextArea).focus()
        await pilot.press(*"Use --surface")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.pause()
        assert app.screen is not screen and not isinstance(app.screen, (DiffScreen, FormDialog))
        assert engine.command_calls()[-1] == ("reject_mr", ("hq-mr1", "Use --surface"))


async def test_escape_on_the_note_keeps_the_diff(make_app: AppFactory, engine: FakeEngine) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_queue_row(pilot, 0)
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and [c[0] for c in engine.command_calls()] == ["mr_diff"]
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, DiffScreen)


async def test_an_mr_not_awaiting_review_cannot_be_approved(make_app: AppFactory, engine: FakeEngine) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_queue_row(pilot, 1)
        content = screen.query_one(DiffView).content
        assert content is not None and content.ref == "hq-mr2" and not content.can_review
        assert content.gate_ok is False and "FAILED test_toggle" in content.gate_output
        await pilot.press("a", "r")
        await pilot.pause()
        assert app.screen is screen and [c[0] for c in engine.command_calls()] == ["mr_diff"]


async def test_d_on_a_polecat_shows_its_live_work_read_only(make_app: AppFactory, engine: FakeEngine) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.query_one(AgentList).select_address("demo/polecats/nux")
        app.selected_agent = "demo/polecats/nux"
        await pilot.press("d")
        for _ in range(20):
            await pilot.pause()
            if isinstance(app.screen, DiffScreen):
                break
        assert isinstance(app.screen, DiffScreen)
        content = app.screen.query_one(DiffView).content
        assert content is not None and not content.can_review and [f.path for f in content.files] == ["theme.css"]
        await pilot.press("a")
        await pilot.pause()
        assert engine.command_calls() == [("polecat_diff", ("demo", "nux"))]


async def test_d_on_a_non_polecat_says_what_to_select(make_app: AppFactory, engine: FakeEngine) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.selected_agent = "mayor"
        await pilot.press("d")
        await pilot.pause()
        assert not isinstance(app.screen, DiffScreen) and engine.command_calls() == []
        assert any("Select a polecat" in str(n.message) for n in app._notifications)


async def test_a_vanished_mr_is_one_error_line(make_app: AppFactory, engine: FakeEngine) -> None:
    engine.merge_requests.append(dataclasses.replace(engine.merge_requests[0], id="hq-gone"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        engine.merge_requests.pop()  # the engine no longer knows it: NotFound
        await open_queue_row_expect_error(pilot, 3)
        assert any("no merge request hq-gone" in str(n.message) for n in app._notifications)


async def open_queue_row_expect_error(pilot, row: int) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("Q")
    await pilot.pause()
    pilot.app.query_one("#merge-queue", DataTable).move_cursor(row=row)
    await pilot.press("enter")
    for _ in range(5):
        await pilot.pause()
    assert not isinstance(pilot.app.screen, DiffScreen)


async def test_doctor_problems_shown_once_at_start(make_app: AppFactory, engine: FakeEngine) -> None:
    engine.doctor = (api.DoctorRow("git", "warn", "warn  git: no user.email -> git config --global user.email"),
                     api.DoctorRow("runtime", "error", "error runtime: claude not on PATH -> install it"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(5):
            await pilot.pause()
        notes = [n for n in app._notifications if "gastown doctor" in n.title]
        assert len(notes) == 1 and notes[0].severity == "error" and "2 problem(s)" in notes[0].title
        assert notes[0].message.splitlines() == [engine.doctor[0].line, engine.doctor[1].line]
        app.show_doctor_problems()
        await pilot.pause()
        assert engine.doctor_asked == 1


async def test_failed_agent_shows_its_glyph_and_reason(make_app: AppFactory, engine: FakeEngine) -> None:
    engine.agents[5] = dataclasses.replace(engine.agents[5], state="failed",
                                           why="runtime 'claude' not found on PATH")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        options = app.query_one(AgentList).query_one(OptionList)
        rendered = " ".join(str(options.get_option_at_index(i).prompt) for i in range(options.option_count))
        assert "⊘ furiosa failed" in rendered
        agents = app.query_one(AgentList)
        agents.select_address("demo/polecats/furiosa")
        await pilot.pause()
        assert "why: runtime 'claude' not found on PATH" in str(agents.query_one("#agent-why").render())


async def test_seance_refuses_an_agent_without_an_earlier_session(make_app: AppFactory, engine: FakeEngine) -> None:
    from gastown_tui.ui.overseer_port import OverseerView

    engine.overseer_view = lambda: OverseerView(askable=frozenset({"demo/polecats/nux"}))  # type: ignore[attr-defined]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.selected_agent = "demo/polecats/slit"
        await pilot.press("S")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FormDialog) and dialog.id == "seance-dialog"
        dialog.query_one("#field-question").focus()
        await pilot.press(*"why?", "enter")
        await pilot.pause()
        assert app.screen is dialog and dialog.rejections == 1 and engine.command_calls() == []
        assert "slit has no earlier session to ask" in str(dialog.query_one("#form-error").render())
        dialog.query_one("#field-agent").value = "demo/polecats/nux"  # type: ignore[attr-defined]
        dialog.query_one("#field-question").focus()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert engine.command_calls() == [("seance", ("demo/polecats/nux", "why?"))]


async def test_sling_dialog_offers_runtimes_and_refuses_an_unknown_one(make_app: AppFactory,
                                                                        engine: FakeEngine) -> None:
    from textual.widgets import Input

    engine.runtimes = lambda: ["claude", "scripted", "shell"]  # type: ignore[attr-defined]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.selected_bead = "de-d4m"
        await pilot.press("s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FormDialog) and dialog.id == "sling-dialog"
        runtime = dialog.query_one("#field-runtime", Input)
        assert "default (claude)" in runtime.placeholder
        dialog.query_one("#field-target", Input).value = "demo"
        runtime.value = "bogus"
        runtime.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog and dialog.rejections == 1 and engine.command_calls() == []
        assert "Unknown runtime 'bogus'" in str(dialog.query_one("#form-error").render())
        runtime.value = "shell"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert engine.command_calls() == [("sling", ("de-d4m", "demo", "shell"))]


def test_diff_header_names_the_pr_and_a_rebase_conflict() -> None:
    from gastown_tui.ui.screens.diff import content_of
    from tests.ui.fake_engine import MERGE_REQUESTS

    pr = MERGE_REQUESTS[2]
    content = content_of(api.DiffResult("main", pr.branch, (), "", False, pr))
    assert "PR #42 https://github.com/acme/demo/pull/42" in content.notes and not content.can_review
    conflict = dataclasses.replace(MERGE_REQUESTS[0], gates=api.GateRow("conflict", files=("a.py", "b.py")))
    content = content_of(api.DiffResult("main", conflict.branch, (), "", True, conflict))
    assert content.gate_ok is False and content.gate_output == "rebase conflict in a.py, b.py" and content.truncated
