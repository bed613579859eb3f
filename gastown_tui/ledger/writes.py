"""Write operations of `Ledger` (mixed in): update, claim, close/reopen, deps, labels, comments, delete, wisp GC.

Each public method is one transaction (joining the caller's if one is open) and recomputes readiness inside it.
"""

from __future__ import annotations

import json

from gastown_tui.errors import Conflict, InvalidInput, NotFound
from gastown_tui.ledger import deps as depmod
from gastown_tui.ledger import ids as idmod
from gastown_tui.ledger import queries, readiness
from gastown_tui.ledger.model import Bead, Comment, check_text, check_title, now_iso, to_unix
from gastown_tui.ledger.reads import ReadsMixin
from gastown_tui.ledger.schema import (CYCLE_CHECKED_DEP_TYPES, DONE_STATUSES, validate_dep_type, validate_priority,
                                       validate_status, validate_type)

TYPE_CHECKING = False  # not typing's: importing typing costs ~4 ms of every `gt` call, and only checkers need it
if TYPE_CHECKING:
    from typing import Any
    from gastown_tui.ledger.api import Ledger

_READINESS_FIELDS = ("status",)


# Open wisps with these labels hold undelivered intent; GC never drops them however old they are.
GC_KEEP_OPEN_LABELS = ("gt:message", "gt:pending-op", "gt:nudge")

