"""A regex-driven VT parser that replaces pyte's per-character state machine.

One compiled pattern splits decoded text into printable runs, CSI, OSC, DCS/APC/PM/SOS (ignored), ESC and C0
controls; each token is dispatched straight to a ``FixedScreen`` method. Colon sub-parameters survive to the SGR
decoder (pyte printed them as text). A sequence cut at a chunk boundary is kept until the next ``feed``; bytes are
decoded incrementally (invalid UTF-8 becomes U+FFFD). C1 controls are ignored, as in UTF-8 xterm/tmux.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable

from gastown_tui.terminal.cells import BLANK, Cell, apply_sgr
from gastown_tui.terminal.pyte_fixes import FixedScreen

_TOKEN = re.compile(
    r"(?P<t>[^\x00-\x1f\x7f-\x9f]+)(?P<tn>\r\n)?"  # text, and the line end that often follows it
    r"|\x1b\[(?P<sa>[0-9:;]*)m(?P<st>[^\x00-\x1f\x7f-\x9f]*)(?P<sn>\r\n)?"  # SGR, the text it colours, CRLF
    r"|(?P<nl>\r\n)"
    r"|\x1b\[(?P<cp>[<=>?]?)(?P<ca>[0-9:;]*)(?P<ci>[ -/]*)(?P<cf>[@-~])"
    r"|\x1b\](?P<o>[^\x07\x1b\x9c]*)(?P<ot>\x07|\x1b\\|\x9c)"
    r"|\x1b[P^_X](?P<d>.*?)(?P<dt>\x1b\\|\x9c)"
    r"|\x1b(?P<ei>[ -/]*)(?P<ef>[0-@A-OQ-WYZ\\`-~])"  # not [ ] P X ^ _: those open longer sequences
    r"|(?P<c>[\x00-\x1a\x1c-\x1f\x7f])"
    r"|(?P<bad>[\x1b\x80-\x9f])",  # anything else: an ESC that starts no complete sequence, or a C1 control
    re.DOTALL,
)
# An escape sequence that is still incomplete at the end of the buffer.
_PARTIAL = re.compile(r"\x1b(?:\[[<=>?]?[0-9:;]*[ -/]*|\][^\x07\x1b\x9c]*\x1b?|[P^_X].*|[ -/]*)\Z", re.DOTALL)
# CSI with C0 controls embedded in its parameters (legal; vttest checks it): controls run first.
_CSI_WITH_CONTROLS = re.compile(r"\x1b\[([<=>?]?)([0-9:;\x00-\x1a\x1c-\x1f]*)([ -/]*)([@-~])")
_MAX_PENDING = 1 << 16  # an unterminated OSC/DCS longer than this is dropped, not buffered forever

_CONTROLS: dict[str, str] = {
    "\x07": "bell", "\x08": "backspace", "\x09": "tab", "\x0a": "linefeed", "\x0b": "linefeed",
    "\x0c": "linefeed", "\x0d": "carriage_return", "\x0e": "shift_out", "\x0f": "shift_in",
}
_ESC: dict[str, str] = {
    "7": "save_cursor", "8": "restore_cursor", "D": "index", "M": "reverse_index", "H": "set_tab_stop",
    "c": "reset",
}
# CSI final -> (method, default first argument); only for the plain (no prefix, no intermediate) form.
_CSI: dict[str, str] = {
    "@": "insert_characters", "A": "cursor_up", "B": "cursor_down", "C": "cursor_forward", "D": "cursor_back",
    "E": "cursor_down1", "F": "cursor_up1", "G": "cursor_to_column", "H": "cursor_position",
    "J": "erase_in_display", "K": "erase_in_line", "L": "insert_lines", "M": "delete_lines",
    "P": "delete_characters", "S": "scroll_up", "X": "erase_characters", "a": "cursor_forward",
    "b": "repeat_last", "d": "cursor_to_line", "e": "cursor_down", "f": "cursor_position", "g": "clear_tab_stop",
    "r": "set_margins", "`": "cursor_to_column",
}


def _ints(args: str) -> list[int]:
    """CSI parameters as ints (sub-parameters after ':' dropped; empty means 0, i.e. the default)."""
    out = []
    for part in args.split(";"):
        if ":" in part:
            part = part.split(":", 1)[0]
        out.append(int(part) if part.isdigit() else 0)
    return out


class Parser:
    """Feeds bytes into a ``FixedScreen``; owns decoding state and the SGR cache."""

    def __init__(self, screen: FixedScreen, on_title: Callable[[str], None] | None = None) -> None:
        self.screen = screen
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = ""
        # (id(style), params) -> (style, new style); the stored style guards against id reuse
        self._sgr_cache: dict[tuple[int, str], tuple[Cell, Cell]] = {}
        self.on_title = on_title
        self.sync_changed: Callable[[bool], None] | None = None

    def feed(self, data: bytes) -> None:
        """Decode and interpret a chunk of child output."""
        text = self._decoder.decode(data)
        if self._pending:
            text = self._pending + text
            self._pending = ""
        if text:
            self.feed_text(text)

    def feed_text(self, text: str) -> None:
        """Interpret decoded text (the hot loop: locals only, int group numbers, one finditer per chunk)."""
        screen = self.screen
        draw = screen.draw
        crlf = screen.carriage_return_linefeed
        sgr = self._sgr
        sgr_get = self._sgr_cache.get
        pos, end = 0, len(text)
        while pos < end:
            restart = end
            buffer = screen.buffer  # re-read after anything that may swap it (alt screen, RIS, DECALN)
            for m in _TOKEN.finditer(text, pos):  # the pattern matches every character: nothing is skipped
                kind = m.lastindex  # group numbers of _TOKEN; ints are cheaper than lastgroup names
                if kind >= 6:
                    if kind == 6:
                        crlf()
                        continue
                    self._other(m, kind)
                    buffer = screen.buffer
                    if kind == 18:  # rare: an ESC starting no complete sequence, or a C1 control
                        restart = self._unmatched(text, m.start())
                        break
                    continue
                if kind >= 3:  # SGR + the text it colours (+ CR LF)
                    args = m.group(3)
                    if args == "0" or not args:
                        screen.cursor.attrs = BLANK  # plain reset: no lookup needed
                    else:
                        attrs = screen.cursor.attrs
                        hit = sgr_get((id(attrs), args))
                        if hit is not None and hit[0] is attrs:
                            screen.cursor.attrs = hit[1]
                        else:
                            sgr(args)
                    text_run = m.group(4)
                    if not text_run:
                        if kind == 5:
                            crlf()
                        continue
                else:
                    text_run = m.group(1)
                # Printable run. The common case (ASCII that fits on the line, plain charset, no insert mode)
                # is FixedScreen.draw's fast path, inlined here because it runs for every run of every line.
                cur = screen.cursor
                x = cur.x
                stop = x + len(text_run)
                line = buffer[cur.y] if stop <= screen.columns and screen._fast and text_run.isascii() else None
                if line is None or (x and x < line.extent and line.chars[x] == ""):
                    draw(text_run)
                    if kind == 2 or kind == 5:
                        crlf()
                    continue
                chars = line.chars
                chars[x:stop] = text_run
                line.styles[x:stop] = [cur.attrs] * (stop - x)
                if stop >= line.extent:
                    line.extent = stop
                elif chars[stop] == "":
                    chars[stop] = " "
                cur.x = stop
                screen.dirty.add(cur.y)
                screen._join_at = (cur.y, stop - 1, stop)
                screen._last_char = text_run
                if kind == 2 or kind == 5:
                    crlf()
            pos = restart

    def _other(self, m: re.Match[str], kind: int) -> None:
        """Tokens other than text, SGR+text and CR LF."""
        screen = self.screen
        if kind == 10:
            final = m.group(10)
            if final == "m" and not m.group(7) and not m.group(9):
                self._sgr(m.group(8))
            else:
                self._csi(m.group(7), m.group(8), m.group(9), final)
        elif kind == 17:
            name = _CONTROLS.get(m.group(17))
            if name is not None:
                getattr(screen, name)()
        elif kind == 16:
            self._esc(m.group(15), m.group(16))
        elif kind == 12:
            self._osc(m.group(11))
        # 14: DCS / APC / PM / SOS strings are consumed and ignored; 18 is resolved by the caller

    def _unmatched(self, text: str, pos: int) -> int:
        """Handle text the token pattern could not match; return the next position."""
        ch = text[pos]
        if ch != "\x1b":
            return pos + 1  # a C1 control: ignored
        if _PARTIAL.match(text, pos):
            tail = text[pos:]
            if len(tail) <= _MAX_PENDING:
                self._pending = tail
            return len(text)
        m = _CSI_WITH_CONTROLS.match(text, pos)
        if m:
            prefix, args, inter, final = m.groups()
            for c in args:
                name = _CONTROLS.get(c)
                if name is not None:
                    getattr(self.screen, name)()
            args = "".join(c for c in args if c >= " ")
            if final == "m" and not prefix and not inter:
                self._sgr(args)
            else:
                self._csi(prefix, args, inter, final)
            return m.end()
        return pos + 1  # a lone or malformed ESC: drop it and carry on

    def _sgr(self, args: str) -> None:
        """SGR with a (style, params) cache: logs repeat the same few colour changes."""
        screen = self.screen
        attrs = screen.cursor.attrs
        key = (id(attrs), args)
        hit = self._sgr_cache.get(key)
        if hit is None or hit[0] is not attrs:  # keyed by id for speed; the stored attrs guards id reuse
            if len(self._sgr_cache) > 4096:
                self._sgr_cache.clear()
            hit = self._sgr_cache[key] = (attrs, apply_sgr(attrs, args))
        screen.cursor.attrs = hit[1]

    def _csi(self, prefix: str, args: str, inter: str, final: str) -> None:
        """Dispatch one CSI sequence."""
        screen = self.screen
        if not prefix and not inter:
            name = _CSI.get(final)
            if name is not None:
                getattr(screen, name)(*_ints(args)) if args else getattr(screen, name)()
                return
            if final == "T":
                if ";" not in args:  # CSI T with several params is a mouse-tracking request, not SD
                    screen.scroll_down(*_ints(args)) if args else screen.scroll_down()
            elif final in "hl":
                (screen.set_mode if final == "h" else screen.reset_mode)(*_ints(args))
            elif final == "c":
                if _ints(args)[0] == 0:
                    screen.write_process_input("\x1b[?1;2c")
            elif final == "n":
                self._dsr(_ints(args)[0], "")
            elif final == "I":
                for _ in range(max(1, _ints(args)[0])):
                    screen.tab()
            elif final == "Z":
                self._back_tab(max(1, _ints(args)[0]))
            elif final == "t":
                if _ints(args)[0] == 18:  # XTWINOPS: report the text area size; resize requests are ignored
                    screen.write_process_input(f"\x1b[8;{screen.lines};{screen.columns}t")
            elif final == "s":
                screen.save_cursor()
            elif final == "u":
                screen.restore_cursor()
            return
        if prefix == "?" and not inter:
            if final in "hl":
                (screen.set_mode if final == "h" else screen.reset_mode)(*_ints(args), private=True)
            elif final in "JK":
                (screen.erase_in_display if final == "J" else screen.erase_in_line)(*_ints(args))
            elif final == "n":
                self._dsr(_ints(args)[0], "?")
        elif prefix == ">" and final == "c" and not inter:
            screen.write_process_input("\x1b[>1;10;0c")
        elif prefix == "?" and inter == "$" and final == "p":
            mode = _ints(args)[0]
            screen.write_process_input(f"\x1b[?{mode};{self._mode_state(mode)}$y")
        # everything else (cursor shape, XTWINOPS, kitty keyboard, modifyOtherKeys...) is ignored on purpose

    def _mode_state(self, mode: int) -> int:
        """DECRQM answer: 1 set, 2 reset, 0 not recognised."""
        screen = self.screen
        if mode in (47, 1047, 1049):
            return 1 if screen.in_alt else 2
        if mode in (5, 6, 7, 25):
            return 1 if (mode << 5) in screen.mode else 2
        if mode in (1, 1000, 1002, 1003, 1004, 1006, 2004, 2026):
            return 1 if mode in screen.private_modes else 2
        return 0

    def _dsr(self, mode: int, prefix: str) -> None:
        """DSR 5 (status) and 6 (cursor position, clamped to the last column when a wrap is pending)."""
        screen = self.screen
        if mode == 5:
            screen.write_process_input("\x1b[0n")
        elif mode == 6:
            x = min(screen.cursor.x, screen.columns - 1) + 1
            y = screen.cursor.y + 1
            if screen.margins is not None and (6 << 5) in screen.mode:
                y -= screen.margins.top
            screen.write_process_input(f"\x1b[{prefix}{y};{x}R")

    def _back_tab(self, count: int) -> None:
        """CBT: move to the previous tab stop ``count`` times."""
        screen = self.screen
        for _ in range(count):
            stops = [t for t in screen.tabstops if t < screen.cursor.x]
            screen.cursor.x = max(stops) if stops else 0

    def _esc(self, inter: str, final: str) -> None:
        """Dispatch ESC sequences (DECSC/DECRC, IND, RI, NEL, HTS, RIS, DECALN, charsets)."""
        screen = self.screen
        if not inter:
            name = _ESC.get(final)
            if name is not None:
                getattr(screen, name)()
            elif final == "E":
                screen.carriage_return()
                screen.index()
        elif inter == "#" and final == "8":
            screen.alignment_display()
        elif inter in ("(", ")"):
            screen.define_charset(final, inter)

    def _osc(self, body: str) -> None:
        """OSC 0/2 title, 10/11 colour queries; the rest (links, clipboard, notifications) is ignored."""
        code, _, arg = body.partition(";")
        if code in ("0", "2"):
            self.screen.set_title(arg)
            if self.on_title is not None:
                self.on_title(arg)
        elif code in ("10", "11") and arg == "?":
            colour = "ffff/ffff/ffff" if code == "10" else "0000/0000/0000"
            self.screen.write_process_input(f"\x1b]{code};rgb:{colour}\x1b\\")
