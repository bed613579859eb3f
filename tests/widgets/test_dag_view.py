"""DagView: layout, keyboard navigation, messages, and bounded work at 500 nodes."""

from __future__ import annotations

from textual.app import App, ComposeResult

from widgets.dag_layout import DUMMY, DagNode, layout_dag
from widgets.dag_view import DagView


def _diamond() -> tuple[list[DagNode], list[tuple[str, str]]]:
    nodes = [DagNode("a", "design", "done"), DagNode("b", "css vars", "in_progress"),
             DagNode("c", "styles", "ready"), DagNode("d", "toggle", "blocked")]
    return nodes, [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")]


class DagApp(App[None]):
    """Harness: one DagView filling the screen; records the messages it posts."""

    def __init__(self, nodes: list[DagNode], edges: list[tuple[str, str]]) -> None:
        super().__init__()
        self.nodes, self.edges = nodes, edges
        self.selected: list[str] = []
        self.highlighted: list[str] = []

    def compose(self) -> ComposeResult:
        yield DagView(self.nodes, self.edges)

    def on_dag_view_node_selected(self, message: DagView.NodeSelected) -> None:
        self.selected.append(message.node_id)

    def on_dag_view_node_highlighted(self, message: DagView.NodeHighlighted) -> None:
        self.highlighted.append(message.node_id)


def test_layout_layers_by_longest_path() -> None:
    nodes, edges = _diamond()
    layout = layout_dag(nodes, edges + [("a", "d")])
    assert layout.position["a"][0] == 0
    assert {layout.position["b"][0], layout.position["c"][0]} == {1}
    assert layout.position["d"][0] == 2
    # the long edge a->d passes through layer 1 in a dummy slot
    assert DUMMY in layout.layers[1]


def test_layout_survives_cycles_and_unknown_ids() -> None:
    nodes = [DagNode("a", "a"), DagNode("b", "b")]
    layout = layout_dag(nodes, [("a", "b"), ("b", "a"), ("a", "zzz")])
    assert set(layout.position) == {"a", "b"}


async def test_arrow_keys_move_between_layers_and_nodes() -> None:
    nodes, edges = _diamond()
    app = DagApp(nodes, edges)
    async with app.run_test(size=(100, 12)) as pilot:
        view = app.query_one(DagView)
        view.focus()
        assert view.selected_id == "a"
        await pilot.press("right")
        first = view.selected_id
        assert first in {"b", "c"}
        await pilot.press("down")
        assert view.selected_id in {"b", "c"} - {first}
        await pilot.press("right", "enter")
        await pilot.pause()
        assert view.selected_id == "d"
        assert app.selected == ["d"]
        assert app.highlighted[-1] == "d"
        await pilot.press("left", "left")
        assert view.selected_id == "a"


async def test_render_shows_labels_glyphs_and_edges() -> None:
    nodes, edges = _diamond()
    app = DagApp(nodes, edges)
    async with app.run_test(size=(100, 12)) as pilot:
        await pilot.pause()
        text = "\n".join(
            "".join(seg.text for seg in app.query_one(DagView).render_line(y)) for y in range(3)
        )
        assert "✓ design" in text and "◐ css vars" in text and "■ toggle" in text
        assert "▶" in text


async def test_500_nodes_render_and_navigation_do_bounded_work() -> None:
    """Work is counted, not timed: only visible rows are built, and a cursor move rebuilds at most two rows."""
    nodes = [DagNode(f"n{i}", f"bead {i}", ("ready", "blocked", "in_progress", "done")[i % 4]) for i in range(500)]
    edges = [(f"n{i}", f"n{i + 1 + (i % 7)}") for i in range(495)]
    app = DagApp(nodes, edges)
    async with app.run_test(size=(120, 30)) as pilot:
        view = app.query_one(DagView)
        view.focus()
        await pilot.pause()
        assert view.rows_built <= 30
        before = view.rows_built
        await pilot.press("down")
        await pilot.pause()
        assert view.rows_built - before <= 2
        before = view.rows_built
        for _ in range(5):
            await pilot.press("right")
        await pilot.pause()
        # horizontal scrolling re-crops cached rows; only rows whose cursor state changed are rebuilt
        assert view.rows_built - before <= 12


async def test_update_states_rebuilds_only_affected_row() -> None:
    nodes, edges = _diamond()
    app = DagApp(nodes, edges)
    async with app.run_test(size=(100, 12)) as pilot:
        view = app.query_one(DagView)
        await pilot.pause()
        before = view.rows_built
        view.update_states({"d": "ready"})
        await pilot.pause()
        assert view.rows_built - before == 1
        row = view._dag_layout.position["d"][1]
        assert "○ toggle" in "".join(s.text for s in view._row_strip(row))
