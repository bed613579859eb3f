"""Embedded terminals: PTY sessions (pexpect) and a VT screen (libghostty-vt through ``pyghostty``) behind one
small interface. No Textual here.

Public API (``from gastown_tui.terminal import PtySession, TerminalScreen, Cell, Modes, SearchHit``):

    screen = TerminalScreen(cols=80, rows=24, scrollback=10_000, clock=time.monotonic)
    screen.feed(data: bytes) -> None          # parse output (incremental UTF-8, invalid bytes -> U+FFFD;
                                              # sequences may be split across chunks); thread-safe
    screen.take_replies() -> bytes            # the library's answers to DA1/DA2/DSR/CPR/DECRQM/XTVERSION/OSC 10-11/
                                              # CSI 14/16/18 t queries; the session writes them back to the child
    screen.take_clipboard() -> list[str]      # OSC 52 writes since the last call (at most 4 kept; the view copies
                                              # the newest to the Overseer's clipboard only from the focused pane)
    screen.encode_key(key, character) -> bytes | None   # a Textual-style key through the library's encoder
    screen.kitty_keyboard_flags -> int        # kitty keyboard flags the child pushed (0: legacy xterm keys)
    screen.resize(cols, rows)                 # the primary screen reflows like tmux (growing pulls history back)
    screen.take_dirty() -> set[int]           # rows whose cells changed since the last call; empty while a DEC 2026
                                              # synchronized frame is open (library render hold), at most
                                              # screen.sync_timeout (0.5 s)
    screen.frame_pending -> bool              # a DEC 2026 frame is open (poll again later even without output)
    screen.row(y) -> list[Cell]               # exactly `cols` cells; a wide char is followed by a "" stub cell
    screen.history_row(i) -> list[Cell]       # scrollback line i (0 = oldest), exactly `cols` cells
    screen.display -> list[str]               # rows as text, trailing blanks cut (one library formatter call)
    screen.cursor -> (x, y, visible) ; screen.title ; screen.cols ; screen.rows
    screen.modes -> Modes(bracketed_paste, mouse_tracking, mouse_sgr, app_cursor_keys, alt_screen,
                          synchronized, focus_events, cursor_visible) ; screen.mouse_modes -> {1000,1002,1003,1006}
    screen.scrollback_lines ; screen.scrolled_off (monotonic count) ; screen.history_text(i)
    screen.search(text, ignore_case=True) -> [SearchHit(line, column, text)]   # line indexes history + display
    screen.compact(budget) ; screen.clear_scrollback() ; screen.close() ; screen.lock (an RLock every call takes)

    Cell (NamedTuple): char (= data), fg, bg, bold, italic (= italics), underline (= underscore), reverse,
    strikethrough, dim, blink, link (OSC 8 target, "" for none), wide (covers two columns), width (property: 0
    for a stub, else 1 or 2). Colours are Rich colour strings: "default", "red"… (palette 0–7), "bright_red"…
    (8–15), "color(N)" (16–255), "#rrggbb" (true colour). TerminalScreen satisfies
    widgets.terminal_view.ScreenSource structurally (plus its optional encode_key / kitty_keyboard_flags /
    take_clipboard / Cell.link). Width policy: grapheme clustering (mode 2027), see MEASUREMENTS.md.

    session = PtySession(argv, cwd=None, env=None, cols=80, rows=24, transcript=None, scrollback=10_000,
                         batch_delay=0.012, clock=time.monotonic, on_output=f(session, data), on_exit=f(session))
    await session.start()                     # pexpect spawn at the real size; FileNotFoundError for a bad argv;
                                              # the fd is read with loop.add_reader, output batched ~12 ms
    session.write(data: bytes) ; session.paste(text) ; session.resize(cols, rows) ; session.signal(sig)
    session.terminate(force=False) ; await session.stop(grace=2.0) ; await session.wait(timeout) -> status
    session.alive ; session.exit_status (exit code, or -signal) ; session.pid ; session.screen
    session.last_output_at (on the session's clock)

    Environment: the caller's env dict (os.environ if None) with PATH kept, TERM=xterm-256color,
    COLORTERM=truecolor, and LANG=C.UTF-8 if no locale variable is set. The tty keeps its normal echo.
    Transcript: raw output bytes appended to the given path, created with mode 0600. Paste: bracketed when the
    child enabled mode 2004, newlines sent as CR. Output parsing is time-boxed (8 ms per loop turn) and reading
    pauses above 1 MB queued, so a flooding child never blocks the event loop. Scrollback is compressed after
    1 s without output.

Emulator choice and measurements: MEASUREMENTS.md next to this file.
"""

from gastown_tui.terminal.cells import Cell
from gastown_tui.terminal.screen import Modes, SearchHit, TerminalScreen
from gastown_tui.terminal.session import PtySession

__all__ = ["Cell", "Modes", "PtySession", "SearchHit", "TerminalScreen"]
