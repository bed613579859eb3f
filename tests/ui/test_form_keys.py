"""The keyboard contract of every dialog, driven by keys alone (fake engine: these tests are about the UI).

Tab/Shift+Tab/Down/Up move between fields, Enter in a one-line field submits, Escape cancels, repeated keys never
crash, a 10,000-character paste is taken in one go, and the UI loop is never blocked for more than 100 ms.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest
from textual import events
from textual.widgets import Input, TextArea

from gastown_tui.ui.app import GastownApp
from gastown_tui.ui.screens.form import FormDialog
from tests.ui.fake_engine import FakeEngine

AppFactory = Callable[..., GastownApp]
SIZE = (120, 36)


class LoopWatch:
    """The longest stall of the UI loop, from the gaps between ticks of a 10 ms asyncio timer.

    `worst` is the CPU time the loop's thread spent between two ticks (the work that held the loop: what our code
    controls); `worst_wall` is the wall-clock gap, which on a loaded shared machine also counts the time the OS
    did not run us at all (reported, not asserted).
    """

    def __init__(self) -> None:
        self.worst = 0.0
        self.worst_wall = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        last, last_cpu = time.perf_counter(), time.thread_time()
        while True:
            await asyncio.sleep(0.01)
            now, cpu = time.perf_counter(), time.thread_time()
            self.worst_wall = max(self.worst_wall, now - last - 0.01)
            self.worst = max(self.worst, cpu - last_cpu)
            last, last_cpu = now, cpu

    def __enter__(self) -> LoopWatch:
        self._task = asyncio.get_running_loop().create_task(self._tick())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


@pytest.fixture
def app_gc_policy():  # type: ignore[no-untyped-def]
    """The GC policy `gastown` runs with (gastown_tui.gc_tuning), restored after the test: without it a full
    collection of the whole test process's heap lands in the measurement, which the real app never sees."""
    import gc

    from gastown_tui.gc_tuning import freeze_startup_heap, tune_for_interactive

    thresholds = gc.get_threshold()
    tune_for_interactive()
    yield freeze_startup_heap
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def focused_field(app: GastownApp) -> str:
    focused = app.focused
    return (focused.id or "") if focused is not None else ""


async def open_dialog(pilot, key: str, dialog_id: str) -> FormDialog:  # type: ignore[no-untyped-def]
    await pilot.press(key)
    await pilot.pause()
    dialog = pilot.app.screen
    assert isinstance(dialog, FormDialog) and dialog.id == dialog_id, f"{key} opened {dialog!r}"
    return dialog


async def test_tab_shift_tab_and_down_move_between_fields(make_app: AppFactory, engine: FakeEngine) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_dialog(pilot, "b", "bead-dialog")
        assert focused_field(app) == "field-title"
        await pilot.press(*"Title A", "tab", *"Desc B")
        await pilot.pause()
        assert focused_field(app) == "field-description"
        assert app.screen.query_one("#field-title", Input).value == "Title A"
        assert app.screen.query_one("#field-description", Input).value == "Desc B"
        await pilot.press("shift+tab")
        assert focused_field(app) == "field-title"
        await pilot.press("down", "down")
        assert focused_field(app) == "field-rig"
        await pilot.press("up")
        assert focused_field(app) == "field-description"
        await pilot.press("tab", *"demo", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert engine.command_calls() == [("new_bead", ("Title A", "Desc B", "demo"))]


async def test_compose_reaches_body_by_keyboard(make_app: AppFactory, engine: FakeEngine) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.show_agent("demo/polecats/slit")
        await pilot.pause()
        await open_dialog(pilot, "m", "compose-dialog")
        assert focused_field(app) == "field-subject"  # To is filled from the selected agent
        await pilot.press("shift+tab", "ctrl+u", *"mayor", "tab", *"Hello", "tab", *"line one", "enter", *"line two")
        assert focused_field(app) == "field-body"
        assert app.screen.query_one("#field-body", TextArea).text == "line one\nline two"
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert engine.command_calls() == [("send_mail", ("mayor", "Hello", "line one\nline two"))]


@pytest.mark.parametrize("key,dialog_id", [("n", "nudge-dialog"), ("b", "bead-dialog")])
async def test_double_enter_never_crashes(make_app: AppFactory, engine: FakeEngine, key: str,
                                          dialog_id: str) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.show_agent("demo/polecats/slit")
        await pilot.pause()
        await open_dialog(pilot, key, dialog_id)
        if key == "b":
            await pilot.press(*"Fix it", "tab", "tab")  # to the last field
        else:
            await pilot.press(*"hello")
        # Both Enters queued before either is handled: the second reaches a dialog that already closed.
        app.post_message(events.Key("enter", "\r"))
        app.post_message(events.Key("enter", "\r"))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.is_running and app.return_code is None
        assert len(engine.command_calls()) == 1
        assert not isinstance(app.screen, FormDialog)


async def test_double_escape_closes_once(make_app: AppFactory, engine: FakeEngine) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot, "s", "sling-dialog")
        app.post_message(events.Key("escape", None))
        app.post_message(events.Key("escape", None))
        await pilot.pause()
        await pilot.pause()
        assert app.is_running and not isinstance(app.screen, FormDialog)
        assert engine.command_calls() == []


async def test_paste_10000_chars_into_nudge(make_app: AppFactory, engine: FakeEngine,
                                            app_gc_policy) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    text = ("0123456789 " * 1000)[:10_000]
    async with app.run_test(size=SIZE) as pilot:
        app.show_agent("demo/polecats/slit")
        await pilot.pause()
        app_gc_policy()
        await open_dialog(pilot, "n", "nudge-dialog")
        with LoopWatch() as watch:
            app.post_message(events.Paste(text))  # as the driver delivers a bracketed paste
            await pilot.pause()
            await pilot.press("enter", "enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
        assert engine.command_calls() == [("nudge", ("demo/polecats/slit", text.strip()))]
        assert watch.worst < 0.1, f"UI loop blocked {watch.worst * 1000:.0f} ms"


async def test_invalid_title_refused_inline_keeping_text(make_app: AppFactory, engine: FakeEngine) -> None:
    app = make_app()
    long_title = "x" * 501
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot, "b", "bead-dialog")
        app.post_message(events.Paste(long_title))
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog and dialog.rejections == 1
        assert "500" in str(dialog.query_one("#form-error").render())
        assert dialog.query_one("#field-title", Input).value == long_title
        assert engine.command_calls() == []


async def test_new_convoy_refuses_unknown_bead_inline(make_app: AppFactory, engine: FakeEngine) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot, "c", "convoy-dialog")
        await pilot.press(*"Ship it", "tab", *"de-c3l zz-404", "enter")
        await pilot.pause()
        assert app.screen is dialog and "zz-404" in str(dialog.query_one("#form-error").render())
        assert dialog.query_one("#field-beads", Input).value == "de-c3l zz-404"
        assert engine.command_calls() == []
