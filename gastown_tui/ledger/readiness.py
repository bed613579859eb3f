"""The stored `is_blocked` flag, recomputed inside the same transaction as every write that can change it.

A bead that is not closed/pinned/tombstone is blocked if (beads §3.2, current semantics):
  1. a `blocks` or `conditional-blocks` edge points at a bead that is not done (a dangling target — an id that is
     not in this store — does not block: real ledgers reference other repos);
  2. its `parent-child` parent is blocked (so blocking an epic blocks its whole subtree, transitively);
  3. a `waits-for` edge points at a spawner that still has a child not done, unless the edge's metadata says
     `{"gate": "any-children"}` and at least one child is done.
`conditional-blocks` is treated exactly like `blocks` (as current beads does): we do not guess "failure" from the
free-text close reason.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from gastown_tui.ledger.schema import DONE_STATUSES, sql_list

_DONE = sql_list(DONE_STATUSES)

_CHILD_OF = "SELECT 1 FROM dependencies cd JOIN issues c ON c.id = cd.issue_id " \
            "WHERE cd.depends_on_id = w.depends_on_id AND cd.type = 'parent-child'"

# Conditions 1 and 3, for the row aliased `i`.
DIRECT = f"""(
  EXISTS (SELECT 1 FROM dependencies d JOIN issues t ON t.id = d.depends_on_id
          WHERE d.issue_id = i.id AND d.type IN ('blocks', 'conditional-blocks') AND t.status NOT IN {_DONE})
  OR EXISTS (SELECT 1 FROM dependencies w WHERE w.issue_id = i.id AND w.type = 'waits-for'
             AND EXISTS ({_CHILD_OF} AND c.status NOT IN {_DONE})
             AND NOT (COALESCE(CASE WHEN json_valid(w.metadata) THEN json_extract(w.metadata, '$.gate') END, '')
                      = 'any-children'
                      AND EXISTS ({_CHILD_OF} AND c.status IN {_DONE})))
)"""

# Condition 2.
PARENT_BLOCKED = """EXISTS (SELECT 1 FROM dependencies pd JOIN issues p ON p.id = pd.depends_on_id
                           WHERE pd.issue_id = i.id AND pd.type = 'parent-child' AND p.is_blocked = 1)"""

_ONE = f"SELECT CASE WHEN i.status IN {_DONE} THEN 0 WHEN {DIRECT} OR {PARENT_BLOCKED} THEN 1 ELSE 0 END, " \
       "i.is_blocked FROM issues i WHERE i.id = ?"


def affected_by(conn: sqlite3.Connection, bead_id: str) -> set[str]:
    """Beads whose flag may change when `bead_id`'s status or edges change (besides the bead itself)."""
    rows = conn.execute(
        """SELECT issue_id FROM dependencies WHERE depends_on_id = ? AND type IN ('blocks', 'conditional-blocks')
           UNION SELECT w.issue_id FROM dependencies pc JOIN dependencies w ON w.depends_on_id = pc.depends_on_id
                 WHERE pc.issue_id = ? AND pc.type = 'parent-child' AND w.type = 'waits-for'
           UNION SELECT issue_id FROM dependencies WHERE depends_on_id = ? AND type = 'waits-for'""",
        (bead_id, bead_id, bead_id)).fetchall()
    return {r[0] for r in rows}


def refresh(conn: sqlite3.Connection, seeds: Iterable[str]) -> int:
    """Recompute the flag for `seeds` and everything they affect, to a fixed point; return how many changed."""
    queue: list[str] = []
    for seed in seeds:
        queue.append(seed)
        queue.extend(affected_by(conn, seed))
    changed = 0
    steps = 0
    while queue:
        steps += 1
        if steps > 1_000_000:  # cannot happen on a finite acyclic hierarchy; a parent-child cycle would loop
            break
        bead_id = queue.pop(0)
        row = conn.execute(_ONE, (bead_id,)).fetchone()
        if row is None or row[0] == row[1]:
            continue
        conn.execute("UPDATE issues SET is_blocked = ? WHERE id = ?", (row[0], bead_id))
        changed += 1
        # A parent's flag flows down to its children; a bead's own flag never affects its blockers' dependents.
        queue.extend(r[0] for r in conn.execute(
            "SELECT issue_id FROM dependencies WHERE depends_on_id = ? AND type = 'parent-child'", (bead_id,)))
    return changed


def refresh_all(conn: sqlite3.Connection) -> None:
    """Recompute every flag (after a bulk import): direct conditions in one pass, then push down to a fixed point."""
    conn.execute(f"UPDATE issues AS i SET is_blocked = CASE WHEN i.status IN {_DONE} THEN 0 "
                 f"WHEN {DIRECT} THEN 1 ELSE 0 END")
    for _ in range(100):  # hierarchy depth is small; the cap guards against parent-child cycles in bad data
        cursor = conn.execute(f"UPDATE issues AS i SET is_blocked = 1 WHERE is_blocked = 0 "
                              f"AND i.status NOT IN {_DONE} AND {PARENT_BLOCKED}")
        if cursor.rowcount == 0:
            break
