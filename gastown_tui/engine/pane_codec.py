"""TerminalScreen cells -> wire runs (`engine.api.panes.Run`): consecutive equally styled plain cells (same OSC 8
link too) merge."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from gastown_tui.engine.api.panes import BLINK, BOLD, DIM, ITALIC, REVERSE, STRIKE, UNDERLINE, PaneModes, PaneRow, Run


def _attrs(cell: Any) -> int:
    return ((BOLD if cell.bold else 0) | (ITALIC if cell.italic else 0) | (UNDERLINE if cell.underline else 0)
            | (REVERSE if cell.reverse else 0) | (STRIKE if cell.strikethrough else 0) | (DIM if cell.dim else 0)
            | (BLINK if cell.blink else 0))


def encode_row(y: int, cells: Sequence[Any]) -> PaneRow:
    """One row of TerminalScreen cells as runs (stub cells after wide ones are implied, not sent).

    Rows are cached by content: a scrolling log moves the same rows up one line per output batch, so each flush
    encodes only the new lines (a per-cell Python loop over every dirty row of 4 streaming panes at 60/s was most of
    the engine's CPU).
    """
    try:
        key = tuple(cells)
        runs = _cached_runs(key)
    except TypeError:  # cells that cannot be hashed: encode without the cache
        runs = _runs(cells)
    return PaneRow(y, runs)


@lru_cache(maxsize=8192)
def _cached_runs(cells: tuple[Any, ...]) -> tuple[Run, ...]:
    return _runs(cells)


def _runs(cells: Sequence[Any]) -> tuple[Run, ...]:
    """The runs of one row."""
    runs: list[Run] = []
    text: list[str] = []
    style: tuple[str, str, int, str] | None = None

    def flush() -> None:
        if text and style is not None:
            runs.append(Run("".join(text), style[0], style[1], style[2], 0, style[3]))
        text.clear()

    for cell in cells:
        width = cell.width
        if width == 0:
            continue  # the stub of the wide cell before it
        key = (cell.fg, cell.bg, _attrs(cell), getattr(cell, "link", "") or "")
        char = cell.char or " "
        if width == 1 and len(char) == 1:
            if key != style:
                flush()
                style = key
            text.append(char)
            continue
        flush()
        style = None
        runs.append(Run(char, key[0], key[1], key[2], width, key[3]))
    flush()
    # trailing default blanks carry nothing the client does not pad in itself
    if runs and runs[-1].fg == "default" and runs[-1].bg == "default" and runs[-1].attrs == 0 \
            and runs[-1].cell == 0 and not runs[-1].link:
        stripped = runs[-1].text.rstrip(" ")
        runs[-1:] = [Run(stripped)] if stripped else []
    return tuple(runs)


def encode_modes(screen: Any) -> PaneModes:
    """The screen's modes the client needs."""
    modes = screen.modes
    return PaneModes(bool(modes.bracketed_paste), bool(modes.mouse_tracking), bool(modes.mouse_sgr),
                     bool(modes.app_cursor_keys), bool(getattr(modes, "alt_screen", False)),
                     bool(screen.cursor[2]), int(getattr(screen, "kitty_keyboard_flags", 0) or 0))
