"""Vocabulary (statuses, types, dependency kinds) and the SQLite schema of the ledger."""

from __future__ import annotations

import re
import sqlite3

from gastown_tui.errors import InvalidInput
from gastown_tui.records import CUSTOM_TYPES

SCHEMA_VERSION = 2

STATUSES = ("open", "in_progress", "blocked", "deferred", "closed", "pinned", "hooked")
# Accepted on import only: soft-deleted rows of the v0.30–v0.50 era, and Gas Town's convoy staging states.
IMPORT_ONLY_STATUSES = ("tombstone",)
EXTRA_STATUSES = ("staged_ready", "staged_warnings")
# Statuses whose bead no longer blocks anything (a closed/pinned/deleted blocker is satisfied).
DONE_STATUSES = ("closed", "pinned", "tombstone")

BUILTIN_TYPES = ("bug", "feature", "task", "epic", "chore", "decision", "spike", "story", "milestone",
                 "message", "molecule", "gate", "event")
ISSUE_TYPES = tuple(dict.fromkeys(BUILTIN_TYPES + CUSTOM_TYPES))
TYPE_ALIASES = {"dec": "decision", "adr": "decision", "investigation": "spike", "timebox": "spike",
                "user-story": "story", "ms": "milestone", "enhancement": "feature", "feat": "feature"}
# Types that are records or containers, never "work" for `ready`.
READY_EXCLUDED_TYPES = ("merge-request", "gate", "molecule", "message", "agent", "role", "rig", "convoy")

# Dependency types that affect readiness; the first two are also cycle-checked on add.
BLOCKING_DEP_TYPES = ("blocks", "parent-child", "conditional-blocks", "waits-for")
CYCLE_CHECKED_DEP_TYPES = ("blocks", "conditional-blocks")

_NAME_RE = re.compile(r"^[a-z][a-z0-9_-]{0,49}$")


def sql_list(values: tuple[str, ...]) -> str:
    """Render constant strings as an SQL list literal (only for the fixed vocabularies above)."""
    return "(" + ",".join(f"'{v}'" for v in values) + ")"


def validate_status(status: str, *, importing: bool = False) -> str:
    """Return `status` if it is a known status (import also accepts tombstone and well-formed custom names)."""
    allowed = STATUSES + EXTRA_STATUSES + (IMPORT_ONLY_STATUSES if importing else ())
    if status in allowed or (importing and isinstance(status, str) and _NAME_RE.match(status)):
        return status
    raise InvalidInput(f"invalid status {status!r}: use one of {', '.join(STATUSES)}")


def validate_type(issue_type: str, *, importing: bool = False) -> str:
    """Return the canonical issue type (aliases resolved); import trusts any well-formed name."""
    canonical = TYPE_ALIASES.get(issue_type, issue_type)
    if canonical in ISSUE_TYPES or (importing and isinstance(canonical, str) and _NAME_RE.match(canonical)):
        return canonical
    raise InvalidInput(f"invalid issue type {issue_type!r}: use one of {', '.join(ISSUE_TYPES)}")


def validate_priority(priority: object) -> int:
    """Accept 0-4 as int or string, or P0-P4; raise InvalidInput otherwise."""
    text = str(priority).strip()
    if text[:1] in ("P", "p"):
        text = text[1:]
    if isinstance(priority, bool) or not text.isdigit() or not 0 <= int(text) <= 4:
        raise InvalidInput(f"invalid priority {priority!r}: use 0-4 or P0-P4 (0 is critical)")
    return int(text)


def validate_dep_type(dep_type: str) -> str:
    """Any non-empty dependency type up to 50 characters is accepted (beads rule)."""
    if not isinstance(dep_type, str) or not dep_type.strip() or len(dep_type) > 50:
        raise InvalidInput(f"invalid dependency type {dep_type!r}: non-empty, at most 50 characters")
    return dep_type.strip()


