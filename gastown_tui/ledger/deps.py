"""Dependency graph operations: cycle checks on add, cycle detection, and dependency trees."""

from __future__ import annotations

import sqlite3
from collections import defaultdict, deque

from gastown_tui.ledger.model import TreeNode
from gastown_tui.ledger.schema import CYCLE_CHECKED_DEP_TYPES, sql_list

_CHECKED = sql_list(CYCLE_CHECKED_DEP_TYPES)


def path_between(conn: sqlite3.Connection, start: str, goal: str, types: str = _CHECKED) -> list[str] | None:
    """A shortest path start → … → goal following edges of `types` (issue → what it depends on), or None."""
    previous: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            path = [node]
            while previous[path[-1]] is not None:
                path.append(previous[path[-1]])  # type: ignore[arg-type]
            return list(reversed(path))
        for (nxt,) in conn.execute(f"SELECT depends_on_id FROM dependencies WHERE issue_id = ? AND type IN "
                                   f"{types}", (node,)):
            if nxt not in previous:
                previous[nxt] = node
                queue.append(nxt)
    return None


def cycle_if_added(conn: sqlite3.Connection, issue_id: str, depends_on_id: str,
                   dep_type: str = "blocks") -> list[str] | None:
    """The cycle that `issue_id` → `depends_on_id` would close (as a list of ids ending where it starts), or None.

    Blocking edges are checked against blocking edges; parent-child edges against the hierarchy (a bead cannot
    become its own ancestor, which would also freeze the readiness flag of the whole loop).
    """
    if issue_id == depends_on_id:
        return [issue_id, issue_id]
    types = "('parent-child')" if dep_type == "parent-child" else _CHECKED
    back = path_between(conn, depends_on_id, issue_id, types)
    return [issue_id, *back] if back else None


def find_cycles(conn: sqlite3.Connection) -> list[list[str]]:
    """Every elementary cycle representative over blocking edges: one cycle per strongly connected component."""
    graph: dict[str, list[str]] = defaultdict(list)
    for a, b in conn.execute(f"SELECT issue_id, depends_on_id FROM dependencies WHERE type IN {_CHECKED} "
                             "ORDER BY issue_id, depends_on_id"):
        graph[a].append(b)
    cycles: list[list[str]] = []
    # Tarjan's SCC, iterative (ledgers can have long chains that would blow the recursion limit).
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, child_i = work.pop()
            if child_i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            children = graph.get(node, [])
            if child_i < len(children):
                work.append((node, child_i + 1))
                child = children[child_i]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph.get(node, []):
                    cycles.append(_cycle_in(sorted(component), graph))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return cycles


def _cycle_in(component: list[str], graph: dict[str, list[str]]) -> list[str]:
    """One concrete cycle inside a strongly connected component, starting and ending at its smallest id."""
    members = set(component)
    start = component[0]
    previous: dict[str, str] = {}
    queue = deque([start])
    seen = {start}
    while queue:
        node = queue.popleft()
        for nxt in graph.get(node, []):
            if nxt == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [*reversed(path), start]
            if nxt in members and nxt not in seen:
                seen.add(nxt)
                previous[nxt] = node
                queue.append(nxt)
    return [start, start]


def tree(conn: sqlite3.Connection, root: str, direction: str = "down", max_depth: int = 50) -> list[TreeNode]:
    """Breadth-first dependency tree from `root`: `down` = what it needs, `up` = what needs it, or `both`.

    Diamond nodes appear once (at their shallowest depth); nodes at `max_depth` with more below are `truncated`.
    """
    queries = {
        "down": "SELECT d.depends_on_id, d.type FROM dependencies d WHERE d.issue_id = ? ORDER BY d.seq, 1",
        "up": "SELECT d.issue_id, d.type FROM dependencies d WHERE d.depends_on_id = ? ORDER BY 1",
    }
    directions = ["down", "up"] if direction == "both" else [direction]

    def info(bead_id: str) -> tuple[str, str, bool]:
        row = conn.execute("SELECT title, status FROM issues WHERE id = ?", (bead_id,)).fetchone()
        return (row[0], row[1], False) if row else ("", "", True)

    title, status, missing = info(root)
    nodes = [TreeNode(root, title, status, 0, None, None, missing=missing)]
    seen = {root}
    queue = deque([(root, 0)])
    while queue:
        node, depth = queue.popleft()
        neighbours = [r for way in directions for r in conn.execute(queries[way], (node,)).fetchall()]
        if depth >= max_depth:
            if any(n not in seen for n, _ in neighbours):
                next(t for t in nodes if t.id == node).truncated = True
            continue
        for neighbour, dep_type in neighbours:
            if neighbour in seen:
                continue
            seen.add(neighbour)
            title, status, missing = info(neighbour)
            nodes.append(TreeNode(neighbour, title, status, depth + 1, node, dep_type, missing=missing))
            queue.append((neighbour, depth + 1))
    return nodes
