"""Embedded terminals: PTY sessions (pexpect) and a VT screen behind one small interface. No Textual here.

Public API (``from gastown_tui.terminal import PtySession, TerminalScreen, Cell``):

    screen = TerminalScreen(cols, rows, scrollback=10_000)
    screen.feed(data: bytes) -> None          # parse output (incremental UTF-8; sequences may span chunks)
    screen.take_replies() -> bytes            # answers to DA1/DA2/DSR/CPR/DECRQM/OSC 10-11 to write to the child
    screen.resize(cols, rows)
    screen.take_dirty() -> set[int]           # rows changed since the last call; held (empty) while a DEC 2026
                                              # synchronized frame is open, at most screen.sync_timeout (0.5 s)
    screen.row(y) -> list[Cell]               # exactly `cols` cells; a wide char is followed by a "" stub cell
    screen.history_row(i) -> list[Cell]       # scrollback line i (0 = oldest), padded to cols
    screen.display -> list[str] ; screen.cursor -> (x, y, visible) ; screen.title ; screen.cols ; screen.rows
    screen.modes -> Modes(bracketed_paste, mouse_tracking, mouse_sgr, app_cursor_keys, alt_screen,
                          synchronized, focus_events, cursor_visible)
    screen.scrollback_lines ; screen.scrolled_off ; screen.history_text(i) ; screen.search(text) -> [SearchHit]

    Cell (NamedTuple): char (= data), fg, bg, bold, italic (= italics), underline (= underscore), reverse,
    strikethrough, dim, blink, width (0 for a stub, else 1 or 2). Colours are Rich colour strings: "default",
    "red"… (ANSI 30–37), "bright_red"… (90–97), "color(N)" (256-colour 16–255), "#rrggbb" (true colour).
    TerminalScreen satisfies widgets.terminal_view.ScreenSource structurally.

    session = PtySession(argv, cwd=..., env=..., cols=80, rows=24, transcript=Path | None,
                         on_output=f(session, data), on_exit=f(session))
    await session.start()                     # pexpect spawn; fd read with loop.add_reader, batched ~12 ms
    session.write(data: bytes) ; session.paste(text) ; session.resize(cols, rows) ; session.signal(sig)
    session.terminate(force=False) ; await session.stop(grace) ; await session.wait(timeout)
    session.alive ; session.exit_status (code, or -signal) ; session.pid ; session.screen
    session.last_output_at (session clock, default time.monotonic)

    Environment: the caller's env dict (os.environ if None) with PATH kept, TERM=xterm-256color,
    COLORTERM=truecolor, and LANG=C.UTF-8 if no locale variable is set. Transcript: raw bytes appended, mode 0600.

Emulator choice and measurements: see MEASUREMENTS.md next to this file.
"""

from gastown_tui.terminal.cells import Cell
from gastown_tui.terminal.screen import Modes, SearchHit, TerminalScreen
from gastown_tui.terminal.session import PtySession

__all__ = ["Cell", "Modes", "PtySession", "SearchHit", "TerminalScreen"]
