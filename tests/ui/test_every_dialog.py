"""Must-show: every dialog driven by keyboard alone (fake engine with the Overseer's view: UI only).

For each dialog: Tab visits every field in order (Shift+Tab goes back), typing fills them, Enter/Ctrl+S sends the
right command; Escape sends nothing; a double Enter and a double Escape never crash; a 10,000-character paste
into every field is taken in one go. A 10 ms asyncio ticker measures the longest stall of the UI loop as CPU time
of the loop's thread (wall time on this shared machine also counts time the OS did not run us; printed with -s):
asserted < 100 ms for typing and pasting alone and for the whole run, modal open/close included, under the GC
policy the real app runs with (without it, a full collection of the test process's heap took 100-250 ms).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest
from textual import events
from textual.widgets import TextArea

from gastown_tui.ui.app import GastownApp
from gastown_tui.ui.panels.alerts import AlertSettings
from gastown_tui.ui.screens.form import FormDialog
from tests.ui.conftest import utc_hms
from tests.ui.fake_engine import NOW
from tests.ui.overseer_fake import OverseerFake
from tests.ui.test_form_keys import LoopWatch, app_gc_policy  # noqa: F401 - fixture

SIZE = (120, 36)
PASTE = ("0123456789" * 1000)


@dataclass(frozen=True)
class Case:
    """How to open a dialog, what to type per field, and the command it must send."""

    key: str
    dialog_id: str
    fields: tuple[str, ...]
    typed: dict[str, str]
    submit: str
    expected: tuple[str, tuple[object, ...]]
    before: str = ""
    """Keys that select the subject first (an agent, a mail)."""


CASES = [
    Case("s", "sling-dialog", ("bead", "target"), {"bead": "de-d4m", "target": "demo"}, "enter",
         ("sling", ("de-d4m", "demo"))),
    Case("n", "nudge-dialog", ("agent", "message"), {"agent": "demo/polecats/slit", "message": "check mail"},
         "enter", ("nudge", ("demo/polecats/slit", "check mail"))),
    Case("S", "seance-dialog", ("agent", "question"), {"agent": "demo/polecats/nux", "question": "why?"}, "enter",
         ("seance", ("demo/polecats/nux", "why?"))),
    Case("b", "bead-dialog", ("title", "description", "rig"), {"title": "T", "description": "D", "rig": "demo"},
         "enter", ("new_bead", ("T", "D", "demo"))),
    Case("c", "convoy-dialog", ("title", "beads"), {"title": "Ship", "beads": "de-d4m de-g7p"}, "enter",
         ("new_convoy", ("Ship", ("de-d4m", "de-g7p")))),
    Case("m", "compose-dialog", ("to", "subject", "body"), {"to": "mayor", "subject": "Hi", "body": "Body"},
         "ctrl+s", ("send_mail", ("mayor", "Hi", "Body"))),
    Case("r", "reply-dialog", ("body",), {"body": "Thanks"}, "ctrl+s", ("reply_mail", ("hq-m1", "Thanks")),
         before="M"),
]


def make() -> tuple[GastownApp, OverseerFake]:
    fake = OverseerFake()
    app = GastownApp(fake, now=lambda: NOW, time_format=utc_hms, keymap={}, blink=False)
    app.animation_level = "none"
    app.alert_settings = AlertSettings()
    return app, fake


async def open_case(pilot, case: Case) -> FormDialog:  # type: ignore[no-untyped-def]
    app = pilot.app
    while isinstance(app.screen, FormDialog):
        app.screen.action_cancel()
        await pilot.pause()
    if case.before:
        await pilot.press(case.before)
        app.query_one("#mail-options").focus()
    await pilot.press(case.key)
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, FormDialog) and dialog.id == case.dialog_id, f"{case.key} opened {dialog}"
    return dialog


async def clear_and_type(pilot, widget, text: str) -> None:  # type: ignore[no-untyped-def]
    if isinstance(widget, TextArea):
        widget.clear()
    else:
        await pilot.press("ctrl+u", "ctrl+k")  # keys only: clear the line
    await pilot.press(*text)


@pytest.mark.parametrize("case", CASES, ids=[c.dialog_id for c in CASES])
async def test_dialog_by_keyboard_alone(case: Case, app_gc_policy) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    app, fake = make()
    async with app.run_test(size=SIZE) as pilot:
        app.show_agent("demo/polecats/slit")
        await pilot.pause()
        app_gc_policy()  # as run_tui does once the app is up
        with LoopWatch() as watch:
            started = time.perf_counter()
            # 1. Tab through every field from the first, typing each value; Shift+Tab comes back
            dialog = await open_case(pilot, case)
            await pilot.pause()
            typing = LoopWatch().__enter__()
            first = dialog.query_one(f"#field-{case.fields[0]}")
            while app.focused is not first:
                await pilot.press("shift+tab")
            for n, name in enumerate(case.fields):
                widget = dialog.query_one(f"#field-{name}")
                assert app.focused is widget, f"Tab reached {app.focused} instead of {name}"
                await clear_and_type(pilot, widget, case.typed[name])
                if n < len(case.fields) - 1:
                    await pilot.press("tab")
            if len(case.fields) > 1:
                await pilot.press("shift+tab")
                assert app.focused is dialog.query_one(f"#field-{case.fields[-2]}")
                await pilot.press("tab")
            typing.__exit__()
            await pilot.press(case.submit)
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert fake.command_calls() == [case.expected]
            assert not isinstance(app.screen, FormDialog)

            # 2. Escape sends nothing; a double Escape closes once and never crashes
            await open_case(pilot, case)
            app.post_message(events.Key("escape", None))
            app.post_message(events.Key("escape", None))
            await pilot.pause()
            await pilot.pause()
            assert app.is_running and not isinstance(app.screen, FormDialog)

            # 3. a double Enter after filling: one command, no crash
            dialog = await open_case(pilot, case)
            for name in case.fields:
                widget = dialog.query_one(f"#field-{name}")
                widget.focus()
                await pilot.pause()
                await clear_and_type(pilot, widget, case.typed[name])
            key = case.submit
            app.post_message(events.Key(key, "\r" if key == "enter" else None))
            app.post_message(events.Key(key, "\r" if key == "enter" else None))
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.is_running and app.return_code is None
            assert fake.command_calls() == [case.expected, case.expected]

            # 4. a 10,000-character paste into every field: taken in one go, refused inline where too long
            dialog = await open_case(pilot, case)
            await pilot.pause()
            pasting = LoopWatch().__enter__()
            for name in case.fields:
                widget = dialog.query_one(f"#field-{name}")
                widget.focus()
                await pilot.pause()
                app.post_message(events.Paste(PASTE))  # as the driver delivers a bracketed paste
                await pilot.pause()
                text = widget.text if isinstance(widget, TextArea) else widget.value
                assert PASTE in text
            pasting.__exit__()
            await pilot.press(case.submit)
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.is_running
            if isinstance(app.screen, FormDialog):  # unknown ids/agents, a title over 500: refused inline
                assert str(dialog.query_one("#form-error").render())
                assert len(fake.command_calls()) == 2
                await pilot.press("escape")
            else:  # nothing to refuse (a 10,000-character reply body): sent whole
                sent = fake.command_calls()[2:]
                assert [(name, args[:-1]) for name, args in sent] == [(case.expected[0], case.expected[1][:-1])]
                assert len(str(sent[0][1][-1])) == len(PASTE), len(str(sent[0][1][-1]))
            await pilot.pause()
        took = time.perf_counter() - started
        held = max(typing.worst, pasting.worst)
        print(f"{case.dialog_id}: typing/paste held the loop {held * 1000:.0f} ms CPU "
              f"({max(typing.worst_wall, pasting.worst_wall) * 1000:.0f} ms wall); whole run incl. modal open/close "
              f"{watch.worst * 1000:.0f} ms CPU, {watch.worst_wall * 1000:.0f} ms wall; {took:.1f} s")
        assert held < 0.1, f"typing/pasting held the UI loop {held * 1000:.0f} ms CPU"
        assert watch.worst < 0.1, f"the UI loop was held {watch.worst * 1000:.0f} ms CPU"


async def test_confirm_and_list_screens_by_keyboard(app_gc_policy) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """Handoff confirm (n, y, double y), needs-you (double Escape), bead details (double Escape): no crash."""
    app, fake = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app_gc_policy()
        with LoopWatch() as watch:
            app.show_agent("demo/polecats/slit")
            await pilot.pause()
            await pilot.press("H", "n")
            await pilot.pause()
            assert fake.command_calls() == []
            await pilot.press("H")
            await pilot.pause()
            app.post_message(events.Key("y", "y"))
            app.post_message(events.Key("y", "y"))
            await pilot.pause()
            await app.workers.wait_for_complete()
            assert fake.command_calls() == [("handoff", ("demo/polecats/slit",))]
            await pilot.press("exclamation_mark")
            await pilot.pause()
            app.post_message(events.Key("escape", None))
            app.post_message(events.Key("escape", None))
            await pilot.pause()
            await pilot.pause()
            assert app.is_running and len(app.screen_stack) == 1
            await pilot.press("B")
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            app.post_message(events.Key("escape", None))
            app.post_message(events.Key("escape", None))
            await pilot.pause()
            await pilot.pause()
            assert app.is_running and len(app.screen_stack) == 1
        print(f"confirm/lists (modal open/close included): loop held {watch.worst * 1000:.0f} ms CPU, "
              f"{watch.worst_wall * 1000:.0f} ms wall")
        assert watch.worst < 0.1, f"the UI loop was held {watch.worst * 1000:.0f} ms CPU"
