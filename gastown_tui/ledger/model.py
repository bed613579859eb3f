"""The bead record and its parts, with the beads JSON shape (field names and key order) for export and `--json`."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

TYPE_CHECKING = False  # not typing's: importing typing costs ~4 ms of every `gt` call, and only checkers need it
if TYPE_CHECKING:
    from typing import Any

# Scalar columns of `issues` that are first-class Bead fields (everything else in a JSONL object goes to `extra`).
COLUMNS = ("id", "title", "description", "design", "acceptance_criteria", "notes", "status", "priority",
           "issue_type", "assignee", "owner", "created_at", "created_by", "updated_at", "started_at", "closed_at",
           "close_reason", "defer_until", "external_ref", "ephemeral", "metadata")
TEXT_DEFAULT_EMPTY = ("description", "design", "acceptance_criteria", "notes")

# Serialised key order: the beads Go struct order, so a real beads file round-trips byte for byte.
# Keys not listed here (unknown to us) follow in sorted order.
KEY_ORDER = (
    "id", "title", "description", "design", "acceptance_criteria", "notes", "spec_id", "status", "priority",
    "issue_type", "assignee", "owner", "estimated_minutes", "created_at", "created_by", "updated_at", "started_at",
    "closed_at", "close_reason", "closed_by_session", "due_at", "defer_until", "external_ref", "source_system",
    "compaction_level", "compacted_at", "compacted_at_commit", "original_size", "labels", "dependencies",
    "comments", "deleted_at", "deleted_by", "delete_reason", "original_type", "sender", "ephemeral", "no_history",
    "wisp_type", "pinned", "is_template", "bonded_from", "mol_type", "source_formula", "source_location",
    "await_type", "await_id", "timeout", "waiters", "work_type", "event_kind", "actor", "target", "payload",
    "metadata",
)
_KEY_RANK = {key: rank for rank, key in enumerate(KEY_ORDER)}
DEP_KEYS = ("issue_id", "depends_on_id", "type", "created_at", "created_by", "metadata", "thread_id")
COMMENT_KEYS = ("id", "issue_id", "author", "text", "created_at")


def now_iso() -> str:
    """The current UTC time as RFC 3339 with microseconds."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def to_unix(stamp: str | None) -> float | None:
    """Seconds since the epoch for an RFC 3339 timestamp (any offset, any fraction length); None if unparsable."""
    if not stamp:
        return None
    text = stamp.strip().replace("Z", "+00:00").replace("z", "+00:00")
    head, dot, rest = text.partition(".")
    if dot:  # Go writes up to 9 fractional digits; fromisoformat takes at most 6
        digits = len(rest) - len(rest.lstrip("0123456789"))
        text = head + "." + rest[:min(digits, 6)].ljust(6, "0") + rest[digits:]
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def check_text(name: str, value: Any) -> Any:
    """Refuse strings (also nested in dicts/lists) that are not valid Unicode: they could never be exported."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            from gastown_tui.errors import InvalidInput

            raise InvalidInput(f"{name} is not valid Unicode text (lone surrogate)") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(name, key)
            check_text(name, item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            check_text(name, item)
    return value


def check_title(title: Any) -> str:
    """A title is 1-500 characters of valid text without NUL (SQLite's length() stops at NUL)."""
    from gastown_tui.errors import InvalidInput

    if not isinstance(title, str) or not title.strip() or len(title) > 500:
        raise InvalidInput("title must be 1-500 characters")
    if "\x00" in title:
        raise InvalidInput("title must not contain NUL characters")
    return check_text("title", title)


def ordered(obj: dict[str, Any]) -> dict[str, Any]:
    """`obj` with keys in beads order, unknown keys last in sorted order."""
    return {k: obj[k] for k in sorted(obj, key=lambda k: (_KEY_RANK.get(k, len(KEY_ORDER)), k))}


@dataclass
class Dependency:
    """An edge: `issue_id` depends on `depends_on_id` with `type` (blocks, parent-child, discovered-from, ...)."""

    issue_id: str
    depends_on_id: str
    type: str = "blocks"
    created_at: str = ""
    created_by: str | None = None
    metadata: str | None = None
    thread_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The beads JSON shape of this edge (created_by always present, as beads writes it)."""
        out: dict[str, Any] = {"issue_id": self.issue_id, "depends_on_id": self.depends_on_id, "type": self.type,
                               "created_at": self.created_at, "created_by": self.created_by or ""}
        if self.metadata is not None:
            out["metadata"] = self.metadata
        if self.thread_id:
            out["thread_id"] = self.thread_id
        out.update(self.extra)
        return out

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> "Dependency":
        """Build from a `dependencies` row."""
        return cls(row["issue_id"], row["depends_on_id"], row["type"], row["created_at"], row["created_by"],
                   row["metadata"], row["thread_id"], json.loads(row["extra"]) if row["extra"] else {})


@dataclass
class Comment:
    """A comment on a bead (UUID id for new comments; integer ids from old files are kept as they were)."""

    id: Any
    issue_id: str
    author: str
    text: str
    created_at: str
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The beads JSON shape of this comment."""
        return {"id": self.id, "issue_id": self.issue_id, "author": self.author, "text": self.text,
                "created_at": self.created_at, **self.extra}

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> "Comment":
        """Build from a `comments` row."""
        return cls(row["id"], row["issue_id"], row["author"], row["text"], row["created_at"],
                   json.loads(row["extra"]) if row["extra"] else {})


@dataclass
class AuditEvent:
    """One audit-trail entry (created, updated, status_changed, closed, reopened, claimed, ...)."""

    id: int
    issue_id: str
    event_type: str
    actor: str
    old_value: str | None
    new_value: str | None
    comment: str | None
    created_at: str

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON output."""
        return dict(self.__dict__)


@dataclass
class Bead:
    """A work item (or Gas Town record) with beads field names; `extra` holds JSONL keys we do not model."""

    id: str
    title: str
    description: str = ""
    status: str = "open"
    priority: int = 2
    issue_type: str = "task"
    assignee: str | None = None
    owner: str | None = None
    design: str = ""
    acceptance_criteria: str = ""
    notes: str = ""
    created_at: str = ""
    created_by: str | None = None
    updated_at: str = ""
    started_at: str | None = None
    closed_at: str | None = None
    close_reason: str | None = None
    defer_until: str | None = None
    external_ref: str | None = None
    ephemeral: bool = False
    metadata: dict[str, Any] | None = None
    labels: list[str] = field(default_factory=list)
    dependencies: list[Dependency] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    is_blocked: bool = False
    prefix: str = ""

    @property
    def parent_id(self) -> str | None:
        """The parent (target of this bead's parent-child edge), if any."""
        return next((d.depends_on_id for d in self.dependencies if d.type == "parent-child"), None)

    def to_dict(self) -> dict[str, Any]:
        """The beads JSON shape (the JSONL line), keys in beads order; empty optional fields omitted."""
        out: dict[str, Any] = {"id": self.id, "title": self.title, "status": self.status,
                               "priority": self.priority, "issue_type": self.issue_type,
                               "created_at": self.created_at, "updated_at": self.updated_at}
        for key in ("description", "design", "acceptance_criteria", "notes", "assignee", "owner", "created_by",
                    "started_at", "closed_at", "close_reason", "defer_until", "external_ref"):
            value = getattr(self, key)
            if value:
                out[key] = value
        if self.ephemeral:
            out["ephemeral"] = True
        if self.metadata is not None:
            out["metadata"] = self.metadata
        if self.labels:
            out["labels"] = list(self.labels)
        if self.dependencies:
            out["dependencies"] = [d.to_dict() for d in self.dependencies]
        if self.comments:
            out["comments"] = [c.to_dict() for c in self.comments]
        for key, value in self.extra.items():
            out.setdefault(key, value)
        return ordered(out)

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> "Bead":
        """Build the scalar part from an `issues` row (labels/deps/comments are filled in by the caller)."""
        return cls(
            id=row["id"], title=row["title"], description=row["description"], status=row["status"],
            priority=row["priority"], issue_type=row["issue_type"], assignee=row["assignee"], owner=row["owner"],
            design=row["design"], acceptance_criteria=row["acceptance_criteria"], notes=row["notes"],
            created_at=row["created_at"], created_by=row["created_by"], updated_at=row["updated_at"],
            started_at=row["started_at"], closed_at=row["closed_at"], close_reason=row["close_reason"],
            defer_until=row["defer_until"], external_ref=row["external_ref"], ephemeral=bool(row["ephemeral"]),
            metadata=json.loads(row["metadata"]) if row["metadata"] is not None else None,
            extra=json.loads(row["extra"]) if row["extra"] else {}, is_blocked=bool(row["is_blocked"]),
            prefix=row["prefix"],
        )


@dataclass
class BlockedBead:
    """A bead that cannot start, with the ids of what holds it (open blockers, blocked parent, waited-on spawner)."""

    bead: Bead
    blocked_by: list[str]

    def to_dict(self) -> dict[str, Any]:
        """The bead's JSON shape plus `blocked_by` and `blocked_by_count`."""
        return {**self.bead.to_dict(), "blocked_by": self.blocked_by, "blocked_by_count": len(self.blocked_by)}


@dataclass
class TreeNode:
    """One node of `dep_tree`: the bead, its depth, the node it hangs from and the edge type it hangs by."""

    id: str
    title: str
    status: str
    depth: int
    parent_id: str | None
    dep_type: str | None
    truncated: bool = False
    missing: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON output."""
        return dict(self.__dict__)


@dataclass
class ImportReport:
    """What an import did: counts, and the malformed lines it refused (`file:line: problem`)."""

    path: Path
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_older: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True if every line was imported."""
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON output."""
        return {"path": str(self.path), "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "skipped_older": self.skipped_older, "errors": list(self.errors)}
