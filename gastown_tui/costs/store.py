"""Usage tables in the town's live store (state.db): read offsets per transcript, turns, rate limits, budgets.

The tables live beside the ledger's own in the same SQLite file and every write is one `ledger.transaction()`
(BEGIN IMMEDIATE with the ledger's busy retry), so the engine's patrol and any number of `gt costs` calls can
ingest at once: a turn is keyed by its message id, and a file's offset only moves forward inside the transaction
that stored its turns, so two readers racing on the same bytes store each turn once.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from gastown_tui.costs.transcript import Tokens, Turn

SCHEMA = """
CREATE TABLE IF NOT EXISTS usage_files (
    path TEXT PRIMARY KEY, inode INTEGER NOT NULL, offset INTEGER NOT NULL, updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS usage_turns (
    message_id TEXT PRIMARY KEY, request_id TEXT NOT NULL, session_id TEXT NOT NULL, ts REAL NOT NULL,
    day TEXT NOT NULL, model TEXT NOT NULL, runtime TEXT NOT NULL, agent TEXT NOT NULL, rig TEXT NOT NULL,
    bead TEXT NOT NULL, input INTEGER NOT NULL, output INTEGER NOT NULL, cache_read INTEGER NOT NULL,
    cache_write INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS usage_turns_agent ON usage_turns(agent, ts);
CREATE INDEX IF NOT EXISTS usage_turns_bead ON usage_turns(bead);
CREATE INDEX IF NOT EXISTS usage_turns_ts ON usage_turns(ts);
CREATE TABLE IF NOT EXISTS usage_limits (
    agent TEXT NOT NULL, runtime TEXT NOT NULL, ts REAL NOT NULL, retry_at REAL NOT NULL, source TEXT NOT NULL,
    detail TEXT NOT NULL, PRIMARY KEY (agent, ts, source));
CREATE TABLE IF NOT EXISTS budget_state (
    scope TEXT NOT NULL, key TEXT NOT NULL, warned REAL, opened REAL, escalation TEXT NOT NULL DEFAULT '',
    baseline REAL NOT NULL DEFAULT 0, raised_limit REAL, PRIMARY KEY (scope, key));
"""
_MARK = "_costs_schema_ready"  # set on a Ledger once its store is known to hold the tables


def ensure_schema(ledger: Any) -> None:
    """Create the usage tables if this store has none yet (idempotent, cheap after the first call)."""
    if getattr(ledger, _MARK, False):
        return
    have = ledger.store.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'budget_state'").fetchone()
    if have is None:
        with ledger.transaction() as tx:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    tx.execute(statement)
    setattr(ledger, _MARK, True)


def conn_of(ledger: Any) -> sqlite3.Connection:
    """The store connection for reads (schema ensured)."""
    ensure_schema(ledger)
    return ledger.store.conn  # type: ignore[no-any-return]


def file_offset(ledger: Any, path: str) -> tuple[int, int]:
    """(inode, offset) stored for a transcript file; (0, 0) if never read."""
    row = conn_of(ledger).execute("SELECT inode, offset FROM usage_files WHERE path = ?", (path,)).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def store_turns(ledger: Any, path: str, inode: int, start: int, end: int, rows: list[tuple[Turn, dict[str, str]]],
                now: float) -> int:
    """Insert turns read from bytes [start, end) of `path` and move its offset to `end`; returns new turns.

    If another reader already moved the offset past `start`, nothing is written (it stored these bytes).
    A message id seen again keeps its first attribution; its counts become the larger of the two (a reply
    written in parts may carry the final output count only on its last line).
    """
    ensure_schema(ledger)
    with ledger.transaction() as tx:
        row = tx.execute("SELECT inode, offset FROM usage_files WHERE path = ?", (path,)).fetchone()
        if row is not None and int(row[0]) == inode and int(row[1]) != start:
            return 0
        inserted = 0
        for turn, who in rows:
            t = turn.tokens
            cur = tx.execute("INSERT OR IGNORE INTO usage_turns VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                             (turn.message_id, turn.request_id, turn.session_id, turn.ts, who["day"], turn.model,
                              who["runtime"], who["agent"], who["rig"], who["bead"], t.input, t.output,
                              t.cache_read, t.cache_write))
            if cur.rowcount:
                inserted += 1
            else:
                tx.execute("UPDATE usage_turns SET input = max(input, ?), output = max(output, ?), "
                           "cache_read = max(cache_read, ?), cache_write = max(cache_write, ?) WHERE message_id = ?",
                           (t.input, t.output, t.cache_read, t.cache_write, turn.message_id))
        tx.execute("INSERT INTO usage_files VALUES (?,?,?,?) ON CONFLICT(path) DO UPDATE SET inode = excluded.inode,"
                   " offset = excluded.offset, updated = excluded.updated", (path, inode, end, now))
        return inserted


def tokens_of(row: sqlite3.Row | tuple[Any, ...], at: int = 0) -> Tokens:
    """Tokens from four consecutive integer columns starting at `at`."""
    return Tokens(int(row[at] or 0), int(row[at + 1] or 0), int(row[at + 2] or 0), int(row[at + 3] or 0))
