"""Search and copy mode over a real TerminalScreen's scrollback (hits, n/N, selection, OSC 52 copy)."""

from __future__ import annotations

from textual.app import App

from gastown_tui.terminal import TerminalScreen
from widgets.scrollback_search import CURRENT_HIT, HIT, CopyModeScreen, ScrollbackLines, find_hits, lines_of


def screen_with_history() -> TerminalScreen:
    screen = TerminalScreen(40, 5, scrollback=100, clock=lambda: 0.0)
    for n in range(30):
        screen.feed(f"line {n} {'ERROR disk full' if n in (3, 17) else 'ok'}\r\n".encode())
    return screen


def test_lines_and_hits_span_history_and_screen() -> None:
    lines = lines_of(screen_with_history())
    assert lines[0] == "line 0 ok" and "line 29 ok" in lines
    hits = find_hits(lines, "error")
    assert [(h.line, h.column) for h in hits] == [(3, 7), (17, 8)]
    assert find_hits(lines, "") == []


class Host(App[None]):
    """Harness: pushes copy mode over a screen's lines and records clipboard copies."""

    def __init__(self, search: bool) -> None:
        super().__init__()
        self.search = search
        self.copies: list[str] = []
        self.result: list[str | None] = []

    def on_mount(self) -> None:
        self.push_screen(CopyModeScreen("x", lines_of(screen_with_history()), search=self.search, blink=False),
                         self.result.append)

    def copy_to_clipboard(self, text: str) -> None:
        """Record, then do what Textual does (OSC 52 to the outer terminal)."""
        self.copies.append(text)
        super().copy_to_clipboard(text)


async def test_search_highlights_and_jumps() -> None:
    app = Host(search=True)
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.press(*"error", "enter")
        await pilot.pause()
        view = app.screen.query_one(ScrollbackLines)
        assert len(view.hits) == 2 and view.hits[view.current].line == 17  # the latest hit above the cursor
        strip = view.render_line(view.cursor - int(view.scroll_y))
        styles = {seg.style for seg in strip if "ERROR" in seg.text}
        assert styles == {CURRENT_HIT}
        await pilot.press("n")
        assert view.hits[view.current].line == 3 and view.cursor == 3  # wraps to the first hit
        other = view.render_line(17 - int(view.scroll_y)) if 17 - int(view.scroll_y) < view.size.height else None
        assert other is None or HIT in {seg.style for seg in other}
        await pilot.press("N")
        assert view.cursor == 17


async def test_select_lines_and_copy_with_osc52() -> None:
    app = Host(search=False)
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.press("g", "down", "down", "v", "down", "down", "y")
        await pilot.pause()
        assert app.copies == ["line 2 ok\nline 3 ERROR disk full\nline 4 ok"]
        assert app.clipboard == app.copies[0]  # Textual's own record of what it sent with OSC 52
        await pilot.press("escape")
        await pilot.pause()
        assert app.result == ["line 2 ok\nline 3 ERROR disk full\nline 4 ok"]
