"""Line and character editing for ``FixedScreen``: IL/DL, ICH/DCH/ECH, EL/ED (ED 3 clears only the history, as in
xterm), DECALN. Erases use the cursor's style (background colour erase, like tmux); rows keep their ``extent``.
"""

from __future__ import annotations

from typing import Any

from pyte.screens import Margins

from gastown_tui.terminal.cells import BLANK
from gastown_tui.terminal.rows import blank_row


class EditingMixin:
    """Editing operations; expects the attributes and helpers of ``FixedScreen``."""

    def insert_lines(self, count: int | None = None) -> None:
        """IL: insert blank lines at the cursor row, inside the scroll region."""
        s: Any = self
        top, bottom = s.margins or Margins(0, s.lines - 1)
        if top <= s.cursor.y <= bottom:
            s._scroll_down(s.cursor.y, bottom, count or 1)
            s.carriage_return()

    def delete_lines(self, count: int | None = None) -> None:
        """DL: delete lines at the cursor row, inside the scroll region (never feeds history)."""
        s: Any = self
        top, bottom = s.margins or Margins(0, s.lines - 1)
        y = s.cursor.y
        if top <= y <= bottom:
            blank = s._blank()
            for _ in range(min(count or 1, bottom - y + 1)):
                del s.buffer[y]
                s.buffer.insert(bottom, blank_row(blank, s.columns))
            s.dirty.update(range(y, bottom + 1))
            s.carriage_return()

    def _edit(self, start: int, delete: int, insert: int, at: int) -> None:
        """Delete ``delete`` cells at ``start`` and insert ``insert`` blanks at ``at`` on the cursor row."""
        s: Any = self
        row = s.buffer[s.cursor.y]
        attrs = s.cursor.attrs
        del row.chars[start:start + delete]
        del row.styles[start:start + delete]
        row.chars[at:at] = [" "] * insert
        row.styles[at:at] = [attrs] * insert
        del row.chars[s.columns:]
        del row.styles[s.columns:]
        row.extent = s.columns if attrs is not BLANK else min(s.columns, row.extent + insert)
        s.dirty.add(s.cursor.y)

    def insert_characters(self, count: int | None = None) -> None:
        """ICH: shift the rest of the line right."""
        s: Any = self
        x = min(s.cursor.x, s.columns - 1)
        n = min(count or 1, s.columns - x)
        s._edit(x, 0, n, x)

    def delete_characters(self, count: int | None = None) -> None:
        """DCH: shift the rest of the line left, blanks enter at the right."""
        s: Any = self
        x = min(s.cursor.x, s.columns - 1)
        n = min(count or 1, s.columns - x)
        s._edit(x, n, n, s.columns - n)

    def _fill(self, y: int, start: int, end: int) -> None:
        """Erase cells start..end of row ``y`` with the cursor's style."""
        s: Any = self
        row = s.buffer[y]
        attrs = s.cursor.attrs
        row.chars[start:end] = [" "] * (end - start)
        row.styles[start:end] = [attrs] * (end - start)
        if attrs is not BLANK and end > row.extent:
            row.extent = end
        s.dirty.add(y)

    def erase_characters(self, count: int | None = None) -> None:
        """ECH: blank ``count`` cells from the cursor."""
        s: Any = self
        x = min(s.cursor.x, s.columns - 1)
        s._fill(s.cursor.y, x, min(x + (count or 1), s.columns))

    def erase_in_line(self, how: int = 0, private: bool = False) -> None:
        """EL 0/1/2 with the cursor's background (BCE)."""
        s: Any = self
        x = min(s.cursor.x, s.columns - 1)
        start, end = {0: (x, s.columns), 1: (0, x + 1), 2: (0, s.columns)}.get(how, (0, 0))
        s._fill(s.cursor.y, start, end)

    def erase_in_display(self, how: int = 0, *args: Any, **kwargs: Any) -> None:
        """ED 0/1/2; ED 3 clears the scrollback only (xterm)."""
        s: Any = self
        if how == 3:
            s.history.clear()
            s._raw_history = 0
            return
        y = s.cursor.y
        rows = {0: range(y + 1, s.lines), 1: range(y), 2: range(s.lines)}.get(how, range(0))
        for r in rows:
            s.buffer[r] = blank_row(s.cursor.attrs, s.columns)
        s.dirty.update(rows)
        if how in (0, 1):
            s.erase_in_line(how)

    def alignment_display(self) -> None:
        """DECALN: fill the screen with E."""
        s: Any = self
        for row in s.buffer:
            row.chars[:] = ["E"] * s.columns
            row.styles[:] = [s.default_char] * s.columns
            row.extent = s.columns
        s.dirty.update(range(s.lines))
