"""The beads ledger: SQLite (WAL) live store, JSONL-in-git persistence, readiness, claims, wisps.

Public API (other packages import only these names from `gastown_tui.ledger`):

    ledger = Ledger.open(town_paths)         # create schema if needed; import any JSONL whose hash changed
    with ledger.transaction():               # BEGIN IMMEDIATE; nested use joins the outer transaction;
        ...                                  # busy/locked is retried with jittered back-off at the outermost level
    ledger.create(title, *, prefix=None, id=None, parent=None, description="", issue_type="task", priority=2,
                  status="open", assignee=None, labels=(), ephemeral=False, metadata=None, actor=None,
                  **more_fields) -> Bead      # adaptive hash id; `<parent>.N` child ids; molecule/wisp infixes
    ledger.get(bead_id) -> Bead               # exact id, NotFound otherwise
    ledger.resolve(partial) -> str            # beads partial-id rules; NotFound / Ambiguous (lists candidates)
    ledger.list(*, status=None, issue_type=None, assignee=None, labels=(), parent=None,
                include_closed=False, ephemeral=None, limit=None) -> list[Bead]
    ledger.update(bead_id, *, actor=None, **fields) -> Bead   # validates status/priority/type
    ledger.claim(bead_id, actor, *, status="in_progress") -> Bead   # one conditional UPDATE; Conflict if taken
    ledger.close(bead_id, *, reason="", actor=None) -> Bead ; ledger.reopen(bead_id, *, actor=None) -> Bead
    ledger.ready(*, assignee=None, labels=(), include_ephemeral=False, limit=None, parent=None) -> list[Bead]
    ledger.ready_claim(actor, **ready_filters) -> Bead | None
    ledger.blocked() -> list[BlockedBead]     # bead + ids of its open blockers
    ledger.add_dep(issue_id, depends_on_id, dep_type="blocks", *, actor=None)  # cycle -> Conflict naming it
    ledger.remove_dep(issue_id, depends_on_id) ; ledger.dependencies(bead_id) ; ledger.dependents(bead_id)
    ledger.dep_tree(bead_id, direction="down", max_depth=50) ; ledger.cycles() -> list[list[str]]
    ledger.children(bead_id) -> list[Bead]
    ledger.add_label(bead_id, label) ; ledger.remove_label(bead_id, label)
    ledger.comment(bead_id, text, *, author=None) -> Comment
    ledger.search(text, *, limit=50) -> list[Bead]
    ledger.audit(bead_id) -> list[AuditEvent]
    ledger.delete(bead_id) (wisps / burn only) ; ledger.gc_wisps(older_than_seconds) -> int
    ledger.export_jsonl() -> list[Path] ; ledger.import_jsonl(path) -> ImportReport
    ledger.meta_get(key) / ledger.meta_set(key, value)   # small key/value table for engine state

`Bead` is a dataclass with the beads field names (id, title, description, status, priority, issue_type, assignee,
labels, dependencies, comments, created_at, updated_at, closed_at, close_reason, ephemeral, metadata, ...) plus
`extra` (unknown JSONL keys, preserved on export) and `to_dict()` giving the beads JSON shape.

Extensions (beyond the original contract):
    Ledger.open(town_paths, *, default_prefix="hq")   # accepts a TownPaths or a town root path
    ledger.shutdown() / `with Ledger.open(...) as ledger:`   # checkpoint WAL and close the connection
    ledger.exists(bead_id) -> bool ; ledger.blockers(bead_id) -> list[str] ; ledger.labels(bead_id=None)
    ledger.count(**list_filters) -> int ; ledger.commit(message) -> str | None  (export + git commit .beads)
    ledger.ready_ids(**ready_filters) -> list[str]   # ids only: use for "is it ready?" sets (no Bead objects)
    ledger.ready(..., unassigned=False) ; ledger.add_dep(..., metadata=None) (waits-for gate metadata)
    ledger.export_jsonl(*, full=False) ; ledger.import_jsonl(path, *, prefix=None)
    ledger.import_reports  # ImportReports from the import-if-changed done by open() (errors -> CLI warning)
    TreeNode, Dependency, Comment, ImportReport dataclasses; every record has to_dict().

Semantics worth knowing:
  * `list(ephemeral=None)` returns wisps and persistent beads; True/False restrict to one kind.
  * `ready` sorts by priority, then oldest first (FIFO within a priority), then id.
  * `conditional-blocks` blocks exactly like `blocks`; a dependency on an id absent from the store does not block.
  * Import merges per bead by `updated_at` (newer wins, ties go to the file); beads only in the store are kept.
    Malformed lines are reported as `file:line: problem` in ImportReport.errors; the good lines land together.
  * `gc_wisps` deletes wisps that are closed or not updated for `older_than_seconds`, except closed steps of a
    still-open wisp molecule. Feed events (`bead.created/closed/claimed`) are emitted for persistent beads only,
    after commit.
  * Tombstoned (status `tombstone`) and pinned blockers count as done; ready excludes pinned/deferred/in-progress.
  * `add_dep` refuses `blocks`/`conditional-blocks` cycles and parent-child loops (Conflict naming the path);
    the target must exist unless it is `external:...`. One edge per ordered pair (beads rule).
  * `export_jsonl()`/`commit()` refuse to run inside an open transaction, and refuse to overwrite a town JSONL
    file that has malformed lines (its bad line's bead would be dropped).

Modules: schema (vocabulary, DDL), store (connection, transactions, busy retry), ids (hash/child ids, partial
resolution), model (dataclasses, key order), readiness (is_blocked), jsonl (encode/import/render), sync
(import-if-changed, export, git commit), queries (list/ready/blocked/search SQL), deps (cycles, trees),
api (Ledger: open/create/get), writes and reads (the rest of the Ledger methods, as mixins).
"""

from gastown_tui.ledger.api import Ledger
from gastown_tui.ledger.model import (AuditEvent, Bead, BlockedBead, Comment, Dependency, ImportReport,
                                      TreeNode)
from gastown_tui.ledger.schema import (BLOCKING_DEP_TYPES, ISSUE_TYPES, READY_EXCLUDED_TYPES, STATUSES,
                                       validate_priority, validate_status, validate_type)

__all__ = ["AuditEvent", "BLOCKING_DEP_TYPES", "Bead", "BlockedBead", "Comment", "Dependency", "ISSUE_TYPES",
           "ImportReport", "Ledger", "READY_EXCLUDED_TYPES", "STATUSES", "TreeNode", "validate_priority",
           "validate_status", "validate_type"]
