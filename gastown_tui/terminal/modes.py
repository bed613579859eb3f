"""Mode handling for ``FixedScreen``: DECSET/DECRST, alternate screen, DECSCNM, DECCOLM the way tmux does it.

pyte keeps the modes it implements itself (DECOM, DECAWM, DECTCEM, IRM, LNM); every other private mode we care
about (DECCKM 1, mouse 1000/1002/1003/1006, focus 1004, bracketed paste 2004, synchronized output 2026) is a flag
in ``private_modes``. The alternate screen (47/1047/1049) swaps the row list; the main screen stays untouched.
"""

from __future__ import annotations

import copy
from typing import Any

from pyte import modes as mo

_PASSTHROUGH = {6, 7, 25}  # private modes pyte itself implements (DECOM, DECAWM, DECTCEM)
_ALT = {47, 1047, 1049}


class ModesMixin:
    """Set/reset modes; expects the attributes and helpers of ``FixedScreen``."""

    def set_mode(self, *modes: int, **kwargs: Any) -> None:
        """SM / DECSET."""
        self._switch_modes(modes, True, bool(kwargs.get("private")))

    def reset_mode(self, *modes: int, **kwargs: Any) -> None:
        """RM / DECRST."""
        self._switch_modes(modes, False, bool(kwargs.get("private")))

    def _switch_modes(self, modes: tuple[int, ...], on: bool, private: bool) -> None:
        base = super()
        if not private:
            (base.set_mode if on else base.reset_mode)(*modes)  # type: ignore[misc]
            self._update_fast()  # type: ignore[attr-defined]
            return
        for m in modes:
            if m == 5:
                self._set_screen_reverse(on)
            elif m in _PASSTHROUGH:
                (base.set_mode if on else base.reset_mode)(m, private=True)  # type: ignore[misc]
            elif m == 3:  # DECCOLM: like tmux, clear and home but keep our real width
                self.erase_in_display(2)  # type: ignore[attr-defined]
                self.cursor_position()  # type: ignore[attr-defined]
            elif m in _ALT:
                if on:
                    self._enter_alt(save=m == 1049)
                else:
                    self._leave_alt(restore=m == 1049)
            elif m == 1048:
                (self._save_alt_cursor if on else self._restore_alt_cursor)()
            elif on:
                self.private_modes.add(m)  # type: ignore[attr-defined]
            else:
                self.private_modes.discard(m)  # type: ignore[attr-defined]

    def _set_screen_reverse(self, on: bool) -> None:
        """DECSCNM: flip every cell's reverse flag (rare; vttest uses it)."""
        s: Any = self
        if (mo.DECSCNM in s.mode) == on:
            return
        (s.mode.add if on else s.mode.discard)(mo.DECSCNM)
        for row in s.buffer:
            row.styles = [st._replace(reverse=on) for st in row.styles]
            row.extent = s.columns
        s.cursor.attrs = s.cursor.attrs._replace(reverse=on)
        s.dirty.update(range(s.lines))

    def _save_alt_cursor(self) -> None:
        s: Any = self
        s._alt_saved = (copy.copy(s.cursor), s.g0_charset, s.g1_charset, s.charset)

    def _restore_alt_cursor(self) -> None:
        s: Any = self
        if s._alt_saved is not None:
            cursor, s.g0_charset, s.g1_charset, s.charset = s._alt_saved
            s.cursor = copy.copy(cursor)
            s._update_fast()
            s.ensure_hbounds()
            s.ensure_vbounds()

    def _enter_alt(self, save: bool) -> None:
        """Switch to a fresh alternate buffer (history is never fed from it)."""
        s: Any = self
        if save:
            self._save_alt_cursor()
        if s.in_alt:
            if save:
                s.buffer = s._new_buffer()
            return
        s._main_buffer = s.buffer
        s.buffer = s._new_buffer()
        s.in_alt = True
        s._join_at = None
        s.dirty.update(range(s.lines))

    def _leave_alt(self, restore: bool) -> None:
        """Back to the main buffer, which was kept untouched."""
        s: Any = self
        if s.in_alt:
            s.buffer = s._main_buffer
            s._main_buffer = None
            s.in_alt = False
            s._join_at = None
            s.dirty.update(range(s.lines))
        if restore:
            self._restore_alt_cursor()