DDL = f"""
CREATE TABLE IF NOT EXISTS issues (
    id TEXT PRIMARY KEY,
    prefix TEXT NOT NULL,
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    description TEXT NOT NULL DEFAULT '',
    design TEXT NOT NULL DEFAULT '',
    acceptance_criteria TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'open',
    priority INTEGER NOT NULL DEFAULT 2 CHECK (priority BETWEEN 0 AND 4),
    issue_type TEXT NOT NULL DEFAULT 'task',
    assignee TEXT,
    owner TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT,
    updated_at TEXT NOT NULL,
    started_at TEXT,
    closed_at TEXT,
    close_reason TEXT,
    defer_until TEXT,
    external_ref TEXT,
    ephemeral INTEGER NOT NULL DEFAULT 0,
    metadata TEXT,
    extra TEXT,
    is_blocked INTEGER NOT NULL DEFAULT 0,
    content_hash TEXT,  -- hash of the JSONL line last imported; NULL once changed locally
    created_unix REAL NOT NULL,
    updated_unix REAL NOT NULL,
    defer_unix REAL
);
CREATE INDEX IF NOT EXISTS issues_ready ON issues(status, is_blocked, priority, created_unix);
CREATE INDEX IF NOT EXISTS issues_prefix ON issues(prefix, ephemeral);
CREATE INDEX IF NOT EXISTS issues_assignee ON issues(assignee);
CREATE INDEX IF NOT EXISTS issues_ephemeral ON issues(ephemeral, updated_unix);
CREATE INDEX IF NOT EXISTS issues_blocked ON issues(is_blocked) WHERE is_blocked = 1;

CREATE TABLE IF NOT EXISTS dependencies (
    issue_id TEXT NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    depends_on_id TEXT NOT NULL,  -- no FK: real ledgers point at ids in other files/repos
    type TEXT NOT NULL DEFAULT 'blocks',
    created_at TEXT NOT NULL,
    created_by TEXT,
    metadata TEXT,
    thread_id TEXT,
    extra TEXT,
    seq INTEGER NOT NULL DEFAULT 0,  -- order within the issue's JSONL array, for faithful round trips
    PRIMARY KEY (issue_id, depends_on_id)
);
CREATE INDEX IF NOT EXISTS deps_target ON dependencies(depends_on_id, type, issue_id);

CREATE TABLE IF NOT EXISTS labels (
    issue_id TEXT NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    seq INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (issue_id, label)
);
CREATE INDEX IF NOT EXISTS labels_label ON labels(label);

CREATE TABLE IF NOT EXISTS comments (
    id NOT NULL,  -- no type affinity: UUID strings now, integers in pre-1.0 files (kept as integers)
    issue_id TEXT NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    author TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    extra TEXT,
    seq INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (issue_id, id)
);

CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    issue_id TEXT NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    event_type TEXT NOT NULL,
    actor TEXT NOT NULL DEFAULT '',
    old_value TEXT,
    new_value TEXT,
    comment TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_issue ON events(issue_id, id);

CREATE TABLE IF NOT EXISTS child_counters (parent_id TEXT PRIMARY KEY, last_child INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS dirty_prefixes (prefix TEXT PRIMARY KEY);

-- Mark a prefix dirty whenever a persistent bead or one of its parts changes, so export rewrites only those files.
CREATE TRIGGER IF NOT EXISTS dirty_issue_ins AFTER INSERT ON issues WHEN NEW.ephemeral = 0
BEGIN INSERT OR IGNORE INTO dirty_prefixes VALUES (NEW.prefix); END;
CREATE TRIGGER IF NOT EXISTS dirty_issue_upd AFTER UPDATE ON issues WHEN NEW.ephemeral = 0 OR OLD.ephemeral = 0
BEGIN INSERT OR IGNORE INTO dirty_prefixes VALUES (NEW.prefix); END;
CREATE TRIGGER IF NOT EXISTS dirty_issue_del AFTER DELETE ON issues WHEN OLD.ephemeral = 0
BEGIN INSERT OR IGNORE INTO dirty_prefixes VALUES (OLD.prefix); END;
{''.join(f'''
CREATE TRIGGER IF NOT EXISTS dirty_{t}_{op} AFTER {op.upper()} ON {t}
BEGIN INSERT OR IGNORE INTO dirty_prefixes
      SELECT prefix FROM issues WHERE id = {row}.issue_id AND ephemeral = 0; END;'''
         for t in ("dependencies", "labels", "comments")
         for op, row in (("insert", "NEW"), ("delete", "OLD"), ("update", "NEW")))}
"""


def create_schema(conn: sqlite3.Connection) -> None:
    """Create every table, index and trigger (idempotent, so it also upgrades older stores); caller holds the tx."""
    for statement in _split(DDL):
        conn.execute(statement)
    conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))


def _split(ddl: str) -> list[str]:
    """Split the DDL into whole statements (trigger bodies contain ';'), using SQLite's own completeness test."""
    statements: list[str] = []
    buffer = ""
    for line in ddl.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    return [s for s in statements if s]
