"""Pilot tests of TerminalView: key translation, paste, the release chord, and dirty-row-only repaints."""

from __future__ import annotations

from textual import on
from textual.app import App, ComposeResult
from textual.widgets import Static

from gastown_tui.terminal import TerminalScreen
from widgets.terminal_view import ScreenSource, TerminalView


class TermApp(App[None]):
    """One terminal view and something else to focus."""

    def __init__(self, term: TerminalScreen) -> None:
        super().__init__()
        self.term = term
        self.sent: list[bytes] = []
        self.released = 0

    def compose(self) -> ComposeResult:
        yield TerminalView(self.term, writer=self.sent.append, id="term")
        yield Static("other", id="other")

    @on(TerminalView.ReleaseFocus)
    def release(self, message: TerminalView.ReleaseFocus) -> None:
        self.released += 1
        self.set_focus(None)


def test_terminal_screen_satisfies_the_protocol() -> None:
    assert isinstance(TerminalScreen(10, 3), ScreenSource)


async def test_key_translation() -> None:
    term = TerminalScreen(40, 10)
    app = TermApp(term)
    async with app.run_test(size=(60, 16)) as pilot:
        view = app.query_one(TerminalView)
        view.focus()
        await pilot.press("up", "ctrl+c", "alt+x", "enter", "tab", "shift+tab", "backspace", "escape", "f1",
                          "f12", "pageup", "delete", "home", "a")
        assert app.sent == [b"\x1b[A", b"\x03", b"\x1bx", b"\r", b"\t", b"\x1b[Z", b"\x7f", b"\x1b", b"\x1bOP",
                            b"\x1b[24~", b"\x1b[5~", b"\x1b[3~", b"\x1b[H", b"a"]
        assert view.has_focus  # Escape went to the child, focus stayed
        app.sent.clear()
        term.feed(b"\x1b[?1h")  # DECCKM: application cursor keys
        await pilot.press("up", "left", "ctrl+right")
        assert app.sent == [b"\x1bOA", b"\x1bOD", b"\x1b[1;5C"]


async def test_bracketed_paste() -> None:
    from textual import events

    term = TerminalScreen(40, 10)
    app = TermApp(term)
    async with app.run_test() as pilot:
        view = app.query_one(TerminalView)
        view.focus()
        view.post_message(events.Paste("one\ntwo"))
        await pilot.pause()
        assert app.sent == [b"one\rtwo"]
        term.feed(b"\x1b[?2004h")
        view.post_message(events.Paste("one\ntwo"))
        await pilot.pause()
        assert app.sent[-1] == b"\x1b[200~one\rtwo\x1b[201~"


async def test_release_focus_chord() -> None:
    term = TerminalScreen(40, 10)
    app = TermApp(term)
    async with app.run_test() as pilot:
        view = app.query_one(TerminalView)
        view.focus()
        await pilot.pause()
        app.sent.clear()
        term.feed(b"\x1b[?1004h")  # the child wants focus events
        await pilot.press("ctrl+backslash")
        await pilot.pause()
        assert app.released == 1 and not view.has_focus
        assert app.sent == [b"\x1b[O"]  # focus-out is reported; the chord itself never reaches the child


async def test_only_dirty_rows_are_rebuilt() -> None:
    term = TerminalScreen(40, 10)
    term.feed(b"".join(b"row %d\r\n" % i for i in range(8)))
    app = TermApp(term)
    async with app.run_test(size=(60, 16)) as pilot:
        view = app.query_one(TerminalView)
        await pilot.pause()
        assert view.render_line(3).text.startswith("row 3")
        before = view.strip_builds
        term.feed(b"\x1b[5;1Hchanged")
        for _ in range(20):  # a burst of notifications coalesces
            view.post_message(TerminalView.Output())
        await pilot.pause()
        assert view.strip_builds - before == 1
        assert view.render_line(4).text.startswith("changed")


async def test_hidden_view_does_no_work_and_repaints_when_shown() -> None:
    term = TerminalScreen(40, 10)
    app = TermApp(term)
    async with app.run_test(size=(60, 16)) as pilot:
        view = app.query_one(TerminalView)
        await pilot.pause()
        view.display = False
        await pilot.pause()
        term.feed(b"hidden output")
        view.post_message(TerminalView.Output())
        await pilot.pause()
        assert term.take_dirty() == {0}  # the hidden view did not consume the rows
        term.feed(b" more")
        view.display = True
        await pilot.pause()
        assert view.render_line(0).text.startswith("hidden output more")


async def test_scrollback_keys() -> None:
    term = TerminalScreen(40, 5)
    term.feed(b"".join(b"line %d\r\n" % i for i in range(30)))
    app = TermApp(term)
    async with app.run_test(size=(40, 5)) as pilot:
        view = app.query_one(TerminalView)
        view.focus()
        await pilot.press("shift+pageup")
        assert view.scroll_back > 0
        assert view.render_line(0).text.startswith(f"line {26 - view.scroll_back}")
        await pilot.press("x")  # typing returns to the live view
        assert view.scroll_back == 0 and app.sent == [b"x"]


async def test_synchronized_frame_is_painted_once_complete() -> None:
    term = TerminalScreen(40, 10)
    app = TermApp(term)
    async with app.run_test(size=(60, 16)) as pilot:
        view = app.query_one(TerminalView)
        await pilot.pause()
        term.feed(b"\x1b[?2026h\x1b[2;1Hhalf a frame")
        view.post_message(TerminalView.Output())
        await pilot.pause()
        assert not view.render_line(1).text.startswith("half")  # held while the frame is open
        term.feed(b" done\x1b[?2026l")
        view.post_message(TerminalView.Output())
        await pilot.pause()
        assert view.render_line(1).text.startswith("half a frame done")


async def test_live_session_in_a_view() -> None:
    """A real PtySession drives the view: output notifications coalesce, keys reach the child."""
    import asyncio

    from gastown_tui.terminal import PtySession

    session = PtySession(["cat"], cols=40, rows=10)

    class LiveApp(App[None]):
        def compose(self) -> ComposeResult:
            yield TerminalView(session.screen, writer=session.write)

    app = LiveApp()
    async with app.run_test(size=(40, 10)) as pilot:
        view = app.query_one(TerminalView)
        session.on_output = lambda s, data: view.post_message(TerminalView.Output())
        await session.start()
        view.focus()
        await pilot.press(*"hello", "enter")
        for _ in range(100):
            await asyncio.sleep(0.02)
            await pilot.pause()
            if view.render_line(1).text.startswith("hello"):
                break
        assert view.render_line(0).text.startswith("hello")  # the tty's echo
        assert view.render_line(1).text.startswith("hello")  # cat's output
        await pilot.press("ctrl+d")
        assert await session.wait(5) == 0


async def test_mouse_goes_to_the_child_when_it_asked_for_sgr_mouse() -> None:
    term = TerminalScreen(40, 10)
    app = TermApp(term)
    async with app.run_test(size=(60, 16)) as pilot:
        view = app.query_one(TerminalView)
        view.focus()
        await pilot.click(TerminalView, offset=(2, 1))
        assert app.sent == []  # no mouse mode: clicks stay in the app
        term.feed(b"\x1b[?1000h\x1b[?1006h")
        await pilot.click(TerminalView, offset=(2, 1))
        assert app.sent == [b"\x1b[<0;3;2M", b"\x1b[<0;3;2m"]
