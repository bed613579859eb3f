"""The centre: live agent terminals in one pane or a split grid; only visible panes exist (and so render)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static

from widgets.agent_list import STATE_GLYPHS, AgentInfo
from widgets.terminal_view import TerminalView

LAYOUTS: dict[str, tuple[int, int]] = {"1": (1, 1), "2x1": (2, 1), "2x2": (2, 2), "3x3": (3, 3)}
"""Layout name -> (columns, rows) of panes."""
LAYOUT_ORDER = ["1", "2x1", "2x2", "3x3"]
BACKGROUND_FRAME = 0.1
"""Seconds between repaints of visible panes that are not the current one (the current one repaints at once)."""


class PaneTerminal(TerminalView, inherit_bindings=False):
    """A TerminalView that takes focus only when the Overseer asks (`i`/Enter), never by Tab or by accident.

    Keys in a focused terminal go to the agent, so a terminal that grabbed focus when a pane was rebuilt would
    swallow the Overseer's next commands; this one drops out of the focus chain again when it loses focus.
    Its bindings are TerminalView's with the release chord shown as ctrl+g (the app's key, as the README says);
    ctrl+\\ still works.
    """

    BINDINGS = [
        Binding("ctrl+g,ctrl+backslash", "release_focus", "Leave terminal", id="terminal.release_focus",
                priority=True, key_display="ctrl+g", tooltip="Give focus back to the app"),
        Binding("shift+pageup", "scroll_history(-1)", "Scroll back", show=False, id="terminal.scroll_back",
                tooltip="Scroll the pane's scrollback up a page"),
        Binding("shift+pagedown", "scroll_history(1)", "Scroll forward", show=False, id="terminal.scroll_forward",
                tooltip="Scroll the pane's scrollback down a page"),
    ]

    can_focus = False

    def enter(self) -> None:
        """Take focus now, not after the next refresh: keys already queued behind `i` must reach the agent."""
        self.can_focus = True
        self.screen.set_focus(self)

    def on_blur(self) -> None:
        """Leave the focus chain again (Textual also runs TerminalView.on_blur: handlers are called per class)."""
        self.can_focus = False


def make_terminal_body(source: Any, writer: Callable[[bytes], None]) -> Widget:
    """The widget that shows a live screen; keystrokes go to `writer`."""
    return PaneTerminal(source, writer, classes="terminal-body")


class TerminalPane(Vertical):
    """One pane: a title line (number, agent, state, hook) and the terminal body."""

    ALLOW_MAXIMIZE = True

    def __init__(self, index: int, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="terminal-pane")
        self.index = index
        self.address: str | None = None
        self.source: Any = None
        self._painted_at = 0.0
        self._paint_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        """Title and an empty body until an agent is shown."""
        yield Static("", classes="pane-title")
        yield Static("No agent in this pane. Press 1-9 or ] to show one.", classes="pane-empty terminal-body")

    def show(self, agent: AgentInfo | None, number: int, source: Any, writer: Callable[[bytes], None]) -> None:
        """Point the pane at an agent (rebuilding the body only when the agent changes)."""
        self.set_title(agent, number)
        address = agent.address if agent else None
        if address == self.address and source is self.source:
            return
        body = self.body
        if address == self.address and isinstance(body, TerminalView) and source is not None:
            body.attach(source, writer)  # same agent, new session (restart, handoff)
            self.source = source
            # The view keeps its size, so it posts no Resized: tell the new session the pane's size ourselves.
            if body.size.width > 0 and body.size.height > 0:
                body.post_message(TerminalView.Resized(body, body.size.width, body.size.height))
            return
        self.address, self.source = address, source
        old = self.query(".terminal-body")
        old.remove()
        if agent is None or source is None:
            text = "No agent in this pane." if agent is None else f"{agent.name}: no live session."
            self.mount(Static(text, classes="pane-empty terminal-body"))
        else:
            self.mount(make_terminal_body(source, writer))

    def set_title(self, agent: AgentInfo | None, number: int) -> None:
        """Update the title line only."""
        title = self.query_one(".pane-title", Static)
        if agent is None:
            title.update(Text(f" pane {self.index + 1}", style="dim"))
            return
        glyph, style = STATE_GLYPHS.get(agent.state, ("·", ""))
        text = Text.assemble(f" {number} " if number else " ", (glyph + " ", style), (agent.name, "bold"),
                             (f" {agent.state}", style))
        if agent.hook:
            text.append(f"  {agent.hook}", "cyan")
        text.no_wrap = True
        title.update(text)

    @property
    def body(self) -> Widget | None:
        """The terminal widget, if an agent with a session is shown."""
        found = self.query(".terminal-body")
        return found.first() if found else None

    def paint(self, throttle: bool = False) -> None:
        """New output: repaint the dirty rows (children, not a DOM query: this runs for every output batch).

        `throttle`: at most one repaint per BACKGROUND_FRAME (the first at once, the last one never dropped).
        """
        if throttle:
            if self._paint_timer is not None:
                return  # a repaint is scheduled and will take these rows too
            wait = self._painted_at + BACKGROUND_FRAME - time.monotonic()
            if wait > 0:
                self._paint_timer = self.set_timer(wait, self._timed_paint, name="pane-paint")
                return
        self._painted_at = time.monotonic()
        for child in self.children:
            if isinstance(child, TerminalView):
                child.pull()

    def _timed_paint(self) -> None:
        self._paint_timer = None
        self.paint()


class TerminalDeck(Container):
    """Panes in a grid; `current` is the pane that 1-9, ], [ and typing act on."""

    layout_name: reactive[str] = reactive("2x2", init=False)
    """One of LAYOUTS."""
    current: reactive[int] = reactive(0, init=False)
    """Index of the current pane."""

    @dataclass
    class PaneChanged(Message):
        """The current pane now shows `address` (or nothing)."""

        address: str | None

    def __init__(self, screen_of: Callable[[str], Any], write: Callable[[str, bytes], None], *,
                 layout: str = "2x2", id: str | None = None) -> None:
        super().__init__(id=id)
        self._screen_of = screen_of
        self._write = write
        self._agents: list[AgentInfo] = []
        self._slots: list[str | None] = []
        self.numbers: dict[str, int] = {}
        """Stable agent numbers for pane titles (the agent list's, when the town gives them)."""
        self.set_reactive(TerminalDeck.layout_name, layout)

    def compose(self) -> ComposeResult:
        """The panes of the initial layout."""
        cols, rows = LAYOUTS[self.layout_name]
        self._apply_grid(cols, rows)
        for index in range(cols * rows):
            yield TerminalPane(index)

    @property
    def panes(self) -> list[TerminalPane]:
        """Visible panes in order."""
        return list(self.query(TerminalPane))

    @property
    def slots(self) -> list[str | None]:
        """Agent address per visible pane."""
        return list(self._slots)

    @property
    def current_address(self) -> str | None:
        """The agent in the current pane."""
        return self._slots[self.current] if self.current < len(self._slots) else None

    def _apply_grid(self, cols: int, rows: int) -> None:
        self.styles.grid_size_columns = cols
        self.styles.grid_size_rows = rows

    def _number(self, address: str | None) -> int:
        if self.numbers:
            return self.numbers.get(address or "", 0)
        for number, agent in enumerate(self._agents, start=1):
            if agent.address == address:
                return number
        return 0

    def _agent(self, address: str | None) -> AgentInfo | None:
        return next((a for a in self._agents if a.address == address), None)

    def set_agents(self, agents: Sequence[AgentInfo]) -> None:
        """New agent list/states: fill empty panes in order, refresh titles, drop agents that are gone."""
        self._agents = list(agents)
        known = {a.address for a in self._agents}
        count = LAYOUTS[self.layout_name][0] * LAYOUTS[self.layout_name][1]
        slots = [s if s in known else None for s in self._slots][:count]
        slots += [None] * (count - len(slots))
        unused = [a.address for a in self._agents if a.address not in slots]
        slots = [s if s is not None else (unused.pop(0) if unused else None) for s in slots]
        self._slots = slots
        self._sync()

    def _sync(self) -> None:
        for pane, address in zip(self.panes, self._slots):
            source = self._screen_of(address) if address else None
            pane.show(self._agent(address), self._number(address), source, partial(self._write, address or ""))
            pane.set_class(pane.index == self.current, "-current")

    def watch_layout_name(self, name: str) -> None:
        """Rebuild the panes for a new layout (only the visible ones exist)."""
        cols, rows = LAYOUTS[name]
        self._apply_grid(cols, rows)
        self.remove_children()
        self.mount_all([TerminalPane(index) for index in range(cols * rows)])
        self.current = min(self.current, cols * rows - 1)
        self.call_after_refresh(self.set_agents, self._agents)

    def watch_current(self, index: int) -> None:
        """Mark the current pane."""
        for pane in self.panes:
            pane.set_class(pane.index == index, "-current")
        self.post_message(self.PaneChanged(self.current_address))

    def cycle_layout(self) -> str:
        """Next layout in 1 → 2×1 → 2×2 → 3×3 → 1."""
        self.layout_name = LAYOUT_ORDER[(LAYOUT_ORDER.index(self.layout_name) + 1) % len(LAYOUT_ORDER)]
        return self.layout_name

    def show(self, address: str) -> None:
        """Show an agent in the current pane; if it is already visible elsewhere, make that pane current."""
        if address in self._slots:
            self.current = self._slots.index(address)
            return
        if self._slots:
            self._slots[self.current] = address
            self._sync()
            self.post_message(self.PaneChanged(address))

    def cycle(self, delta: int) -> None:
        """Show the next/previous agent (by list order) that is not already visible, in the current pane."""
        if not self._agents or not self._slots:
            return
        order = [a.address for a in self._agents]
        start = order.index(self.current_address) if self.current_address in order else -1
        for step in range(1, len(order) + 1):
            candidate = order[(start + delta * step) % len(order)]
            if candidate not in self._slots or candidate == self.current_address:
                self._slots[self.current] = candidate
                self._sync()
                self.post_message(self.PaneChanged(candidate))
                return

    def shows(self, address: str) -> bool:
        """Is the agent in one of the visible panes? (The bridge asks before posting its output.)"""
        return address in self._slots

    def output(self, address: str) -> None:
        """New output for an agent: repaint only if it is on screen; panes other than the current one at most
        every BACKGROUND_FRAME (rendering streaming panes was most of the UI loop, and it delayed key echo)."""
        for pane in self.children:
            if isinstance(pane, TerminalPane) and pane.address == address:
                pane.paint(throttle=pane.index != self.current)

    def current_pane(self) -> TerminalPane | None:
        """The pane that keystrokes and zoom act on."""
        panes = self.panes
        return panes[self.current] if self.current < len(panes) else None
