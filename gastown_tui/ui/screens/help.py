"""HelpScreen: every binding (group, keys, what it does, id for the keymap), generated from the binding list."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static


def key_label(keys: str) -> str:
    """'f1,question_mark' -> 'F1 ?' (short, readable key names)."""
    names = {"question_mark": "?", "right_square_bracket": "]", "left_square_bracket": "[", "escape": "Esc",
             "enter": "Enter"}
    out = []
    for key in keys.split(","):
        key = key.strip()
        out.append(names.get(key, key.upper() if key.startswith("f") and key[1:].isdigit() else key))
    return " ".join(out)


PANE_KEYS: tuple[tuple[str, str], ...] = (
    ("ctrl+g  ctrl+\\", "Give focus back from a terminal (every other key goes to the agent)"),
    ("Shift+PgUp Shift+PgDn", "Scroll the pane's scrollback a page (typing returns to the live view)"),
    ("mouse wheel", "Scroll the scrollback (goes to the agent when it asked for the mouse)"),
    ("/  v", "Search / copy mode over the scrollback: n N hits, v select, y copy (OSC 52), Esc leave"),
)
"""Keys of a focused terminal pane, which are not app bindings."""


class HelpScreen(ModalScreen[None]):
    """A table of bindings; Escape, q or F1 closes it."""

    BINDINGS = [Binding("escape,q,f1,question_mark", "dismiss_help", "Close", tooltip="Close help", id="help-close")]

    def __init__(self, bindings: Sequence[Binding], keymap: Mapping[str, str]) -> None:
        super().__init__(id="help")
        self.bindings = list(bindings)
        self.keymap = dict(keymap)

    def compose(self) -> ComposeResult:
        """Title, the table, and how to remap."""
        with Vertical(id="help-box"):
            yield Static("Gas Town keys", id="help-title")
            yield DataTable(id="help-table", cursor_type="row", zebra_stripes=True)
            yield Static("Remap any key by id in config.toml: [keymap] sling = \"ctrl+s\". Ctrl+P: command palette.",
                         id="help-hint")

    def on_mount(self) -> None:
        """Fill the table, grouped."""
        table = self.query_one(DataTable)
        table.add_columns("Keys", "Action", "Id")
        group = None
        for binding in self.bindings:
            if binding.group is not None and binding.group != group:
                group = binding.group
                table.add_row(Text(group.description, style="bold"), "", "")
            ident = binding.id or ""
            if ident.startswith("jump-") and not any(k.startswith("jump-") for k in self.keymap):
                if ident != "jump-1":
                    continue  # nine near-identical rows read better as one
                table.add_row(Text("1 … 9", style="bold cyan"), "Show agent N (list order) in the current pane",
                              Text("jump-1 … jump-9", style="dim"))
                continue
            keys = self.keymap.get(ident, binding.key)
            table.add_row(Text(key_label(keys), style="bold cyan"), binding.tooltip or binding.description,
                          Text(ident, style="dim"))
        table.add_row(Text("Terminal pane", style="bold"), "", "")
        for keys, what in PANE_KEYS:
            table.add_row(Text(keys, style="bold cyan"), what, Text("terminal", style="dim"))
        table.focus()

    def action_dismiss_help(self) -> None:
        """Close."""
        self.dismiss(None)
