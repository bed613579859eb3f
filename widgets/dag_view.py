"""DagView: a scrollable, keyboard-navigable layered DAG drawn with the line API (smooth at hundreds of nodes)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from widgets.dag_layout import DUMMY, DagLayout, DagNode, layout_dag

__all__ = ["DagNode", "DagView"]

STATE_GLYPHS: dict[str, str] = {"ready": "○", "blocked": "■", "in_progress": "◐", "done": "✓", "no-changes": "⊘"}
"""Glyph per state, so state reads without colour (16-colour and monochrome terminals)."""

# Box-drawing junction by (up, down, left, right) connections.
_JUNCTIONS: dict[tuple[bool, bool, bool, bool], str] = {
    (False, False, True, True): "─", (True, True, False, False): "│", (False, True, True, False): "┐",
    (True, False, True, False): "┘", (False, True, False, True): "┌", (True, False, False, True): "└",
    (True, True, True, False): "┤", (True, True, False, True): "├", (False, True, True, True): "┬",
    (True, False, True, True): "┴", (True, True, True, True): "┼", (False, False, True, False): "╴",
    (False, False, False, True): "╶",
}


class DagView(ScrollView, can_focus=True):
    """A layered DAG (left to right) with coloured node states and a selectable cursor node."""

    BINDINGS = [
        Binding("up,k", "move(0, -1)", "Up", show=False),
        Binding("down,j", "move(0, 1)", "Down", show=False),
        Binding("left,h", "move(-1, 0)", "Previous layer", show=False),
        Binding("right,l", "move(1, 0)", "Next layer", show=False),
        Binding("enter", "select", "Select node", show=False),
    ]

    COMPONENT_CLASSES = {
        "dag-view--ready", "dag-view--blocked", "dag-view--in_progress", "dag-view--done",
        "dag-view--edge", "dag-view--cursor", "dag-view--no-changes",
    }

    DEFAULT_CSS = """
    DagView { background: $surface; }
    DagView > .dag-view--ready { color: $success; }
    DagView > .dag-view--blocked { color: $error; }
    DagView > .dag-view--in_progress { color: $warning; text-style: bold; }
    DagView > .dag-view--done { color: $text-muted; }
    DagView > .dag-view--no-changes { color: $text-disabled; text-style: italic; }
    DagView > .dag-view--edge { color: $secondary; }
    DagView > .dag-view--cursor { text-style: reverse; }
    """

    COLUMN_WIDTH = 22
    """Cells per node column (glyph, space, label)."""
    GUTTER_WIDTH = 4
    """Cells between columns where edges are drawn."""

    cursor: reactive[tuple[int, int] | None] = reactive(None, repaint=False, always_update=False)
    """(layer, row) of the cursor node, or None when the graph is empty."""

    @dataclass
    class NodeHighlighted(Message):
        """The cursor moved onto a node."""

        dag_view: DagView
        node_id: str

        @property
        def control(self) -> DagView:
            """The DagView that sent this."""
            return self.dag_view

    @dataclass
    class NodeSelected(Message):
        """A node was chosen (Enter)."""

        dag_view: DagView
        node_id: str

        @property
        def control(self) -> DagView:
            """The DagView that sent this."""
            return self.dag_view

    def __init__(
        self,
        nodes: Sequence[DagNode] = (),
        edges: Iterable[tuple[str, str]] = (),
        *,
        column_width: int | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        if column_width is not None:
            self.COLUMN_WIDTH = max(8, column_width)
        self._dag_nodes: dict[str, DagNode] = {}
        self._dag_layout = DagLayout()
        self._gutters: list[dict[int, str]] = []
        self._row_cache: LRUCache[int, Strip] = LRUCache(1024)
        self.rows_built = 0
        """How many row strips were built (tests count work with this instead of timing)."""
        self.set_graph(nodes, edges)

    # -- data -------------------------------------------------------------------------------------------------

    def set_graph(self, nodes: Sequence[DagNode], edges: Iterable[tuple[str, str]]) -> None:
        """Replace the graph; the cursor stays on the same node id when it still exists."""
        old = self.selected_id
        self._dag_nodes = {node.id: node for node in nodes}
        self._dag_layout = layout_dag(list(nodes), edges)
        self._gutters = [self._gutter_cells(pairs) for pairs in self._dag_layout.gutter_edges]
        self._row_cache.clear()
        layers = len(self._dag_layout.layers)
        width = layers * self.COLUMN_WIDTH + max(layers - 1, 0) * self.GUTTER_WIDTH
        self.virtual_size = Size(width, self._dag_layout.height)
        if old in self._dag_layout.position:
            self.set_reactive(DagView.cursor, self._dag_layout.position[old])
        else:
            first = next(iter(self._dag_nodes), None)
            self.set_reactive(DagView.cursor, self._dag_layout.position.get(first) if first else None)
        self.refresh()

    def update_states(self, states: dict[str, str]) -> None:
        """Change node states without relayout; only the affected rows are rebuilt."""
        for node_id, state in states.items():
            node = self._dag_nodes.get(node_id)
            if node is None or node.state == state:
                continue
            self._dag_nodes[node_id] = DagNode(node.id, node.label, state)
            self._invalidate_row(self._dag_layout.position[node_id][1])

    @property
    def selected_id(self) -> str | None:
        """Id of the node under the cursor."""
        if self.cursor is None or not self._dag_layout.layers:
            return None
        x, y = self.cursor
        layers = self._dag_layout.layers
        slot = layers[x][y] if x < len(layers) and y < self._dag_layout.height else None
        return slot or None

    def select_node(self, node_id: str) -> None:
        """Move the cursor to `node_id` (ignored if unknown)."""
        if node_id in self._dag_layout.position:
            self.cursor = self._dag_layout.position[node_id]

    # -- navigation -------------------------------------------------------------------------------------------

    def action_move(self, dx: int, dy: int) -> None:
        """Move within a layer (dy) or to the nearest node of the next/previous non-empty layer (dx)."""
        if self.cursor is None:
            return
        x, y = self.cursor
        layers = self._dag_layout.layers
        if dy:
            rows = [r for r, slot in enumerate(layers[x]) if slot]
            candidates = [r for r in rows if (r - y) * dy > 0]
            if candidates:
                self.cursor = (x, min(candidates, key=lambda r: abs(r - y)))
            return
        nx = x + dx
        while 0 <= nx < len(layers):
            rows = [r for r, slot in enumerate(layers[nx]) if slot]
            if rows:
                self.cursor = (nx, min(rows, key=lambda r: (abs(r - y), r)))
                return
            nx += dx

    def action_select(self) -> None:
        """Post NodeSelected for the cursor node."""
        if self.selected_id:
            self.post_message(self.NodeSelected(self, self.selected_id))

    def watch_cursor(self, old: tuple[int, int] | None, new: tuple[int, int] | None) -> None:
        """Repaint just the two rows involved and keep the cursor in view."""
        if old is not None:
            self._invalidate_row(old[1])
        if new is None:
            return
        self._invalidate_row(new[1])
        x, y = new
        left = x * (self.COLUMN_WIDTH + self.GUTTER_WIDTH)
        self.scroll_to_region(Region(left, y, self.COLUMN_WIDTH, 1), animate=False, force=True)
        if self.selected_id:
            self.post_message(self.NodeHighlighted(self, self.selected_id))

    # -- rendering --------------------------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        """Theme or CSS changed: cached strips hold old colours."""
        super().notify_style_update()
        self._row_cache.clear()

    def _invalidate_row(self, row: int) -> None:
        self._row_cache.discard(row)
        self.refresh_line(row)

    @staticmethod
    def _gutter_cells(pairs: list[tuple[int, int]]) -> dict[int, str]:
        """Pre-draw one gutter: source stubs, a shared vertical bus, arrow heads into targets."""
        sources = {a for a, _ in pairs}
        targets = {b for _, b in pairs}
        up: set[int] = set()
        down: set[int] = set()
        for a, b in pairs:
            lo, hi = min(a, b), max(a, b)
            down.update(range(lo, hi))
            up.update(range(lo + 1, hi + 1))
        cells: dict[int, str] = {}
        for row in sources | targets | up | down:
            bus = _JUNCTIONS.get((row in up, row in down, row in sources, row in targets), " ")
            left = "─" if row in sources else " "
            right = "─▶" if row in targets else "  "
            cells[row] = left + bus + right
        return cells

    def _row_strip(self, row: int) -> Strip:
        cached = self._row_cache.get(row)
        if cached is not None:
            return cached
        self.rows_built += 1
        edge = self.get_component_rich_style("dag-view--edge")
        cursor_style = self.get_component_rich_style("dag-view--cursor")
        base = self.rich_style
        width = self.COLUMN_WIDTH
        segments: list[Segment] = []
        for x, column in enumerate(self._dag_layout.layers):
            slot = column[row] if row < len(column) else None
            if slot == DUMMY:
                segments.append(Segment("─" * width, edge))
            elif slot:
                node = self._dag_nodes[slot]
                text = f"{STATE_GLYPHS.get(node.state, '?')} {node.label}"
                text = text[: width - 1].ljust(width - 1) + " "
                state = node.state if node.state in STATE_GLYPHS else "ready"
                style: Style = self.get_component_rich_style(f"dag-view--{state}", partial=True)
                style = base + style
                if self.cursor == (x, row):
                    style += cursor_style
                segments.append(Segment(text, style))
            else:
                segments.append(Segment(" " * width, base))
            if x < len(self._gutters):
                segments.append(Segment(self._gutters[x].get(row, " " * self.GUTTER_WIDTH), edge))
        strip = Strip(segments)
        self._row_cache[row] = strip
        return strip

    def render_line(self, y: int) -> Strip:
        """Render one visible line from the cached row strip, cropped to the horizontal scroll."""
        scroll_x, scroll_y = self.scroll_offset
        row = y + scroll_y
        width = self.size.width
        if row >= self._dag_layout.height:
            return Strip.blank(width, self.rich_style)
        return self._row_strip(row).crop_extend(scroll_x, scroll_x + width, self.rich_style)
