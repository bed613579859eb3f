"""Cell styles on both sides, in one canonical form, for comparing colours and attributes against tmux.

``parse_capture`` reads ``tmux capture-pane -e -p`` output with its own small SGR decoder (independent of the
emulator under test): a list of (code point, style) per row. ``cell_style`` puts one of our ``Cell``s in the same
form. A style is (fg, bg, bold, dim, italic, underline, blink, reverse, strikethrough); colours are ("p", index),
("rgb", (r, g, b)) or None for the default.
"""

from __future__ import annotations

import re

from gastown_tui.terminal import Cell

Style = tuple[object, ...]
PLAIN: Style = (None, None, False, False, False, False, False, False, False)
_SGR = re.compile(r"\x1b\[([0-9;:]*)m")
_ANSI = ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")
_FLAGS = {1: 2, 2: 3, 3: 4, 4: 5, 5: 6, 7: 7, 9: 8}  # SGR code -> index in Style
_OFF = {22: (2, 3), 23: (4,), 24: (5,), 25: (6,), 27: (7,), 29: (8,)}


def _apply(style: list[object], params: str) -> None:
    codes = [p.split(":") for p in (params or "0").split(";")]
    i = 0
    while i < len(codes):
        head = int(codes[i][0] or 0)
        sub = codes[i][1:]
        i += 1
        if head == 0:
            style[:] = list(PLAIN)
        elif head in (38, 48):
            target = 0 if head == 38 else 1
            args = sub if sub else [c[0] for c in codes[i:i + 4]]
            if args and args[0] == "5":
                style[target] = ("p", int(args[1]))
                i += 0 if sub else 2
            elif args and args[0] == "2":
                rgb = [int(v or 0) for v in (args[-3:] if sub else args[1:4])]
                style[target] = ("rgb", tuple(rgb))
                i += 0 if sub else 4
        elif 30 <= head <= 37 or 90 <= head <= 97:
            style[0] = ("p", head - 30 if head < 90 else head - 82)
        elif 40 <= head <= 47 or 100 <= head <= 107:
            style[1] = ("p", head - 40 if head < 100 else head - 92)
        elif head == 39:
            style[0] = None
        elif head == 49:
            style[1] = None
        elif head == 4 and sub:
            style[5] = sub[0] != "0"
        elif head in _FLAGS:
            style[_FLAGS[head]] = True
        elif head in _OFF:
            for k in _OFF[head]:
                style[k] = False


def parse_capture(text: str) -> list[list[tuple[str, Style]]]:
    """Rows of (code point, style) from ``capture-pane -e -p`` output."""
    rows = []
    style = list(PLAIN)  # tmux carries the SGR state over line ends (it does not repeat it at a row's start)
    for line in text.split("\n"):
        out: list[tuple[str, Style]] = []
        pos = 0
        for m in _SGR.finditer(line):
            out.extend((ch, tuple(style)) for ch in line[pos:m.start()])
            _apply(style, m.group(1))
            pos = m.end()
        out.extend((ch, tuple(style)) for ch in line[pos:])
        rows.append(out)
    return rows


def _colour(name: str) -> object:
    if name == "default":
        return None
    if name.startswith("#"):
        return ("rgb", (int(name[1:3], 16), int(name[3:5], 16), int(name[5:7], 16)))
    if name.startswith("color("):
        return ("p", int(name[6:-1]))
    if name.startswith("bright_"):
        return ("p", 8 + _ANSI.index(name[7:]))
    return ("p", _ANSI.index(name))


def cell_style(cell: Cell) -> Style:
    """One of our cells in the canonical form."""
    return (_colour(cell.fg), _colour(cell.bg), cell.bold, cell.dim, cell.italic, cell.underline, cell.blink,
            cell.reverse, cell.strikethrough)


def compare_row(ours: list[Cell], theirs: list[tuple[str, Style]]) -> list[str]:
    """Differences in style between our cells and tmux's code points of a row whose text matches."""
    problems = []
    i = 0
    for x, cell in enumerate(ours):
        if not cell.char:
            continue  # a wide character's stub: tmux has no code point for it
        if i >= len(theirs):
            if cell.char != " " or cell_style(cell)[1:] != PLAIN[1:] and cell_style(cell)[1] is not None:
                problems.append(f"col {x}: tmux trimmed a cell we style: {cell!r}")
            continue
        _, style = theirs[i]
        i += len(cell.char)
        if cell_style(cell) != style:
            problems.append(f"col {x} {cell.char!r}: ours {cell_style(cell)} tmux {style}")
    return problems
