"""ScreenMirror: a small line-API view of a terminal screen, used when `widgets.terminal_view` is not available.

It reads any object with `rows`, `row(y) -> cells` and `take_dirty()` (the TerminalView ScreenSource shape) and
forwards keystrokes as bytes in a `Typed` message; the app writes them to the session.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

KEY_BYTES: dict[str, bytes] = {
    "enter": b"\r", "tab": b"\t", "backspace": b"\x7f", "escape": b"\x1b", "up": b"\x1b[A", "down": b"\x1b[B",
    "right": b"\x1b[C", "left": b"\x1b[D", "home": b"\x1b[H", "end": b"\x1b[F", "delete": b"\x1b[3~",
}
"""Bytes for named keys (VT100 normal cursor mode)."""


def key_to_bytes(event: events.Key) -> bytes:
    """The bytes a terminal would send for this key, or b'' when there are none."""
    if event.key in KEY_BYTES:
        return KEY_BYTES[event.key]
    if event.key.startswith("ctrl+") and len(event.key) == 6 and event.key[-1].isalpha():
        return bytes([ord(event.key[-1]) & 0x1F])
    return event.character.encode() if event.character else b""


def cell_style(cell: Any) -> Style:
    """Rich style of one cell (colour names are Rich-compatible by the terminal package's contract)."""
    fg = None if cell.fg == "default" else cell.fg
    bg = None if cell.bg == "default" else cell.bg
    try:
        return Style(color=fg, bgcolor=bg, bold=cell.bold or None, italic=cell.italics or None,
                     underline=cell.underscore or None, reverse=cell.reverse or None, dim=cell.dim or None)
    except Exception:  # an odd colour string must not break painting
        return Style()


class ScreenMirror(ScrollView, can_focus=True):
    """Paints a screen's rows; when focused, every key goes to the session as bytes."""

    DEFAULT_CSS = "ScreenMirror { overflow: hidden; }"

    @dataclass
    class Typed(Message):
        """Keystrokes for the session."""

        mirror: ScreenMirror
        data: bytes

        @property
        def control(self) -> ScreenMirror:
            """The ScreenMirror that sent this."""
            return self.mirror

    def __init__(self, source: Any, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.source = source

    def render_line(self, y: int) -> Strip:
        """One row of the screen, cropped or padded to the widget width."""
        width = self.size.width
        if self.source is None or y >= int(getattr(self.source, "rows", 0)):
            return Strip.blank(width, self.rich_style)
        segments = [Segment(cell.data or " ", cell_style(cell)) for cell in self.source.row(y) if cell.data != ""]
        return Strip(segments).crop_extend(0, width, self.rich_style)

    def paint_dirty(self) -> None:
        """Repaint only the rows the screen reports changed."""
        take = getattr(self.source, "take_dirty", None)
        rows = take() if take else None
        if rows is None:
            self.refresh()
            return
        for row in rows:
            self.refresh_line(row)

    async def on_key(self, event: events.Key) -> None:
        """Forward the key (app priority bindings such as ctrl+g have already had their chance)."""
        data = key_to_bytes(event)
        if data:
            event.stop()
            event.prevent_default()
            self.post_message(self.Typed(self, data))
