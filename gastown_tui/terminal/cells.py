"""Cells, colours, widths and SGR: the value types a screen row is made of.

Colours are strings Rich understands directly: ``"default"``, the 8 ANSI names (``"red"``), ``"bright_<name>"``
for 90–97/100–107 (and 256-colour indexes 8–15), ``"color(N)"`` for 256-colour indexes 16–255 and ``"#rrggbb"``
for true colour. Width policy (matches tmux 3.3a, measured): ``wcwidth`` except that regional indicators are 1
column; zero-width code points (combining marks, VS15/VS16, ZWJ, ZWSP) join the previous cell without widening
it; a wide character right after a ZWJ joins the previous cell (emoji ZWJ sequences take one cell).
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from wcwidth import wcwidth

ANSI_NAMES = ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")
ZWJ = "\u200d"


class Cell(NamedTuple):
    """One screen cell. Field names follow pyte's ``Char`` so pyte's own methods keep working on it."""

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
        return char_width(self.data[0]) if self.data else 0


BLANK = Cell(" ")


@lru_cache(maxsize=4096)
def char_width(ch: str) -> int:
    """Column width of one code point under our tmux-matching policy (-1: unprintable, 0: joins previous)."""
    if "\U0001f1e6" <= ch <= "\U0001f1ff":  # regional indicators: tmux/glibc say 1, wcwidth says 2
        return 1
    w = wcwidth(ch)
    return w


def _index_colour(n: int) -> str:
    """Name a 256-colour palette index."""
    if n < 8:
        return ANSI_NAMES[n]
    if n < 16:
        return "bright_" + ANSI_NAMES[n - 8]
    return f"color({n})"


def _int(s: str, default: int = 0) -> int:
    """Parse a decimal SGR parameter; empty or junk means the default."""
    return int(s) if s.isdigit() else default


def _extended_colour(parts: list[str]) -> str | None:
    """Decode the arguments after 38/48: ``5;N`` or ``2;[cs;]r;g;b`` (already split)."""
    if not parts:
        return None
    kind = parts[0]
    if kind == "5" and len(parts) >= 2:
        n = _int(parts[1], -1)
        return _index_colour(n) if 0 <= n <= 255 else None
    if kind == "2" and len(parts) >= 4:
        rgb = parts[-3:]
        vals = [min(255, _int(v)) for v in rgb]
        return "#{:02x}{:02x}{:02x}".format(*vals)
    return None


def apply_sgr(attrs: Cell, params: str) -> Cell:
    """Return ``attrs`` updated by one SGR parameter string, colon (ITU T.416) or semicolon form."""
    groups = params.split(";") if params else ["0"]
    changes: dict[str, object] = {}
    i = 0
    n = len(groups)
    while i < n:
        group = groups[i]
        i += 1
        if ":" in group:  # colon form: sub-parameters stay inside one group
            sub = group.split(":")
            code = _int(sub[0])
            if code in (38, 48):
                colour = _extended_colour(sub[1:] if sub[1:2] != ["2"] or len(sub) < 6 else ["2", *sub[3:6]])
                if colour is not None:
                    changes["fg" if code == 38 else "bg"] = colour
            elif code == 4:
                changes["underscore"] = _int(sub[1]) != 0 if len(sub) > 1 else True
            continue  # 58 (underline colour) and unknown colon groups are ignored
        code = _int(group)
        if code == 0:
            changes = dict(zip(Cell._fields[1:], BLANK[1:]))
        elif code in (38, 48, 58):
            kind = groups[i] if i < n else ""
            take = 2 if kind == "5" else 4 if kind == "2" else 1
            colour = _extended_colour(groups[i:i + take])
            i += take
            if colour is not None and code != 58:
                changes["fg" if code == 38 else "bg"] = colour
        elif 30 <= code <= 37:
            changes["fg"] = ANSI_NAMES[code - 30]
        elif 40 <= code <= 47:
            changes["bg"] = ANSI_NAMES[code - 40]
        elif 90 <= code <= 97:
            changes["fg"] = "bright_" + ANSI_NAMES[code - 90]
        elif 100 <= code <= 107:
            changes["bg"] = "bright_" + ANSI_NAMES[code - 100]
        elif code == 39:
            changes["fg"] = "default"
        elif code == 49:
            changes["bg"] = "default"
        elif code in _FLAGS:
            changes.update(_FLAGS[code])
    if not changes:
        return attrs
    new = attrs._replace(**changes)  # type: ignore[arg-type]
    return BLANK if new == BLANK else new  # keep the default style identical to BLANK (fast blank checks)


_FLAGS: dict[int, dict[str, bool]] = {
    1: {"bold": True}, 2: {"dim": True}, 3: {"italics": True}, 4: {"underscore": True},
    5: {"blink": True}, 6: {"blink": True}, 7: {"reverse": True}, 9: {"strikethrough": True},
    21: {"underscore": True}, 22: {"bold": False, "dim": False}, 23: {"italics": False},
    24: {"underscore": False}, 25: {"blink": False}, 27: {"reverse": False}, 29: {"strikethrough": False},
}
