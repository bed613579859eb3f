"""ConvoyTree: convoys (work orders) and the beads they track, with status glyphs and progress."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.text import Text
from textual.message import Message
from textual.widgets import Tree

__all__ = ["ConvoyInfo", "ConvoyTree", "TrackedBead"]

STATUS_GLYPHS: dict[str, str] = {
    "open": "○", "ready": "○", "blocked": "■", "in_progress": "◐", "hooked": "◐", "working": "◐",
    "merging": "⇄",
    "closed-unmerged": "◌", "closed": "✓", "done": "✓", "landed": "✓", "no-changes": "⊘",
}
"""Glyph per bead status so status reads without colour."""
STATUS_STYLES: dict[str, str] = {"blocked": "red", "in_progress": "yellow", "hooked": "yellow", "working": "yellow",
                                 "merging": "cyan", "closed-unmerged": "cyan", "closed": "dim", "done": "dim",
                                 "landed": "dim", "no-changes": "dim italic", "ready": "green", "open": "green"}
"""Rich style per bead status (ANSI names: right in 16 colours)."""


@dataclass(frozen=True)
class TrackedBead:
    """A bead a convoy tracks."""

    id: str
    title: str
    status: str = "open"
    assignee: str = ""


@dataclass(frozen=True)
class ConvoyInfo:
    """A convoy and its tracked beads."""

    id: str
    title: str
    status: str = "open"
    beads: tuple[TrackedBead, ...] = field(default_factory=tuple)
    cost: str = ""
    """Total spend of the tracked beads, formatted by the caller (e.g. '$1.20'); empty shows nothing."""
    breaker_open: bool = False
    """True while the convoy's budget breaker is open (nothing new is slung under it)."""

    @property
    def progress(self) -> tuple[int, int]:
        """(done, total) tracked beads (closed with no changes is done too: nothing is left to land)."""
        done = sum(1 for bead in self.beads if bead.status in ("closed", "done", "landed", "no-changes"))
        return done, len(self.beads)


class ConvoyTree(Tree[tuple[str, str]]):
    """Convoys → tracked beads; node data is ("convoy"|"bead", id). Posts BeadHighlighted / ConvoyHighlighted."""

    DEFAULT_CSS = """
    ConvoyTree { background: $surface; }
    """

    @dataclass
    class BeadHighlighted(Message):
        """The cursor is on a tracked bead."""

        tree: ConvoyTree
        bead_id: str
        convoy_id: str

        @property
        def control(self) -> ConvoyTree:
            """The ConvoyTree that sent this."""
            return self.tree

    @dataclass
    class ConvoyHighlighted(Message):
        """The cursor is on a convoy row."""

        tree: ConvoyTree
        convoy_id: str

        @property
        def control(self) -> ConvoyTree:
            """The ConvoyTree that sent this."""
            return self.tree

    def __init__(self, label: str = "Convoys", *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(label, name=name, id=id, classes=classes)
        self.show_root = False
        self.guide_depth = 2
        self._convoys: tuple[ConvoyInfo, ...] = ()

    @staticmethod
    def convoy_label(convoy: ConvoyInfo) -> Text:
        """One convoy row: glyph, id, title, done/total."""
        done, total = convoy.progress
        glyph = "✓" if convoy.status == "closed" else "◆"
        # an open breaker shows in the glyph too: the " budget!" tail is cut off in a narrow convoy column
        mark = ("⛔ ", "bold red") if convoy.breaker_open else (f"{glyph} ", "bold")
        text = Text.assemble(mark, (convoy.id, "cyan"), " ", convoy.title, (f" {done}/{total}", "dim"))
        if convoy.cost:
            text.append(f" {convoy.cost}", "dim")
        if convoy.breaker_open:
            text.append(" budget!", "red bold")
        text.no_wrap = True
        return text

    @staticmethod
    def bead_label(bead: TrackedBead) -> Text:
        """One tracked-bead row: status glyph, id, title, assignee."""
        style = STATUS_STYLES.get(bead.status, "")
        text = Text.assemble((STATUS_GLYPHS.get(bead.status, "?") + " ", style), (bead.id, style), " ", bead.title)
        if bead.assignee:
            text.append(f" @{bead.assignee}", "dim")
        text.no_wrap = True
        return text

    def set_convoys(self, convoys: Sequence[ConvoyInfo]) -> None:
        """Replace the tree's content, keeping which convoys were collapsed and where the cursor was."""
        convoys = tuple(convoys)
        if convoys == self._convoys:
            return  # nothing changed: no rebuild, no repaint
        collapsed = {node.data[1] for node in self.root.children if node.data and not node.is_expanded}
        cursor = self.cursor_node.data if self.cursor_node is not None else None
        self._convoys = convoys
        self.clear()
        target_line = -1
        for convoy in convoys:
            node = self.root.add(self.convoy_label(convoy), data=("convoy", convoy.id),
                                 expand=convoy.id not in collapsed)
            for bead in convoy.beads:
                node.add_leaf(self.bead_label(bead), data=("bead", bead.id))
        if cursor is not None:
            for line, tree_line in enumerate(self._tree_lines):
                if tree_line.node.data == cursor:
                    target_line = line
                    break
        self.cursor_line = target_line if target_line >= 0 else (0 if convoys else -1)

    def _convoy_of(self, bead_node_parent_data: tuple[str, str] | None) -> str:
        return bead_node_parent_data[1] if bead_node_parent_data else ""

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[tuple[str, str]]) -> None:
        """Translate Tree's generic highlight into a convoy- or bead-specific message."""
        data = event.node.data
        if data is None:
            return
        if data[0] == "convoy":
            self.post_message(self.ConvoyHighlighted(self, data[1]))
        else:
            parent = event.node.parent.data if event.node.parent is not None else None
            self.post_message(self.BeadHighlighted(self, data[1], self._convoy_of(parent)))