class WritesMixin(ReadsMixin):
    """Mutating half of the Ledger API."""

    def update(self: "Ledger", bead_id: str, *, actor: str | None = None, **fields: Any) -> Bead:
        """Set fields (validated); unknown names go to `extra` (None removes them). Status moves are audited."""
        from gastown_tui.ledger.api import SETTABLE

        actor = self._actor(actor)
        with self.transaction() as conn:
            row = self._require(conn, bead_id)
            changes: dict[str, Any] = {}
            extra = json.loads(row["extra"]) if row["extra"] else {}
            extra_changed = False
            for key, value in fields.items():
                check_text(key, value)
                if key == "status":
                    value = validate_status(value)
                elif key == "priority":
                    value = validate_priority(value)
                elif key == "issue_type":
                    value = validate_type(value)
                elif key == "title":
                    check_title(value)
                elif key == "metadata":
                    value = None if value is None else json.dumps(value)
                elif key in ("labels", "dependencies", "comments", "id", "prefix", "ephemeral", "is_blocked"):
                    raise InvalidInput(f"{key!r} cannot be changed with update")
                if key in SETTABLE:
                    if key in ("description", "design", "acceptance_criteria", "notes") and value is None:
                        value = ""
                    if row[key] != value:
                        changes[key] = value
                elif value is None:
                    extra_changed |= extra.pop(key, None) is not None
                elif extra.get(key) != value:
                    extra[key], extra_changed = value, True
            old_status = row["status"]
            new_status = changes.get("status", old_status)
            if new_status != old_status:
                stamp = now_iso()
                if new_status == "closed":
                    changes.setdefault("closed_at", stamp)
                elif old_status == "closed":
                    changes.update(closed_at=None, close_reason=changes.get("close_reason"))
                if new_status == "in_progress" and not row["started_at"]:
                    changes["started_at"] = stamp
            if "defer_until" in changes:
                changes["defer_unix"] = to_unix(changes["defer_until"])
            if extra_changed:
                changes["extra"] = json.dumps(extra) if extra else None
            if not changes:
                return self.get(bead_id)
            conn.execute(f"UPDATE issues SET {', '.join(f'{k} = ?' for k in changes)} WHERE id = ?",
                         (*changes.values(), bead_id))
            self._touch(conn, bead_id)
            if new_status != old_status:
                kind = "closed" if new_status == "closed" else "reopened" if old_status == "closed" \
                    else "status_changed"
                self._event(conn, bead_id, kind, actor, old_status, new_status, changes.get("close_reason"))
                readiness.refresh(conn, [bead_id])
                if kind == "closed" and not row["ephemeral"]:
                    self._feed("bead.closed", bead_id, actor, reason=changes.get("close_reason") or "")
            implied = ("status", "closed_at", "started_at", "defer_unix", "extra") + \
                (("close_reason",) if new_status != old_status else ())
            other = sorted(k for k in changes if k not in implied) + sorted(k for k in fields if k not in SETTABLE)
            if other:
                self._event(conn, bead_id, "updated", actor, None, ",".join(other))
            return self.get(bead_id)

    def close(self: "Ledger", bead_id: str, *, reason: str = "", actor: str | None = None) -> Bead:
        """Close a bead with a reason (already closed: a new non-empty reason replaces the old one)."""
        if reason:
            return self.update(bead_id, actor=actor, status="closed", close_reason=reason)
        return self.update(bead_id, actor=actor, status="closed")

    def reopen(self: "Ledger", bead_id: str, *, actor: str | None = None) -> Bead:
        """Reopen a closed (or any non-open) bead: status open, close fields cleared."""
        return self.update(bead_id, actor=actor, status="open", close_reason=None)

    def claim(self: "Ledger", bead_id: str, actor: str, *, status: str = "in_progress") -> Bead:
        """Atomically take an open bead: one conditional UPDATE. Same actor again is a no-op; others get Conflict."""
        status = validate_status(status)
        if not actor:
            raise InvalidInput("claim needs an actor")
        with self.transaction() as conn:
            stamp = now_iso()
            cursor = conn.execute(
                "UPDATE issues SET assignee = ?, status = ?, started_at = COALESCE(started_at, ?), updated_at = ?, "
                "updated_unix = ?, content_hash = NULL WHERE id = ? AND status = 'open' "
                "AND (assignee IS NULL OR assignee = '' OR assignee = ?)",
                (actor, status, stamp, stamp, to_unix(stamp), bead_id, actor))
            if cursor.rowcount == 0:
                row = self._require(conn, bead_id)
                if row["assignee"] == actor and row["status"] == status:
                    return self.get(bead_id)  # retry of our own claim: success, no second event
                if row["assignee"] and row["assignee"] != actor:
                    raise Conflict(f"{bead_id} already claimed by {row['assignee']}")
                raise Conflict(f"{bead_id} is not claimable (status {row['status']})")
            self._event(conn, bead_id, "claimed", actor, "open", status)
            if status in DONE_STATUSES:  # claiming straight to closed/pinned releases its dependents
                readiness.refresh(conn, [bead_id])
            if not conn.execute("SELECT ephemeral FROM issues WHERE id = ?", (bead_id,)).fetchone()[0]:
                self._feed("bead.claimed", bead_id, actor, status=status)
            return self.get(bead_id)

    def ready_claim(self: "Ledger", actor: str, **ready_filters: Any) -> Bead | None:
        """Claim the first ready, unassigned bead in the same transaction that found it; None if no work."""
        with self.transaction() as conn:
            where, params = queries.ready_where(unassigned=True, **ready_filters)
            for (bead_id,) in conn.execute(f"SELECT i.id FROM issues i WHERE {where} ORDER BY {queries.ORDER} "
                                           "LIMIT 20", params).fetchall():
                try:
                    return self.claim(bead_id, actor)
                except Conflict:
                    continue
            return None

    def add_dep(self: "Ledger", issue_id: str, depends_on_id: str, dep_type: str = "blocks", *,
                actor: str | None = None, metadata: dict[str, Any] | str | None = None) -> None:
        """`issue_id` depends on `depends_on_id`; blocking types are cycle-checked (Conflict names the cycle)."""
        dep_type = validate_dep_type(dep_type)
        actor = self._actor(actor)
        with self.transaction() as conn:
            self._require(conn, issue_id)
            if not depends_on_id.startswith("external:"):
                self._require(conn, depends_on_id)
            existing = conn.execute("SELECT type FROM dependencies WHERE issue_id = ? AND depends_on_id = ?",
                                    (issue_id, depends_on_id)).fetchone()
            if existing:
                if existing[0] == dep_type:
                    return
                raise Conflict(f"{issue_id} already depends on {depends_on_id} ({existing[0]}); remove it first")
            if dep_type in CYCLE_CHECKED_DEP_TYPES or dep_type == "parent-child" or issue_id == depends_on_id:
                cycle = depmod.cycle_if_added(conn, issue_id, depends_on_id, dep_type)
                if cycle:
                    raise Conflict(f"dependency {issue_id} -> {depends_on_id} would create a cycle: "
                                   + " -> ".join(cycle))
            seq = conn.execute("SELECT COALESCE(MAX(seq) + 1, 0) FROM dependencies WHERE issue_id = ?",
                               (issue_id,)).fetchone()[0]
            meta = json.dumps(metadata) if isinstance(metadata, dict) else metadata
            conn.execute("INSERT INTO dependencies(issue_id, depends_on_id, type, created_at, created_by, metadata, "
                         "seq) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (issue_id, depends_on_id, dep_type, now_iso(), actor, meta, seq))
            self._touch(conn, issue_id)
            self._event(conn, issue_id, "dependency_added", actor, None, f"{dep_type}:{depends_on_id}")
            readiness.refresh(conn, [issue_id])

    def remove_dep(self: "Ledger", issue_id: str, depends_on_id: str, *, actor: str | None = None) -> None:
        """Remove the edge `issue_id` → `depends_on_id` (NotFound if there is none)."""
        actor = self._actor(actor)
        with self.transaction() as conn:
            row = conn.execute("SELECT type FROM dependencies WHERE issue_id = ? AND depends_on_id = ?",
                               (issue_id, depends_on_id)).fetchone()
            if row is None:
                raise NotFound(f"{issue_id} does not depend on {depends_on_id}")
            conn.execute("DELETE FROM dependencies WHERE issue_id = ? AND depends_on_id = ?", (issue_id, depends_on_id))
            self._touch(conn, issue_id)
            self._event(conn, issue_id, "dependency_removed", actor, f"{row[0]}:{depends_on_id}", None)
            readiness.refresh(conn, [issue_id])

    def add_label(self: "Ledger", bead_id: str, label: str, *, actor: str | None = None) -> None:
        """Attach a label (idempotent)."""
        label = self._label(label)
        with self.transaction() as conn:
            self._require(conn, bead_id)
            seq = conn.execute("SELECT COALESCE(MAX(seq) + 1, 0) FROM labels WHERE issue_id = ?",
                               (bead_id,)).fetchone()[0]
            if conn.execute("INSERT OR IGNORE INTO labels(issue_id, label, seq) VALUES (?, ?, ?)",
                            (bead_id, label, seq)).rowcount:
                self._touch(conn, bead_id)
                self._event(conn, bead_id, "label_added", self._actor(actor), None, label)

    def remove_label(self: "Ledger", bead_id: str, label: str, *, actor: str | None = None) -> None:
        """Detach a label (no error if it was not there)."""
        with self.transaction() as conn:
            self._require(conn, bead_id)
            if conn.execute("DELETE FROM labels WHERE issue_id = ? AND label = ?", (bead_id, label)).rowcount:
                self._touch(conn, bead_id)
                self._event(conn, bead_id, "label_removed", self._actor(actor), label, None)

    def comment(self: "Ledger", bead_id: str, text: str, *, author: str | None = None) -> Comment:
        """Add a comment (UUID id, so comments made in different clones never collide)."""
        if not text or not text.strip():
            raise InvalidInput("comment text is empty")
        check_text("comment", text)
        author = check_text("author", self._actor(author))
        with self.transaction() as conn:
            self._require(conn, bead_id)
            seq = conn.execute("SELECT COALESCE(MAX(seq) + 1, 0) FROM comments WHERE issue_id = ?",
                               (bead_id,)).fetchone()[0]
            import uuid  # deferred: uuid imports platform (~2 ms of every `gt` call); only comments need one

            comment = Comment(str(uuid.uuid4()), bead_id, author, text, now_iso())
            conn.execute("INSERT INTO comments(id, issue_id, author, text, created_at, seq) VALUES (?, ?, ?, ?, ?, ?)",
                         (comment.id, bead_id, author, text, comment.created_at, seq))
            self._touch(conn, bead_id)
            self._event(conn, bead_id, "commented", author, None, None, text[:200])
            return comment

    def delete(self: "Ledger", bead_id: str) -> None:
        """Remove a bead outright with its labels, comments, events and edges both ways (wisps, burned protos)."""
        with self.transaction() as conn:
            self._require(conn, bead_id)
            self._delete_ids(conn, [bead_id])

    def _delete_ids(self: "Ledger", conn: Any, bead_ids: list[str]) -> None:
        """Delete beads and every edge touching them, then refresh whatever they were blocking."""
        affected: set[str] = set()
        for bead_id in bead_ids:
            affected |= readiness.affected_by(conn, bead_id)
            affected |= {r[0] for r in conn.execute("SELECT issue_id FROM dependencies WHERE depends_on_id = ?",
                                                    (bead_id,))}
        conn.executemany("DELETE FROM dependencies WHERE depends_on_id = ?", [(b,) for b in bead_ids])
        conn.executemany("DELETE FROM issues WHERE id = ?", [(b,) for b in bead_ids])
        idmod.forget_counts(conn)
        readiness.refresh(conn, affected - set(bead_ids))

    def gc_wisps(self: "Ledger", older_than_seconds: float) -> int:
        """Delete wisps untouched for `older_than_seconds`; returns how many went.

        Age is the only trigger, so a finished patrol run or merge request stays visible (history) until it ages
        out. Open wisps that carry undelivered intent (mail, queued engine operations) are never collected, and a
        wisp whose parent is a still-active wisp (a step of an in-flight molecule) waits for its molecule.
        """
        cutoff = self.now() - older_than_seconds
        keep_open = ", ".join("?" for _ in GC_KEEP_OPEN_LABELS)
        with self.transaction() as conn:
            doomed = [r[0] for r in conn.execute(
                "SELECT i.id FROM issues i WHERE i.ephemeral = 1 AND i.updated_unix < ? "
                f"AND (i.status = 'closed' OR NOT EXISTS (SELECT 1 FROM labels l WHERE l.issue_id = i.id "
                f"AND l.label IN ({keep_open}))) "
                "AND NOT EXISTS (SELECT 1 FROM dependencies d JOIN issues p ON p.id = d.depends_on_id "
                "WHERE d.issue_id = i.id AND d.type = 'parent-child' AND p.ephemeral = 1 AND p.status != 'closed' "
                "AND p.updated_unix >= ?)", (cutoff, *GC_KEEP_OPEN_LABELS, cutoff))]
            if doomed:
                self._delete_ids(conn, doomed)
            return len(doomed)
