"""Layered layout of a DAG for a character grid: longest-path layers, dummy pass-through slots, barycenter order.

Pure Python (no Textual) so it is cheap to test and to run for 500 nodes: O(V + E) plus one sort per layer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

DUMMY = ""
"""Slot id of a pass-through slot that carries a long edge across a layer."""


@dataclass(frozen=True)
class DagNode:
    """One node: a stable id, a short label and a state (ready, blocked, in_progress, done)."""

    id: str
    label: str
    state: str = "ready"


@dataclass
class DagLayout:
    """Where every node sits: `layers[x][y]` is a node id, DUMMY (pass-through) or None (empty)."""

    layers: list[list[str | None]] = field(default_factory=list)
    """Columns of slots; all columns have `height` slots."""
    position: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Node id -> (layer, row)."""
    gutter_edges: list[list[tuple[int, int]]] = field(default_factory=list)
    """For the gutter right of layer x: (source row, target row) pairs of the edge segments crossing it."""

    @property
    def height(self) -> int:
        """Rows in the tallest layer."""
        return len(self.layers[0]) if self.layers else 0


def _layers_by_longest_path(ids: Sequence[str], preds: dict[str, list[str]],
                            succs: dict[str, list[str]]) -> dict[str, int]:
    """Layer of each node = 1 + the deepest predecessor (Kahn order); nodes on a cycle land after the rest."""
    indegree = {node: len(preds[node]) for node in ids}
    queue = [node for node in ids if indegree[node] == 0]
    layer: dict[str, int] = {}
    head = 0
    while head < len(queue):
        node = queue[head]
        head += 1
        layer[node] = max((layer[p] + 1 for p in preds[node] if p in layer), default=0)
        for succ in succs[node]:
            indegree[succ] -= 1
            if indegree[succ] == 0:
                queue.append(succ)
    # A cycle would be a ledger bug; still show those nodes rather than hide them.
    last = max(layer.values(), default=-1) + 1
    for node in ids:
        layer.setdefault(node, last)
    return layer


def layout_dag(nodes: Sequence[DagNode], edges: Iterable[tuple[str, str]]) -> DagLayout:
    """Lay out `nodes`; each edge (a, b) means a comes before b (b depends on a). Unknown ids are ignored."""
    ids = [node.id for node in nodes]
    known = set(ids)
    preds: dict[str, list[str]] = defaultdict(list)
    succs: dict[str, list[str]] = defaultdict(list)
    clean = sorted({(a, b) for a, b in edges if a in known and b in known and a != b})
    for a, b in clean:
        preds[b].append(a)
        succs[a].append(b)
    layer = _layers_by_longest_path(ids, preds, succs)
    n_layers = max(layer.values(), default=-1) + 1
    columns: list[list[str]] = [[] for _ in range(n_layers)]
    order = {node_id: index for index, node_id in enumerate(ids)}
    for node_id in ids:
        columns[layer[node_id]].append(node_id)
    pos: dict[str, int] = {}

    def place(x: int) -> None:
        # Barycenter of already-placed predecessors keeps edges short; input order breaks ties.
        def key(node_id: str) -> tuple[float, int]:
            ps = [pos[p] for p in preds[node_id] if p in pos and layer[p] < x]
            return (sum(ps) / len(ps) if ps else -1.0, order[node_id])

        columns[x].sort(key=key)
        for index, node_id in enumerate(columns[x]):
            pos[node_id] = index

    # Long edges get one pass-through (DUMMY) slot in every layer they cross, below that layer's nodes.
    crossing: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for a, b in clean:
        for x in range(layer[a] + 1, layer[b]):
            crossing[x].append((a, b))
    slots: list[list[str]] = [[] for _ in range(n_layers)]
    dummy_rows: dict[tuple[str, str, int], int] = {}
    for x in range(n_layers):
        place(x)
        slots[x] = list(columns[x])
        for a, b in crossing[x]:
            dummy_rows[(a, b, x)] = len(slots[x])
            slots[x].append(DUMMY)
    height = max((len(col) for col in slots), default=0)
    layout = DagLayout()
    layout.layers = [list(col) + [None] * (height - len(col)) for col in slots]
    for x, col in enumerate(slots):
        for y, slot in enumerate(col):
            if slot:
                layout.position[slot] = (x, y)
    layout.gutter_edges = [[] for _ in range(max(n_layers - 1, 0))]
    for a, b in clean:
        la, lb = layer[a], layer[b]
        if la >= lb:
            continue
        rows = [layout.position[a][1]] + [dummy_rows[(a, b, x)] for x in range(la + 1, lb)] + [layout.position[b][1]]
        for step, x in enumerate(range(la, lb)):
            layout.gutter_edges[x].append((rows[step], rows[step + 1]))
    return layout
