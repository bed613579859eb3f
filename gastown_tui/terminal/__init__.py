"""Embedded terminals: PTY sessions (pexpect) and a VT screen behind one small interface. No Textual here.

Public API:

    screen = TerminalScreen(cols, rows, scrollback=10_000)
    screen.feed(data: bytes) -> None          # parse output; queued replies (DA/DSR/CPR) go to screen.take_replies()
    screen.resize(cols, rows)
    screen.take_dirty() -> set[int]           # rows changed since last call (for the line-API widget)
    screen.row(y) -> list[Cell]               # Cell: char, fg, bg, bold, italic, underline, reverse, ... (a
                                              # structural match of widgets.terminal_view's ScreenSource protocol)
    screen.display -> list[str] ; screen.cursor -> (x, y, visible) ; screen.title
    screen.modes: bracketed_paste, mouse_sgr, app_cursor_keys, alt_screen, synchronized (DEC 2026 frame open)
    screen.scrollback_lines / screen.search(text)

    session = PtySession(argv, cwd=..., env=..., cols=80, rows=24, transcript=Path | None)
    await session.start(loop)                 # pexpect spawn; fd read with loop.add_reader, batched ~12 ms
    session.on_output / session.on_exit       # callbacks (engine turns them into events)
    session.write(data: bytes) ; session.paste(text) ; session.resize(cols, rows) ; session.signal(sig)
    session.alive ; session.exit_status ; session.pid ; session.screen ; session.last_output_at
"""
