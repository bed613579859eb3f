"""Quit is detach: the three-way quit question, the engine-lost offer, and the app side of both (a mixin).

`q` and the palette's Quit ask Detach (default: agents keep working in the engine) / Stop all agents and the
engine / Cancel. When the engine goes away under the TUI, one line says so and a dialog offers to restart it
(which resumes the agents' sessions as after any crash) or to quit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from gastown_tui.errors import GastownError
from gastown_tui.ui.messages import EngineGone

log = logging.getLogger(__name__)
DETACH, STOP_ALL, RESTART, QUIT = "detach", "stop", "restart", "quit"


class ChoiceDialog(ModalScreen[str | None]):
    """A question with a few labelled answers, each on a key; Escape cancels; the first answer is the default."""

    DEFAULT_CSS = "ChoiceDialog { align: center middle; }"
    BINDINGS = [Binding("escape", "choose('')", "Cancel", tooltip="Close without doing anything", id="choice-cancel")]

    def __init__(self, question: str, choices: list[tuple[str, str, str]], *, id: str | None = None) -> None:
        """`choices`: (value, label, key) in order; the first is focused."""
        super().__init__(id=id)
        self.question = question
        self.choices = choices

    def compose(self) -> ComposeResult:
        """The question and one button per answer."""
        with Vertical(id="form"):
            yield Static(self.question, id="form-title")
            with Horizontal(id="form-buttons"):
                for value, label, key in self.choices:
                    yield Button(f"{label} ({key})", id=f"choice-{value}",
                                 variant="error" if value == STOP_ALL else "default")

    def on_mount(self) -> None:
        """The first answer is the default."""
        self.query_one(f"#choice-{self.choices[0][0]}", Button).focus()

    def on_key(self, event: Any) -> None:
        """Each answer's key chooses it."""
        for value, _label, key in self.choices:
            if event.key == key:
                event.stop()
                self.dismiss(value)

    def action_choose(self, value: str) -> None:
        """Close with `value` ('' = cancel -> None)."""
        self.dismiss(value or None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Buttons answer too."""
        event.stop()
        self.dismiss(str(event.button.id or "").removeprefix("choice-") or None)


def quit_dialog(live: int) -> ChoiceDialog:
    """Detach (default) / Stop all / Cancel."""
    running = f"{live} agent session(s) are running in the engine." if live else "The engine keeps running."
    return ChoiceDialog(f"Quit this screen? {running} Detach leaves them working; open `gastown` again to return.",
                        [(DETACH, "Detach", "d"), (STOP_ALL, "Stop all agents and the engine", "s"),
                         ("", "Cancel", "c")], id="quit-dialog")


def engine_lost_dialog(reason: str) -> ChoiceDialog:
    """Restart the engine (resumes the agents) or quit."""
    return ChoiceDialog(f"The engine stopped: {reason}. Restart it? Agents with work are resumed.",
                        [(RESTART, "Restart the engine", "r"), (QUIT, "Quit", "q")], id="engine-lost-dialog")


class EngineLinkMixin:
    """App side of quit-is-detach and engine loss (mixed into GastownApp; uses its port, notify, exit)."""

    port: Any
    restart_engine: Callable[[], Any] | None = None
    """Starts the town's engine again (set by run_tui); None where the app cannot (tests with a fake port)."""

    def ask_quit(self) -> None:
        """The quit question; detaching is the default."""
        def done(choice: str | None) -> None:
            if choice == DETACH:
                self.exit()  # type: ignore[attr-defined]
            elif choice == STOP_ALL:
                self.stop_all_and_exit()
        live = self.port.live_sessions()
        if live <= 0 or getattr(self.port, "lost", None) is not None:
            self.exit()  # type: ignore[attr-defined]  # nothing running to ask about, or no engine to detach from
            return
        self.push_screen(quit_dialog(live), done)  # type: ignore[attr-defined]

    @work(exit_on_error=False, group="engine", description="stop all agents and the engine")
    async def stop_all_and_exit(self) -> None:
        """Stop every agent and the engine, then quit."""
        stop_all = getattr(self.port, "stop_all", None)
        try:
            if stop_all is not None:
                await stop_all()
        except GastownError as exc:
            self.notify(exc.one_line(), title="Stop all failed", severity="error")  # type: ignore[attr-defined]
            return
        self.exit()  # type: ignore[attr-defined]

    def on_engine_gone(self, message: EngineGone) -> None:
        """One line, then the offer to restart."""
        self.notify(f"The engine stopped: {message.reason}", title="Engine gone",  # type: ignore[attr-defined]
                    severity="error", timeout=30)
        if self.restart_engine is None:
            return

        def done(choice: str | None) -> None:
            if choice == RESTART:
                self.reattach()
            elif choice == QUIT:
                self.exit()  # type: ignore[attr-defined]
        self.push_screen(engine_lost_dialog(message.reason), done)  # type: ignore[attr-defined]

    @work(exit_on_error=False, group="engine", description="restart the engine")
    async def reattach(self) -> None:
        """Start the engine again and attach to it."""
        try:
            await self.port.restart_engine(self.restart_engine)
        except GastownError as exc:
            self.notify(exc.one_line(), title="Engine restart failed", severity="error")  # type: ignore[attr-defined]
            return
        self.notify("Engine restarted; agents with work are resumed.", title="Engine")  # type: ignore[attr-defined]
