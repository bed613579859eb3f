"""Read queries: list, ready (beads §3.2), blocked (with the reasons), search."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence

from gastown_tui.ledger.jsonl import load_beads
from gastown_tui.ledger.model import Bead, BlockedBead
from gastown_tui.ledger.schema import DONE_STATUSES, READY_EXCLUDED_TYPES, sql_list

TYPE_CHECKING = False  # not typing's: importing typing costs ~4 ms of every `gt` call, and only checkers need it
if TYPE_CHECKING:
    from typing import Any

_DONE = sql_list(DONE_STATUSES)
ORDER = "i.priority, i.created_unix, i.id"
_KIDS = ("SELECT 1 FROM dependencies cd JOIN issues c ON c.id = cd.issue_id "
         "WHERE cd.depends_on_id = t.id AND cd.type = 'parent-child'")


def _label_clause(labels: Sequence[str], params: list[Any]) -> str:
    """AND-semantics label filter: the bead carries every label given."""
    clauses = []
    for label in labels:
        clauses.append("EXISTS (SELECT 1 FROM labels l WHERE l.issue_id = i.id AND l.label = ?)")
        params.append(label)
    return " AND ".join(clauses)


def descendants_cte(parent: str) -> tuple[str, list[Any]]:
    """SQL (condition on `i.id`) matching every recursive parent-child descendant of `parent`."""
    sql = ("i.id IN (WITH RECURSIVE sub(id) AS (SELECT issue_id FROM dependencies WHERE depends_on_id = ? "
           "AND type = 'parent-child' UNION SELECT d.issue_id FROM dependencies d JOIN sub ON d.depends_on_id = "
           "sub.id WHERE d.type = 'parent-child') SELECT id FROM sub)")
    return sql, [parent]


def list_beads(conn: sqlite3.Connection, *, status: str | Sequence[str] | None = None,
               issue_type: str | None = None, assignee: str | None = None, labels: Sequence[str] = (),
               parent: str | None = None, include_closed: bool = False, ephemeral: bool | None = None,
               limit: int | None = None) -> list[Bead]:
    """Filtered beads, priority then age; closed, tombstoned and deferred/pinned hidden unless asked for."""
    where: list[str] = []
    params: list[Any] = []
    if status:
        statuses = [status] if isinstance(status, str) else list(status)
        where.append(f"i.status IN ({','.join('?' * len(statuses))})")
        params.extend(statuses)
    elif not include_closed:
        where.append(f"i.status NOT IN {_DONE}")
    if issue_type:
        where.append("i.issue_type = ?")
        params.append(issue_type)
    if assignee is not None:
        where.append("i.assignee = ?")
        params.append(assignee)
    if labels:
        where.append(_label_clause(labels, params))
    if parent:
        where.append("EXISTS (SELECT 1 FROM dependencies p WHERE p.issue_id = i.id AND p.type = 'parent-child' "
                     "AND p.depends_on_id = ?)")
        params.append(parent)
    if ephemeral is not None:
        where.append("i.ephemeral = ?")
        params.append(1 if ephemeral else 0)
    sql = (" AND ".join(where) or "1") + f" ORDER BY {ORDER}"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return load_beads(conn, sql, params)


def ready_where(*, assignee: str | None = None, labels: Sequence[str] = (), include_ephemeral: bool = False,
                parent: str | None = None, unassigned: bool = False,
                now: float | None = None) -> tuple[str, list[Any]]:
    """The `ready` condition: open, not blocked, not a record type, not deferred (itself or via its parent)."""
    params: list[Any] = [time.time() if now is None else now] * 2
    where = [
        "i.status = 'open'", "i.is_blocked = 0", f"i.issue_type NOT IN {sql_list(READY_EXCLUDED_TYPES)}",
        "(i.defer_unix IS NULL OR i.defer_unix <= ?)",
        "NOT EXISTS (SELECT 1 FROM dependencies pd JOIN issues p ON p.id = pd.depends_on_id "
        "WHERE pd.issue_id = i.id AND pd.type = 'parent-child' AND p.defer_unix > ?)",
    ]
    if not include_ephemeral:
        where.append("i.ephemeral = 0")
    if assignee is not None:
        where.append("i.assignee = ?")
        params.append(assignee)
    if unassigned:
        where.append("(i.assignee IS NULL OR i.assignee = '')")
    if labels:
        where.append(_label_clause(labels, params))
    if parent:
        sql, extra = descendants_cte(parent)
        where.append(sql)
        params.extend(extra)
    return " AND ".join(where), params


def ready(conn: sqlite3.Connection, *, limit: int | None = None, **filters: Any) -> list[Bead]:
    """Ready work sorted by priority, then oldest first, then id."""
    where, params = ready_where(**filters)
    sql = f"{where} ORDER BY {ORDER}" + (f" LIMIT {int(limit)}" if limit else "")
    return load_beads(conn, sql, params)


_BLOCKERS = f"""SELECT d.issue_id, d.depends_on_id FROM dependencies d JOIN issues t ON t.id = d.depends_on_id
    WHERE d.issue_id IN ({{ids}}) AND (
      (d.type IN ('blocks', 'conditional-blocks') AND t.status NOT IN {_DONE})
      OR (d.type = 'parent-child' AND t.is_blocked = 1)
      OR (d.type = 'waits-for' AND EXISTS ({_KIDS} AND c.status NOT IN {_DONE})
          AND NOT (COALESCE(CASE WHEN json_valid(d.metadata) THEN json_extract(d.metadata, '$.gate') END, '')
                   = 'any-children' AND EXISTS ({_KIDS} AND c.status IN {_DONE}))))
    ORDER BY d.issue_id, d.seq, d.depends_on_id"""


def blockers_of(conn: sqlite3.Connection, bead_id: str) -> list[str]:
    """Why `bead_id` is blocked: open blocker ids, a blocked parent's id, or a waited-on spawner's id."""
    return [r[1] for r in conn.execute(_BLOCKERS.format(ids="?"), (bead_id,))]


def blocked(conn: sqlite3.Connection, *, include_ephemeral: bool = False) -> list[BlockedBead]:
    """Beads held back by dependencies (stored flag set), each with its blockers (one query for all of them)."""
    where = "i.is_blocked = 1" + ("" if include_ephemeral else " AND i.ephemeral = 0")
    beads = load_beads(conn, f"{where} ORDER BY {ORDER}")
    reasons: dict[str, list[str]] = {}
    for issue_id, blocker in conn.execute(_BLOCKERS.format(ids=f"SELECT i.id FROM issues i WHERE {where}")):
        reasons.setdefault(issue_id, []).append(blocker)
    return [BlockedBead(b, reasons.get(b.id, [])) for b in beads]


def search(conn: sqlite3.Connection, text: str, *, limit: int = 50, include_closed: bool = True) -> list[Bead]:
    """Beads whose id, title, description or notes contain `text` (case-insensitive), best-ranked first."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    where = ("(i.id LIKE :p ESCAPE '\\' OR i.title LIKE :p ESCAPE '\\' OR i.description LIKE :p ESCAPE '\\' "
             "OR i.notes LIKE :p ESCAPE '\\')")
    if not include_closed:
        where += f" AND i.status NOT IN {_DONE}"
    order = ("CASE WHEN i.id LIKE :p ESCAPE '\\' THEN 0 WHEN i.title LIKE :p ESCAPE '\\' THEN 1 ELSE 2 END, "
             f"{ORDER}")
    return load_beads(conn, f"{where} ORDER BY {order} LIMIT {int(limit)}", {"p": pattern})
