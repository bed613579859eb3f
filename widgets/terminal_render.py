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
    # optional: ``link`` (str, an OSC 8 target, "" for none) is read with getattr


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
    """Text that Rich measures as exactly ``width`` columns, so a row never shifts.

    The emulator clusters graphemes (mode 2027); Rich measures code point by code point. When they disagree the
    cluster is drawn as its base character (a VS16 emoji loses its VS16, a ZWJ sequence shows its first person),
    padded with spaces when the base is narrower, or as spaces when even the base is wider.
    """
    if not char:
        return ""
    if cell_len(char) == width:
        return char
    base = char[0]
    n = cell_len(base)
    return base + " " * (width - n) if 0 < n <= width else " " * width


@lru_cache(maxsize=2048)
def _style(fg: str, bg: str, bold: bool, italic: bool, underline: bool, reverse: bool, strike: bool,
           dim: bool, blink: bool, link: str = "") -> Style:
    """Rich style for a cell's attributes (Textual downgrades colours on 16-colour terminals); an OSC 8 target
    becomes a Rich link, which the outer terminal makes clickable."""
    return Style(color=None if fg == "default" else fg, bgcolor=None if bg == "default" else bg,
                 bold=bold or None, italic=italic or None, underline=underline or None, reverse=reverse or None,
                 strike=strike or None, dim=dim or None, blink=blink or None, link=link or None)


def cells_to_strip(cells: Sequence[CellLike], cursor_x: int = -1) -> Strip:
    """Merge runs of equally styled cells into segments; the cursor cell is drawn reversed."""
    segments: list[Segment] = []
    run: list[str] = []
    run_key: tuple[object, ...] | None = None
    for x, c in enumerate(cells):
        key = (c.fg, c.bg, c.bold, c.italic, c.underline, c.reverse != (x == cursor_x), c.strikethrough,
               c.dim, c.blink, getattr(c, "link", ""))
        if key != run_key:
            if run:
                segments.append(Segment("".join(run), _style(*run_key)))  # type: ignore[misc]
            run, run_key = [], key
        run.append(_glyph(c.char, c.width))
    if run:
        segments.append(Segment("".join(run), _style(*run_key)))  # type: ignore[misc]
    return Strip(segments, len(cells))
