"""TerminalView over the libghostty-vt screen: OSC 8 links, OSC 52 clipboard, kitty keys, the width policy."""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.widgets import Button

from gastown_tui.terminal import TerminalScreen
from widgets.terminal_view import TerminalView, cells_to_strip


class TermApp(App[None]):
    """One terminal view and something else to focus."""

    def __init__(self, term: TerminalScreen) -> None:
        super().__init__()
        self.term = term
        self.sent: list[bytes] = []

    def compose(self) -> ComposeResult:
        yield TerminalView(self.term, writer=self.sent.append, id="term")
        yield Button("other", id="other")


def test_osc8_link_becomes_a_rich_link_on_exactly_its_cells() -> None:
    term = TerminalScreen(30, 3)
    term.feed(b"see \x1b]8;id=1;https://example.com/pr/7\x1b\\PR 7\x1b]8;;\x1b\\ now")
    row = term.row(0)
    assert [c.link for c in row[3:9]] == ["", *["https://example.com/pr/7"] * 4, ""]
    segments = list(cells_to_strip(row))
    linked = [seg for seg in segments if seg.style is not None and seg.style.link]
    assert [(seg.text, seg.style.link) for seg in linked] == [("PR 7", "https://example.com/pr/7")]  # type: ignore[union-attr]


async def test_osc52_reaches_the_clipboard_only_from_the_focused_pane() -> None:
    term = TerminalScreen(40, 5)
    app = TermApp(term)
    async with app.run_test() as pilot:
        view = app.query_one(TerminalView)
        app.set_focus(app.query_one("#other", Button))
        await pilot.pause()
        assert not view.has_focus
        term.feed(b"\x1b]52;c;c2VjcmV0IGZyb20gYmFja2dyb3VuZA==\x07")  # "secret from background"
        view.post_message(TerminalView.Output())
        await pilot.pause()
        assert view.clipboard_copies == 0 and app.clipboard != "secret from background"
        assert term.take_clipboard() == []  # dropped, not kept for later: focusing must not replay it
        view.focus()
        await pilot.pause()
        term.feed(b"\x1b]52;c;Y29waWVkIQ==\x1b\\")  # "copied!"
        view.post_message(TerminalView.Output())
        await pilot.pause()
        assert view.clipboard_copies == 1 and app.clipboard == "copied!"


async def test_kitty_keyboard_when_the_child_enables_it_and_legacy_after() -> None:
    term = TerminalScreen(40, 5)
    app = TermApp(term)
    async with app.run_test() as pilot:
        view = app.query_one(TerminalView)
        view.focus()
        await pilot.press("ctrl+a", "escape", "a")
        assert app.sent == [b"\x01", b"\x1b", b"a"]
        app.sent.clear()
        term.feed(b"\x1b[>1u")  # push flags: disambiguate escape codes
        assert term.kitty_keyboard_flags == 1
        await pilot.press("ctrl+a", "escape", "a", "enter")
        assert app.sent == [b"\x1b[97;5u", b"\x1b[27u", b"a", b"\r"]
        app.sent.clear()
        term.feed(b"\x1b[<u")  # pop: back to legacy xterm keys
        await pilot.press("ctrl+a", "escape")
        assert app.sent == [b"\x01", b"\x1b"]


def test_width_policy_never_shifts_a_row() -> None:
    term = TerminalScreen(24, 2)
    # VS16 emoji (2 wide by mode 2027, 1 in Rich), a ZWJ family (2 wide, 6 in Rich), CJK, a flag, then a marker
    term.feed("a\u2601\ufe0fb\U0001f468\u200d\U0001f469\u200d\U0001f467c\u4e2dd\U0001f1fa\U0001f1f8|".encode())
    row = term.row(0)
    assert len(row) == 24
    marker = next(x for x, c in enumerate(row) if c.char == "|")
    strip = cells_to_strip(row)
    assert strip.cell_length == 24
    text = "".join(seg.text for seg in strip)
    assert cell_len(text[: text.index("|")]) == marker  # the marker is drawn in the column the emulator put it
    assert marker == sum(c.width for c in row[:marker]) == 12
