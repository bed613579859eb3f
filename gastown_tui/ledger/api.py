"""`Ledger`: the one object other packages use. Opening, transactions, and bead creation/lookup live here;
the rest of the write API is in `writes.py` and graph/query helpers in `deps.py`/`queries.py`."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gastown_tui.errors import Conflict, InvalidInput, LedgerError, NotFound
from gastown_tui.events import default_actor, emit
from gastown_tui.ledger import ids as idmod
from gastown_tui.ledger import readiness, schema, store, sync
from gastown_tui.ledger.jsonl import load_beads
from gastown_tui.ledger.model import (
    COLUMNS,
    Bead,
    ImportReport,
    check_text,
    check_title,
    now_iso,
    to_unix,
)
from gastown_tui.ledger.writes import WritesMixin
from gastown_tui.records import TOWN_PREFIX
from gastown_tui.town.paths import TownPaths

TYPE_CHECKING = False  # not typing's: importing typing costs ~4 ms of every `gt` call, and only checkers need it
if TYPE_CHECKING:
    from typing import Any
    import logging


def _log() -> logging.Logger:
    """This module's logger. `logging` is imported on first use: it costs ~4 ms of CPU on every `gt` call, and
    the messages here are rare."""
    import logging

    return logging.getLogger(__name__)

# Keyword fields of create()/update() stored in their own column; any other keyword goes to `extra`.
SETTABLE = tuple(c for c in COLUMNS if c not in ("id", "created_at", "updated_at", "ephemeral"))


class Ledger(WritesMixin):
    """The beads ledger of one town: SQLite live store + JSONL persistence (see package docstring)."""

    def __init__(self, paths: TownPaths, st: store.Store, default_prefix: str) -> None:
        self.paths = paths
        self.store = st
        self.default_prefix = default_prefix
        self.import_reports: list[ImportReport] = []  # from open(); the CLI warns about any with errors

    # ---- lifecycle -------------------------------------------------------------------------------------------
    @classmethod
    def open(cls, town_paths: TownPaths | Path | str, *, default_prefix: str = TOWN_PREFIX) -> "Ledger":
        """Open (creating if needed) the town's store and import any `.beads/*.jsonl` whose hash changed."""
        paths = town_paths if isinstance(town_paths, TownPaths) else TownPaths(Path(town_paths))
        ledger = cls(paths, store.Store(store.connect(paths.state_db)), idmod.validate_prefix(default_prefix))
        try:
            row = ledger.store.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            current = int(row[0]) if row else 0
        except sqlite3.OperationalError:
            current = 0
        if current < schema.SCHEMA_VERSION:
            with ledger.transaction() as conn:
                schema.create_schema(conn)
        if sync.stale_files(ledger.store.conn, paths):
            with ledger.transaction() as conn:
                ledger.import_reports = sync.import_if_changed(conn, paths)
        return ledger

    def shutdown(self) -> None:
        """Checkpoint and close the connection (named so as not to clash with closing a bead)."""
        self.store.close()

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE, busy retried); nested use joins the outer one."""
        with self.store.transaction() as conn:
            yield conn

    # ---- helpers used by the write mixin ---------------------------------------------------------------------
    def _actor(self, actor: str | None) -> str:
        return actor or default_actor()

    def _require(self, conn: sqlite3.Connection, bead_id: str) -> sqlite3.Row:
        row = conn.execute("SELECT * FROM issues WHERE id = ?", (bead_id,)).fetchone()
        if row is None:
            raise NotFound(f"no bead {bead_id!r}")
        return row

    def _event(self, conn: sqlite3.Connection, bead_id: str, event_type: str, actor: str,
               old: Any = None, new: Any = None, comment: str | None = None) -> None:
        conn.execute("INSERT INTO events(issue_id, event_type, actor, old_value, new_value, comment, created_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (bead_id, event_type, actor, None if old is None else str(old),
                      None if new is None else str(new), comment, now_iso()))

    def _touch(self, conn: sqlite3.Connection, bead_id: str) -> None:
        """Bump updated_at (the last-writer-wins clock) and forget the imported line hash."""
        stamp = now_iso()
        conn.execute("UPDATE issues SET updated_at = ?, updated_unix = ?, content_hash = NULL WHERE id = ?",
                     (stamp, to_unix(stamp), bead_id))

    def _feed(self, kind: str, bead_id: str, actor: str, **data: Any) -> None:
        """Queue a feed event for after commit (a rolled-back write never shows up in the activity feed)."""
        events_file = self.paths.events

        def send() -> None:
            try:
                emit(events_file, kind, actor=actor, bead=bead_id, **data)
            except OSError as exc:  # the write is committed: a lost feed line must not turn it into an error
                _log().warning("activity feed not appended (%s %s): %s", kind, bead_id, exc)

        self.store.after_commit(send)

    # ---- create / read ---------------------------------------------------------------------------------------
    def create(self, title: str, *, prefix: str | None = None, id: str | None = None, parent: str | None = None,
               description: str = "", issue_type: str = "task", priority: int | str = 2, status: str = "open",
               assignee: str | None = None, labels: tuple[str, ...] | list[str] = (), ephemeral: bool = False,
               metadata: dict[str, Any] | None = None, actor: str | None = None, **more_fields: Any) -> Bead:
        """Create a bead (hash id, `<parent>.N` child id, or explicit `id`) with its labels and parent edge."""
        check_title(title)
        for name, value in (("description", description), ("assignee", assignee), ("labels", labels),
                            ("metadata", metadata), ("actor", actor), ("id", id), *more_fields.items()):
            check_text(name, value)
        issue_type = schema.validate_type(issue_type)
        status = schema.validate_status(status)
        priority = schema.validate_priority(priority)
        actor = self._actor(actor)
        with self.transaction() as conn:
            if parent is not None:
                self._require(conn, parent)
                if prefix is None:
                    prefix = conn.execute("SELECT prefix FROM issues WHERE id = ?", (parent,)).fetchone()[0]
            prefix = idmod.validate_prefix(prefix or self.default_prefix)
            if id is not None:
                bead_id = idmod.validate_explicit_id(id)
                if conn.execute("SELECT 1 FROM issues WHERE id = ?", (bead_id,)).fetchone():
                    raise Conflict(f"bead {bead_id} already exists")
                idmod.forget_counts(conn)  # an explicit id changes how many ids its stem holds
                if not bead_id.startswith(prefix + "-"):
                    candidates = sorted({*idmod.known_prefixes(conn), self.default_prefix}, key=lambda p: -len(p))
                    prefix = idmod.prefix_of(bead_id, candidates)
            elif parent is not None:
                bead_id = idmod.new_child_id(conn, parent)
            else:
                stem = prefix + ("-wisp" if ephemeral else "-mol" if issue_type == "molecule" else "")
                bead_id = idmod.new_hash_id(conn, stem, title, description, actor)
            stamp = now_iso()
            row: dict[str, Any] = {"id": bead_id, "prefix": prefix, "title": title, "description": description or "",
                                   "status": status, "priority": priority, "issue_type": issue_type,
                                   "assignee": assignee or None, "created_at": stamp, "created_by": actor,
                                   "updated_at": stamp, "ephemeral": 1 if ephemeral else 0,
                                   "metadata": json.dumps(metadata) if metadata is not None else None,
                                   "created_unix": to_unix(stamp), "updated_unix": to_unix(stamp)}
            extra = self._split_fields(row, more_fields)
            if status == "closed":
                row["closed_at"] = stamp
            if status == "in_progress":
                row["started_at"] = stamp
            row["extra"] = json.dumps(extra) if extra else None
            row["defer_unix"] = to_unix(row.get("defer_until"))
            conn.execute(f"INSERT INTO issues ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                         tuple(row.values()))
            for n, label in enumerate(dict.fromkeys(labels)):
                conn.execute("INSERT INTO labels(issue_id, label, seq) VALUES (?, ?, ?)",
                             (bead_id, self._label(label), n))
            if parent is not None:
                conn.execute("INSERT INTO dependencies(issue_id, depends_on_id, type, created_at, created_by) "
                             "VALUES (?, ?, 'parent-child', ?, ?)", (bead_id, parent, stamp, actor))
            self._event(conn, bead_id, "created", actor, new=title)
            readiness.refresh(conn, [bead_id])
            if not ephemeral:
                self._feed("bead.created", bead_id, actor, title=title, issue_type=issue_type)
            return self.get(bead_id)

    def _split_fields(self, row: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
        """Put known column fields into `row` (validated) and return the rest as `extra`."""
        extra: dict[str, Any] = {}
        for key, value in fields.items():
            if key in ("status", "priority", "issue_type"):
                raise InvalidInput(f"{key} is a named argument")
            if key in SETTABLE:
                row[key] = value
            elif key in ("labels", "dependencies", "comments", "prefix", "is_blocked", "extra"):
                raise InvalidInput(f"{key!r} cannot be set as a field")
            else:
                extra[key] = value
        return extra

    @staticmethod
    def _label(label: str) -> str:
        """Labels are non-empty, single-line, at most 100 characters."""
        label = check_text("label", (label or "").strip())
        if not label or len(label) > 100 or "\n" in label or "\x00" in label:
            raise InvalidInput(f"invalid label {label!r}: 1-100 characters, one line")
        return label

    def get(self, bead_id: str) -> Bead:
        """The bead with exactly this id (with labels, dependencies and comments); NotFound otherwise."""
        with self.store.lock:
            found = load_beads(self.store.conn, "i.id = ?", (bead_id,))
        if not found:
            raise NotFound(f"no bead {bead_id!r}")
        return found[0]

    def exists(self, bead_id: str) -> bool:
        """True if a bead with exactly this id exists."""
        return bool(self.store.query("SELECT 1 FROM issues WHERE id = ?", (bead_id,)))

    def resolve(self, partial: str) -> str:
        """Resolve a typed id (full, without prefix, or a unique fragment of the hash); NotFound / Ambiguous."""
        with self.store.lock:
            return idmod.resolve(self.store.conn, partial, self.default_prefix)

    def meta_get(self, key: str) -> str | None:
        """A value from the small key/value table (None if unset)."""
        rows = self.store.query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def meta_set(self, key: str, value: str | None) -> None:
        """Set (or with None, delete) a key in the key/value table."""
        with self.transaction() as conn:
            if value is None:
                conn.execute("DELETE FROM meta WHERE key = ?", (key,))
            else:
                conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, str(value)))

    # ---- persistence -----------------------------------------------------------------------------------------
    def export_jsonl(self, *, full: bool = False) -> list[Path]:
        """Import-if-changed, then rewrite the JSONL of changed prefixes; returns the files written.

        Must not run inside an open transaction: files cannot be rolled back, so a later rollback would leave
        beads in the JSONL that the store never committed (and the next import would resurrect them).
        """
        # Take the (re-entrant) store lock first: another thread's open transaction then makes us wait instead of
        # looking like our own, and only a transaction opened by this thread trips the check.
        with self.store.lock:
            if self.store.depth:
                raise LedgerError("export_jsonl() cannot run inside a transaction; call it after the transaction ends")
            with self.transaction() as conn:
                return sync.export(conn, self.paths, full=full)

    def import_jsonl(self, path: Path | str, *, prefix: str | None = None) -> ImportReport:
        """Import a JSONL file (good lines land in one transaction; bad ones are listed in the report)."""
        path = Path(path)
        in_town = path.resolve().parent == self.paths.beads_dir.resolve()
        with self.transaction() as conn:
            return sync.import_file(conn, path, prefix_hint=prefix or (path.stem if in_town else None),
                                    record_hash=in_town)

    def commit(self, message: str = "ledger: update beads") -> str | None:
        """Export, then `git add .beads && git commit`; returns the commit sha or None if nothing changed."""
        self.export_jsonl()
        return sync.git_commit(self.paths.root, message)

    def now(self) -> float:
        """Current time (seconds); one place to fake in tests."""
        return time.time()
