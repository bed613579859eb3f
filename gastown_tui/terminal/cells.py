"""The screen's value types (``Cell``, ``Modes``, ``SearchHit``) and colour naming.

Colours are strings Rich understands directly: ``"default"``, the 8 ANSI names (``"red"``), ``"bright_<name>"``
for 90–97/100–107 (and 256-colour indexes 8–15), ``"color(N)"`` for 256-colour indexes 16–255 and ``"#rrggbb"``
for true colour. A cell's width is the emulator's decision (libghostty-vt's ``wide`` flag), never re-measured
here: the width policy is described in MEASUREMENTS.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

ANSI_NAMES = ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")


class Cell(NamedTuple):
    """One screen cell. The first ten fields keep their historical (pyte-derived) names and order."""

    data: str
    fg: str = "default"
    bg: str = "default"
    bold: bool = False
    italics: bool = False
    underscore: bool = False
    strikethrough: bool = False
    reverse: bool = False
    blink: bool = False
    dim: bool = False
    link: str = ""  # OSC 8 hyperlink target ("" = none)
    wide: bool = False  # the grapheme covers two columns (the next cell is its "" stub)

    @property
    def char(self) -> str:
        """The grapheme drawn in this cell ("" for the right half of a wide character)."""
        return self.data

    @property
    def italic(self) -> bool:
        """Italic text."""
        return self.italics

    @property
    def underline(self) -> bool:
        """Underlined text."""
        return self.underscore

    @property
    def width(self) -> int:
        """Columns this cell's grapheme covers: 0 for a wide character's stub, else 1 or 2."""
        return 0 if not self.data else 2 if self.wide else 1


BLANK = Cell(" ")

_INDEX = tuple(ANSI_NAMES) + tuple("bright_" + n for n in ANSI_NAMES) + tuple(f"color({n})" for n in range(16, 256))


def index_colour(n: int) -> str:
    """Name a 256-colour palette index."""
    return _INDEX[n]


@dataclass(frozen=True)
class Modes:
    """Snapshot of the terminal modes a host or widget acts on."""

    bracketed_paste: bool
    mouse_tracking: bool
    mouse_sgr: bool
    app_cursor_keys: bool
    alt_screen: bool
    synchronized: bool
    focus_events: bool
    cursor_visible: bool


@dataclass(frozen=True)
class SearchHit:
    """One match: ``line`` indexes ``scrollback_lines + display`` (0 = oldest history line)."""

    line: int
    column: int
    text: str
