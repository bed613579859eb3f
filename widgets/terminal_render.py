"""What the terminal view reads (the ``ScreenSource`` protocol) and how cells become Textual ``Strip``s."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol, runtime_checkable

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

class CellLike(Protocol):
    """One cell as the view needs it (colours are Rich colour strings or "default")."""

    char: str
    fg: str
    bg: str
    bold: bool
    italic: bool
    underline: bool
    reverse: bool
    strikethrough: bool
    dim: bool
    blink: bool
    width: int


class ModesLike(Protocol):
    """The mode flags the view acts on."""

    bracketed_paste: bool
    app_cursor_keys: bool
    mouse_tracking: bool
    mouse_sgr: bool


@runtime_checkable
class ScreenSource(Protocol):
    """What the view reads from a terminal screen."""

    cols: int
    rows: int
    scrollback_lines: int
    scrolled_off: int

    def row(self, y: int) -> Sequence[CellLike]: ...
    def history_row(self, index: int) -> Sequence[CellLike]: ...
    def take_dirty(self) -> set[int]: ...
    @property
    def cursor(self) -> tuple[int, int, bool]: ...
    @property
    def modes(self) -> ModesLike: ...


@lru_cache(maxsize=4096)
def _glyph(char: str, width: int) -> str:
    """Text that really covers ``width`` columns in Rich (a VS16 cluster tmux keeps 1 wide loses its VS16)."""
    if not char:
        return ""
    if cell_len(char) == width:
        return char
    base = char[0]
    return base if cell_len(base) == width else " " * width


@lru_cache(maxsize=2048)
def _style(fg: str, bg: str, bold: bool, italic: bool, underline: bool, reverse: bool, strike: bool,
           dim: bool, blink: bool) -> Style:
    """Rich style for a cell's attributes (Textual downgrades colours on 16-colour terminals)."""
    return Style(color=None if fg == "default" else fg, bgcolor=None if bg == "default" else bg,
                 bold=bold or None, italic=italic or None, underline=underline or None, reverse=reverse or None,
                 strike=strike or None, dim=dim or None, blink=blink or None)


def cells_to_strip(cells: Sequence[CellLike], cursor_x: int = -1) -> Strip:
    """Merge runs of equally styled cells into segments; the cursor cell is drawn reversed."""
    segments: list[Segment] = []
    run: list[str] = []
    run_key: tuple[object, ...] | None = None
    for x, c in enumerate(cells):
        key = (c.fg, c.bg, c.bold, c.italic, c.underline, c.reverse != (x == cursor_x), c.strikethrough,
               c.dim, c.blink)
        if key != run_key:
            if run:
                segments.append(Segment("".join(run), _style(*run_key)))  # type: ignore[misc]
            run, run_key = [], key
        run.append(_glyph(c.char, c.width))
    if run:
        segments.append(Segment("".join(run), _style(*run_key)))  # type: ignore[misc]
    return Strip(segments, len(cells))
