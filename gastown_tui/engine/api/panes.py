"""Live terminals as data: pane snapshots, row updates, scrollback pages, and input going back.

Cells travel as runs (`Run`): consecutive cells with one style. `cell == 0` means `text` is that many plain
1-wide cells (one code point each); `cell == 1` or `2` means `text` is ONE cell of that width (a grapheme cluster,
or a wide character, which is followed by its 0-wide stub cell on the screen). `link` is the run's OSC 8 target.

Clipboard: OSC 52 writes of the child travel in `PaneUpdate.clipboard` to every viewer; a client copies them only
while that pane has its focus. Keys: while the child has pushed kitty keyboard flags (`PaneModes.kitty_flags`), a
client sends key names (`TypeKeys.key`/`character`) and the engine encodes them with the terminal's own encoder.

Size policy with several clients on one pane: the most recent typist's size wins. A client's ResizePane applies
at once if no other client viewing that pane has typed more recently; otherwise it is remembered and applied when
that client types next (TypeKeys/Paste/Mouse carry no size, the remembered one is used). A pane viewed by one
client always has that client's size. Smaller viewers crop, bigger ones pad (rows they get are the engine's).
"""

from __future__ import annotations

from dataclasses import dataclass

from gastown_tui.engine.api.base import Command, Done, Event, Result
from gastown_tui.engine.api.wire import wire

BOLD, ITALIC, UNDERLINE, REVERSE, STRIKE, DIM, BLINK = (1 << i for i in range(7))
"""`Run.attrs` bits."""
MAX_ROWS_PER_SECOND = 60
"""Row updates per pane per second at most (the engine coalesces everything in between)."""
BACKGROUND_ROWS_PER_SECOND = 10
"""For a pane no viewer has focused (visible, but not the one being typed into): its rows still arrive, later."""


@wire
@dataclass(frozen=True)
class Run:
    """Cells of one style (see the module docstring for `cell`)."""

    text: str
    fg: str = "default"
    bg: str = "default"
    attrs: int = 0
    cell: int = 0
    link: str = ""


@wire
@dataclass(frozen=True)
class PaneRow:
    """One screen row (y from the top) as runs covering exactly `cols` cells."""

    y: int
    runs: tuple[Run, ...] = ()


@wire
@dataclass(frozen=True)
class PaneModes:
    """The terminal modes a client needs to encode input and draw the cursor."""

    bracketed_paste: bool = False
    mouse_tracking: bool = False
    mouse_sgr: bool = False
    app_cursor_keys: bool = False
    alt_screen: bool = False
    cursor_visible: bool = True
    kitty_flags: int = 0


@wire
@dataclass(frozen=True)
class PaneSnapshot(Result):
    """Everything a client needs to draw a pane: all rows, cursor, modes, scrollback counters."""

    address: str
    cols: int
    rows: int
    lines: tuple[PaneRow, ...] = ()
    cursor_x: int = 0
    cursor_y: int = 0
    modes: PaneModes = PaneModes()
    scrollback_lines: int = 0
    scrolled_off: int = 0
    title: str = ""
    seq: int = 0


@wire
@dataclass(frozen=True)
class PaneUpdate(Event):
    """Rows that changed since the last update of this pane (pushed to its viewers, <= 60/s, none while idle).

    A resize sends a PaneUpdate with the new cols/rows and every row.
    """

    address: str
    cols: int
    rows: int
    lines: tuple[PaneRow, ...] = ()
    cursor_x: int = 0
    cursor_y: int = 0
    modes: PaneModes = PaneModes()
    scrollback_lines: int = 0
    scrolled_off: int = 0
    seq: int = 0
    clipboard: tuple[str, ...] = ()
    """OSC 52 texts the child wrote since the last update, oldest first."""


@wire
@dataclass(frozen=True)
class PaneClosed(Event):
    """The pane's session ended or was replaced: a client views it again to get the new one."""

    address: str


@wire
@dataclass(frozen=True)
class ViewPane(Command[PaneSnapshot]):
    """Start receiving PaneUpdates for an agent's pane; answered with a full snapshot."""

    address: str
    cols: int = 0
    rows: int = 0


@wire
@dataclass(frozen=True)
class FocusPane(Command[Done]):
    """This client's current pane (where its keys go): updated at MAX_ROWS_PER_SECOND, its other panes at
    BACKGROUND_ROWS_PER_SECOND. An empty address focuses none."""

    address: str = ""


@wire
@dataclass(frozen=True)
class UnviewPane(Command[Done]):
    """Stop receiving updates for a pane."""

    address: str


@wire
@dataclass(frozen=True)
class ScrollbackPage(Result):
    """History lines `start`.. (0 = oldest) of a pane, and the total at the time of reading."""

    address: str
    start: int
    lines: tuple[PaneRow, ...] = ()
    total: int = 0


@wire
@dataclass(frozen=True)
class GetScrollback(Command[ScrollbackPage]):
    """A page of a pane's scrollback (fetched on demand as the viewer scrolls)."""

    address: str
    start: int
    count: int = 100


@wire
@dataclass(frozen=True)
class TypeKeys(Command[Done]):
    """Keystrokes (already encoded for the pane's modes) from the Overseer; counts as typing for nudges.

    With `key` set (a Textual key name, plus its `character`), the engine encodes it for the child's kitty keyboard
    flags and `data` is ignored."""

    address: str
    data: bytes
    key: str = ""
    character: str = ""


@wire
@dataclass(frozen=True)
class Paste(Command[Done]):
    """Pasted text (bracketed when the child asked for it)."""

    address: str
    text: str


@wire
@dataclass(frozen=True)
class MouseInput(Command[Done]):
    """An encoded mouse report for the child."""

    address: str
    data: bytes


@wire
@dataclass(frozen=True)
class ResizePane(Command[Done]):
    """The client's pane size (applied by the size policy above)."""

    address: str
    cols: int
    rows: int
