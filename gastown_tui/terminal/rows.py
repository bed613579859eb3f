"""Row storage: characters and styles in two parallel lists, and a compact form for scrollback.

Writing a run of text is then two C-level slice assignments (the characters straight from the string, the style
repeated) instead of one cell object per character, which is what made per-cell emulators slow. Cells are built
only when a row is read (the widget reads dirty rows only). Scrollback lines are kept as they left the screen (no
copy; when the scrollback is full the dropped row is blanked and reused) and, once the session is idle, compacted
to a string plus style runs, blank tail dropped (several times smaller).
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

    def recycle(self, n: int) -> None:
        """Blank this row again (the scrollback dropped it), touching only the columns ever written."""
        e = min(self.extent, n)
        if len(self.chars) == n and len(self.styles) == n:
            self.chars[:e] = _spaces(n)[:e]
            self.styles[:e] = [BLANK] * e
        else:
            self.chars[:] = _spaces(n)
            self.styles[:] = [BLANK] * n
        self.extent = 0

    def used(self) -> int:
        """Columns up to the last one that is not a plain blank."""
        chars, styles = self.chars, self.styles
        n = min(self.extent, len(chars))
        while n and chars[n - 1] == " " and styles[n - 1] == BLANK:
            n -= 1
        return n


_BLANKS: dict[int, list[str]] = {}


def _spaces(n: int) -> list[str]:
    """A shared template of ``n`` spaces (copied, never mutated)."""
    spaces = _BLANKS.get(n)
    if spaces is None:
        spaces = _BLANKS[n] = [" "] * n
    return spaces


def blank_row(style: Cell, n: int) -> Row:
    """A row of ``n`` spaces in ``style`` (extent 0 only for the plain blank)."""
    return Row(_spaces(n)[:], [style] * n, 0 if style is BLANK else n)


class CompactLine:
    """An idle scrollback line: its text (a str when every cell is one code point) and (style, count) runs."""

    __slots__ = ("text", "runs")

    def __init__(self, text: str | list[str], runs: tuple[tuple[Cell, int], ...]) -> None:
        self.text = text
        self.runs = runs


HistoryLine = Union[Row, CompactLine]


def compact(row: Row) -> CompactLine:
    """Compress a history row (its blank tail is dropped)."""
    n = row.used()
    chars = row.chars[:n]
    text: str | list[str] = "".join(chars)
    if len(text) != len(chars) or "" in chars:  # stubs or multi-code-point clusters: keep the list
        text = chars
    runs = tuple((style, sum(1 for _ in group)) for style, group in groupby(row.styles[:n]))
    return CompactLine(text, runs)


def line_parts(line: HistoryLine) -> tuple[list[str], list[Cell]]:
    """Characters and styles of a history line, whatever its form."""
    if isinstance(line, Row):
        n = line.used()
        return line.chars[:n], line.styles[:n]
    styles: list[Cell] = []
    for style, count in line.runs:
        styles.extend([style] * count)
    return list(line.text), styles


def line_text(line: HistoryLine) -> str:
    """The text of a history line."""
    if isinstance(line, Row):
        return "".join(line.chars[: line.used()])
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
