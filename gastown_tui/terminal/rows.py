"""Row storage: characters and styles in two parallel lists, and a compact form for scrollback.

Writing a run of text is then two C-level slice assignments (the characters straight from the string, the style
repeated) instead of one cell object per character, which is what made per-cell emulators slow. Cells are built
only when a row is read (the widget reads dirty rows only). Scrollback lines are kept as trimmed rows and, once the
session is idle, compacted to a string plus style runs (about 3x smaller).
"""

from __future__ import annotations

from itertools import groupby
from typing import Union

from gastown_tui.terminal.cells import BLANK, Cell


class Row:
    """One screen row: ``chars[x]`` (a grapheme, "" for a wide char's stub) and ``styles[x]`` (a Cell whose data
    is ignored). ``extent`` bounds the columns ever written: beyond it the row is still its initial blank."""

    __slots__ = ("chars", "styles", "extent")

    def __init__(self, chars: list[str], styles: list[Cell], extent: int) -> None:
        self.chars = chars
        self.styles = styles
        self.extent = extent

    def reset(self, n: int) -> None:
        """Make this row ``n`` plain blanks again (recycling a row the scrollback dropped)."""
        spaces = _BLANKS.get(n)
        if spaces is None:
            spaces = _BLANKS[n] = [" "] * n
        self.chars[:] = spaces
        self.styles[:] = _BLANK_STYLES.get(n) or _BLANK_STYLES.setdefault(n, [BLANK] * n)
        self.extent = 0

    def trim(self) -> Row:
        """Cut the blank tail in place (used when the row leaves the screen for the scrollback)."""
        chars, styles = self.chars, self.styles
        n = min(self.extent, len(chars))
        while n and chars[n - 1] == " " and styles[n - 1] == BLANK:
            n -= 1
        if n < len(chars):  # copy rather than truncate: a truncated list keeps its full capacity
            self.chars = chars[:n]
            self.styles = styles[:n]
        self.extent = n
        return self


_BLANKS: dict[int, list[str]] = {}
_BLANK_STYLES: dict[int, list[Cell]] = {}


def blank_row(style: Cell, n: int) -> Row:
    """A row of ``n`` spaces in ``style`` (extent 0 only for the plain blank)."""
    spaces = _BLANKS.get(n)
    if spaces is None:
        spaces = _BLANKS[n] = [" "] * n
    return Row(spaces[:], [style] * n, 0 if style is BLANK else n)


class CompactLine:
    """An idle scrollback line: its text (a str when every cell is one code point) and (style, count) runs."""

    __slots__ = ("text", "runs")

    def __init__(self, text: str | list[str], runs: tuple[tuple[Cell, int], ...]) -> None:
        self.text = text
        self.runs = runs


HistoryLine = Union[Row, CompactLine]


def compact(row: Row) -> CompactLine:
    """Compress a trimmed row."""
    chars = row.chars
    text: str | list[str] = "".join(chars)
    if len(text) != len(chars) or "" in chars:  # stubs or multi-code-point clusters: keep the list
        text = list(chars)
    runs = tuple((style, sum(1 for _ in group)) for style, group in groupby(row.styles))
    return CompactLine(text, runs)


def line_parts(line: HistoryLine) -> tuple[list[str], list[Cell]]:
    """Characters and styles of a history line, whatever its form."""
    if isinstance(line, Row):
        return line.chars, line.styles
    styles: list[Cell] = []
    for style, count in line.runs:
        styles.extend([style] * count)
    return list(line.text), styles


def line_text(line: HistoryLine) -> str:
    """The text of a history line."""
    if isinstance(line, Row):
        return "".join(line.chars)
    return line.text if isinstance(line.text, str) else "".join(line.text)


class CellMap(dict):  # type: ignore[type-arg]
    """char -> Cell for one style, so reading a row shares cell objects instead of creating them."""

    def __init__(self, style: Cell) -> None:
        super().__init__()
        self.tail = tuple(style[1:])

    def __missing__(self, ch: str) -> Cell:
        cell = self[ch] = tuple.__new__(Cell, (ch, *self.tail))  # 3x cheaper than namedtuple._replace
        return cell


class CellMaps(dict):  # type: ignore[type-arg]
    """style -> CellMap, bounded (styles from random true colours would otherwise pile up)."""

    def __missing__(self, style: Cell) -> CellMap:
        if len(self) > 1024:
            self.clear()
        cmap = self[style] = CellMap(style)
        return cmap

    def cells(self, chars: list[str], styles: list[Cell]) -> list[Cell]:
        """Cells for parallel character and style lists."""
        return [self[s][c] for c, s in zip(chars, styles)]
