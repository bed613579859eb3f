"""Read operations of `Ledger` (mixed in): list, ready, blocked, graph views, search, audit."""

from __future__ import annotations

from collections.abc import Sequence

from gastown_tui.ledger import deps as depmod
from gastown_tui.ledger import queries
from gastown_tui.ledger.jsonl import load_beads
from gastown_tui.ledger.model import AuditEvent, Bead, BlockedBead, Dependency, TreeNode

TYPE_CHECKING = False  # not typing's: importing typing costs ~4 ms of every `gt` call, and only checkers need it
if TYPE_CHECKING:
    from typing import Any
    from gastown_tui.ledger.api import Ledger


class ReadsMixin:
    """Query half of the Ledger API (reads see committed data, or the caller's open transaction)."""

    def list(self: "Ledger", *, status: str | Sequence[str] | None = None, issue_type: str | None = None,
             assignee: str | None = None, labels: Sequence[str] = (), parent: str | None = None,
             include_closed: bool = False, ephemeral: bool | None = None, limit: int | None = None) -> list[Bead]:
        """Beads matching every filter (labels: all of them); ephemeral None = wisps and persistent alike."""
        with self.store.lock:
            return queries.list_beads(self.store.conn, status=status, issue_type=issue_type, assignee=assignee,
                                      labels=labels, parent=parent, include_closed=include_closed,
                                      ephemeral=ephemeral, limit=limit)

    def ready(self: "Ledger", *, assignee: str | None = None, labels: Sequence[str] = (),
              include_ephemeral: bool = False, limit: int | None = None, parent: str | None = None,
              unassigned: bool = False) -> list[Bead]:
        """Open, unblocked, undeferred work (record types excluded), by priority then age."""
        with self.store.lock:
            return queries.ready(self.store.conn, assignee=assignee, labels=labels, limit=limit,
                                 include_ephemeral=include_ephemeral, parent=parent, unassigned=unassigned)

    def ready_ids(self: "Ledger", **filters: Any) -> list[str]:
        """Just the ids `ready(**filters)` would return, in order (cheap: no bead objects are built)."""
        limit = filters.pop("limit", None)
        where, params = queries.ready_where(**filters)
        sql = f"SELECT i.id FROM issues i WHERE {where} ORDER BY {queries.ORDER}" + (
            f" LIMIT {int(limit)}" if limit else "")
        return [r[0] for r in self.store.query(sql, params)]

    def blocked(self: "Ledger", *, include_ephemeral: bool = False) -> list[BlockedBead]:
        """Beads held back by dependencies, each with the ids holding it."""
        with self.store.lock:
            return queries.blocked(self.store.conn, include_ephemeral=include_ephemeral)

    def blockers(self: "Ledger", bead_id: str) -> list[str]:
        """Ids currently holding `bead_id` back (empty if it is not blocked by dependencies)."""
        with self.store.lock:
            return queries.blockers_of(self.store.conn, bead_id)

    def dependencies(self: "Ledger", bead_id: str) -> list[Dependency]:
        """Edges from `bead_id` to what it depends on."""
        rows = self.store.query("SELECT * FROM dependencies WHERE issue_id = ? ORDER BY seq, depends_on_id",
                                (bead_id,))
        return [Dependency.from_row(r) for r in rows]

    def dependents(self: "Ledger", bead_id: str) -> list[Dependency]:
        """Edges from other beads that depend on `bead_id`."""
        rows = self.store.query("SELECT * FROM dependencies WHERE depends_on_id = ? ORDER BY issue_id", (bead_id,))
        return [Dependency.from_row(r) for r in rows]

    def children(self: "Ledger", bead_id: str) -> list[Bead]:
        """Direct children (parent-child edges pointing at `bead_id`), oldest first."""
        with self.store.lock:
            return load_beads(self.store.conn, "i.id IN (SELECT issue_id FROM dependencies WHERE depends_on_id = ? "
                              "AND type = 'parent-child') ORDER BY i.created_unix, i.id", (bead_id,))

    def dep_tree(self: "Ledger", bead_id: str, direction: str = "down", max_depth: int = 50) -> list[TreeNode]:
        """Dependency tree nodes, breadth first: `down` (what it needs), `up` (what needs it) or `both`."""
        if direction not in ("down", "up", "both"):
            from gastown_tui.errors import InvalidInput
            raise InvalidInput(f"invalid direction {direction!r}: use down, up or both")
        with self.store.lock:
            return depmod.tree(self.store.conn, bead_id, direction, max_depth)

    def cycles(self: "Ledger") -> list[list[str]]:
        """Cycles over blocks/conditional-blocks edges (each ends at the id it starts from)."""
        with self.store.lock:
            return depmod.find_cycles(self.store.conn)

    def labels(self: "Ledger", bead_id: str | None = None) -> list[str]:
        """Labels of one bead, or every label in use."""
        if bead_id is None:
            return [r[0] for r in self.store.query("SELECT DISTINCT label FROM labels ORDER BY label")]
        return [r[0] for r in self.store.query("SELECT label FROM labels WHERE issue_id = ? ORDER BY seq, label",
                                               (bead_id,))]

    def search(self: "Ledger", text: str, *, limit: int = 50) -> list[Bead]:
        """Beads whose id, title, description or notes contain `text`."""
        with self.store.lock:
            return queries.search(self.store.conn, text, limit=limit)

    def audit(self: "Ledger", bead_id: str) -> list[AuditEvent]:
        """The audit trail of a bead, oldest first."""
        rows = self.store.query("SELECT * FROM events WHERE issue_id = ? ORDER BY id", (bead_id,))
        return [AuditEvent(**dict(r)) for r in rows]

    def count(self: "Ledger", **filters: Any) -> int:
        """How many beads `list(**filters)` would return."""
        return len(self.list(**filters))
