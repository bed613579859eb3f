"""Key encoding through libghostty-vt's key encoder: the kitty keyboard protocol for programs that enable it.

Keys arrive as Textual-style names (``"ctrl+shift+a"``, ``"enter"``, ``"pageup"``, ``"A"``) plus the typed
character; they are mapped to a physical key, modifiers and text, and the library encodes them with the options
the terminal's state implies (kitty flags the child pushed, cursor-key mode, ...). No Textual import here.
"""

from __future__ import annotations

from pyghostty import ffi, lib  # type: ignore[import-untyped]

MODS = {"shift": 1 << 0, "ctrl": 1 << 1, "alt": 1 << 2, "meta": 1 << 2, "super": 1 << 3}
_NAMED = {
    "enter": "ENTER", "tab": "TAB", "backspace": "BACKSPACE", "escape": "ESCAPE", "space": "SPACE",
    "delete": "DELETE", "insert": "INSERT", "home": "HOME", "end": "END", "pageup": "PAGE_UP",
    "pagedown": "PAGE_DOWN", "up": "ARROW_UP", "down": "ARROW_DOWN", "left": "ARROW_LEFT", "right": "ARROW_RIGHT",
    "minus": "MINUS", "equals_sign": "EQUAL", "comma": "COMMA", "full_stop": "PERIOD", "slash": "SLASH",
    "backslash": "BACKSLASH", "left_square_bracket": "BRACKET_LEFT", "right_square_bracket": "BRACKET_RIGHT",
    "semicolon": "SEMICOLON", "apostrophe": "QUOTE", "grave_accent": "BACKQUOTE",
    **{f"f{n}": f"F{n}" for n in range(1, 25)},
}
_UNSHIFTED = {"space": " ", "minus": "-", "equals_sign": "=", "comma": ",", "full_stop": ".", "slash": "/",
              "backslash": "\\", "left_square_bracket": "[", "right_square_bracket": "]", "semicolon": ";",
              "apostrophe": "'", "grave_accent": "`"}


def _physical(base: str) -> tuple[int, str, bool]:
    """(GhosttyKey, unshifted character, implied shift) for a Textual key base name."""
    if len(base) == 1 and base.isascii() and base.isalpha():
        return getattr(lib, f"GHOSTTY_KEY_{base.upper()}"), base.lower(), base.isupper()
    if len(base) == 1 and base.isdigit():
        return getattr(lib, f"GHOSTTY_KEY_DIGIT_{base}"), base, False
    name = _NAMED.get(base)
    if name is not None:
        return getattr(lib, f"GHOSTTY_KEY_{name}"), _UNSHIFTED.get(base, ""), False
    return lib.GHOSTTY_KEY_UNIDENTIFIED, base if len(base) == 1 else "", False


class KeyEncoder:
    """One encoder and one reusable key event (use under the terminal's lock)."""

    def __init__(self) -> None:
        enc = ffi.new("GhosttyKeyEncoder*")
        if lib.ghostty_key_encoder_new(ffi.NULL, enc):
            raise MemoryError("libghostty-vt key encoder")
        self.enc = enc[0]
        ev = ffi.new("GhosttyKeyEvent*")
        if lib.ghostty_key_event_new(ffi.NULL, ev):
            raise MemoryError("libghostty-vt key event")
        self.ev = ev[0]
        self._buf = ffi.new("char[128]")
        self._len = ffi.new("size_t*")

    def encode(self, terminal: object, key: str, character: str | None) -> bytes | None:
        """Bytes for the key as the terminal's current modes want it (None: nothing to send)."""
        *mod_names, base = key.split("+") if key != "+" else ["+"]
        mods = 0
        for m in mod_names:
            mods |= MODS.get(m, 0)
        code, unshifted, shifted = _physical(base)
        if shifted:
            mods |= MODS["shift"]
        ev = self.ev
        lib.ghostty_key_event_set_action(ev, lib.GHOSTTY_KEY_ACTION_PRESS)
        lib.ghostty_key_event_set_key(ev, code)
        lib.ghostty_key_event_set_mods(ev, mods)
        lib.ghostty_key_event_set_consumed_mods(ev, MODS["shift"] if shifted else 0)
        lib.ghostty_key_event_set_unshifted_codepoint(ev, ord(unshifted) if unshifted else 0)
        text = character if character and character.isprintable() and not mods & (MODS["ctrl"] | MODS["alt"]) else ""
        raw = text.encode()
        lib.ghostty_key_event_set_utf8(ev, raw if raw else ffi.NULL, len(raw))
        lib.ghostty_key_encoder_setopt_from_terminal(self.enc, terminal)
        if lib.ghostty_key_encoder_encode(self.enc, ev, self._buf, len(self._buf), self._len):
            return None
        n = self._len[0]
        return bytes(ffi.buffer(self._buf, n)) if n else None

    def free(self) -> None:
        """Release the native objects."""
        lib.ghostty_key_event_free(self.ev)
        lib.ghostty_key_encoder_free(self.enc)
