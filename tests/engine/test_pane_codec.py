"""Screens cross the wire intact: cells -> runs -> RemoteScreen cells, for colours, attributes and wide text."""

from __future__ import annotations

from gastown_tui.engine import api
from gastown_tui.engine.pane_codec import encode_modes, encode_row
from gastown_tui.terminal import TerminalScreen

FIELDS = ("char", "fg", "bg", "bold", "italic", "underline", "reverse", "strikethrough", "dim", "blink", "width")


def snapshot(screen: TerminalScreen) -> api.PaneSnapshot:
    x, y, _ = screen.cursor
    return api.PaneSnapshot("a/polecats/x", screen.cols, screen.rows,
                            tuple(encode_row(i, screen.row(i)) for i in range(screen.rows)), x, y,
                            encode_modes(screen))


def cells(row: object) -> list[tuple[object, ...]]:
    return [tuple(getattr(c, f) for f in FIELDS) for c in row]  # type: ignore[attr-defined]


def test_cells_survive_the_wire() -> None:
    screen = TerminalScreen(40, 6)
    screen.feed("\x1b[1;31mred bold\x1b[0m \x1b[38;2;10;20;30;48;5;200mtrue\x1b[0m \x1b[3;4;9mx\x1b[0m\r\n".encode())
    screen.feed("wide 漢字 and 👍🏽 e\u0301\r\n\x1b[7mrev\x1b[0m\x1b[2mdim\x1b[0m".encode())
    line = api.encode(snapshot(screen))
    remote = api.RemoteScreen(api.decode(line).message)
    for y in range(screen.rows):
        assert cells(remote.row(y)) == cells(screen.row(y)), y
    assert remote.cursor == screen.cursor
    assert len(line) < 2000  # runs, not cells: a mostly empty 40x6 screen is small


def test_updates_replace_only_changed_rows() -> None:
    screen = TerminalScreen(20, 4)
    remote = api.RemoteScreen(snapshot(screen))
    remote.take_dirty()
    screen.take_dirty()
    screen.feed(b"hello")
    dirty = screen.take_dirty()
    x, y, _ = screen.cursor
    remote.apply(api.PaneUpdate("a/polecats/x", 20, 4, tuple(encode_row(i, screen.row(i)) for i in dirty), x, y,
                                encode_modes(screen), seq=2))
    assert remote.take_dirty() == dirty == {0}
    assert remote.display[0].rstrip() == "hello" and remote.cursor == (5, 0, True)
