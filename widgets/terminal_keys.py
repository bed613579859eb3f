"""xterm input encoding for the terminal view: keys, bracketed paste and SGR mouse reports (no Textual)."""

from __future__ import annotations

_CSI_KEYS = {"up": "A", "down": "B", "right": "C", "left": "D", "home": "H", "end": "F"}
_TILDE_KEYS = {"insert": 2, "delete": 3, "pageup": 5, "pagedown": 6, "f5": 15, "f6": 17, "f7": 18, "f8": 19,
               "f9": 20, "f10": 21, "f11": 23, "f12": 24}
_SS3_F = {"f1": "P", "f2": "Q", "f3": "R", "f4": "S"}
_SIMPLE = {"enter": b"\r", "tab": b"\t", "shift+tab": b"\x1b[Z", "backspace": b"\x7f", "escape": b"\x1b",
           "ctrl+h": b"\x08", "ctrl+space": b"\x00", "ctrl+@": b"\x00", "shift+enter": b"\x1b\r",
           "ctrl+backslash": b"\x1c", "ctrl+right_square_bracket": b"\x1d", "ctrl+circumflex_accent": b"\x1e",
           "ctrl+underscore": b"\x1f", "ctrl+minus": b"\x1f", "ctrl+backspace": b"\x08"}
_MODS = {"shift": 1, "alt": 2, "meta": 2, "ctrl": 4}


def encode_key(key: str, character: str | None, app_cursor: bool = False) -> bytes | None:
    """xterm bytes for a Textual key (None: nothing to send). Shift+Enter sends ESC CR, Claude Code's newline."""
    if key in _SIMPLE:
        return _SIMPLE[key]
    *mods, base = key.split("+")
    if base in _CSI_KEYS or base in _TILDE_KEYS or base in _SS3_F:
        code = 1 + sum(_MODS.get(m, 0) for m in mods)
        if base in _TILDE_KEYS:
            n = _TILDE_KEYS[base]
            return f"\x1b[{n};{code}~".encode() if code > 1 else f"\x1b[{n}~".encode()
        final = _CSI_KEYS.get(base) or _SS3_F[base]
        if code > 1:
            return f"\x1b[1;{code}{final}".encode()
        if base in _SS3_F or (app_cursor and base in _CSI_KEYS):
            return f"\x1bO{final}".encode()
        return f"\x1b[{final}".encode()
    if mods == ["ctrl"] and len(base) == 1 and base.isalpha():
        return bytes([ord(base.lower()) - 96])
    if mods and mods[0] == "alt":  # alt+x: ESC prefix, then the key without alt
        rest = encode_key("+".join(mods[1:] + [base]), character, app_cursor)
        if rest is None and (character or len(base) == 1):
            rest = (character or base).encode()
        return b"\x1b" + rest if rest is not None else None
    if character and character.isprintable():
        return character.encode()
    return None


def paste_bytes(text: str, bracketed: bool) -> bytes:
    """Pasted text as the child expects it: newlines as CR, framed when bracketed paste is on."""
    body = text.replace("\r\n", "\r").replace("\n", "\r")
    if not bracketed:
        return body.encode()
    return b"\x1b[200~" + body.replace("\x1b[201~", "").encode() + b"\x1b[201~"


def mouse_event_bytes(button: int, x: int, y: int, press: bool) -> bytes:
    """An SGR (1006) mouse report; x and y are 0-based cell coordinates."""
    return f"\x1b[<{button};{x + 1};{y + 1}{'M' if press else 'm'}".encode()
