"""The SQLite connection: WAL, foreign keys, busy timeout, and short BEGIN IMMEDIATE transactions with retry.

Thirty agents call `gt` at once, so every write is one short `BEGIN IMMEDIATE` transaction. The write lock is taken
up front (IMMEDIATE), which means the only place a writer can meet SQLITE_BUSY is at BEGIN (or, rarely, COMMIT);
those are retried with jittered exponential back-off on top of SQLite's own busy_timeout, so the user never sees
"database is locked". Nested `transaction()` joins the outer one through a SAVEPOINT: the outermost level commits,
an exception inside an inner block rolls back only that block, an exception escaping the outer block rolls back all.
"""

from __future__ import annotations

import _thread  # threading's RLock is this C lock; importing threading costs ~1 ms per `gt` call
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from gastown_tui.errors import LedgerError

TYPE_CHECKING = False  # not typing's: importing typing costs ~4 ms of every `gt` call, and only checkers need it
if TYPE_CHECKING:
    from typing import Any, TypeVar

    T = TypeVar("T")
    import logging


def _log() -> logging.Logger:
    """This module's logger. `logging` is imported on first use: it costs ~4 ms of CPU on every `gt` call, and
    the messages here are rare."""
    import logging

    return logging.getLogger(__name__)


BUSY_TIMEOUT_MS = 5000
# Total time we keep retrying a busy BEGIN before admitting defeat (a stuck writer, not mere contention).
RETRY_BUDGET_S = 120.0


def is_busy(exc: BaseException) -> bool:
    """True if `exc` is SQLite's 'database is locked/busy' condition (worth retrying)."""
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def retry_busy(fn: Callable[[], T], *, budget_s: float = RETRY_BUDGET_S) -> T:
    """Call `fn` until it stops raising busy/locked, sleeping with jittered exponential back-off."""
    deadline = time.monotonic() + budget_s
    delay = 0.005
    while True:
        try:
            return fn()
        except sqlite3.OperationalError as exc:
            if not is_busy(exc) or time.monotonic() > deadline:
                raise LedgerError(f"ledger store unavailable: {exc}") from exc
        import random  # deferred: only a busy store waits, and most `gt` calls never do

        # Full jitter keeps many waiting processes from waking in lock-step.
        time.sleep(random.uniform(0, delay))
        delay = min(delay * 2, 0.25)


def connect(db_path: Path) -> sqlite3.Connection:
    """Open the store (creating `.gastown/` 0700 and the file 0600) with WAL, foreign keys and a busy timeout."""
    db_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not db_path.exists():
        fd = os.open(db_path, os.O_WRONLY | os.O_CREAT, 0o600)
        os.close(fd)
    try:
        conn = sqlite3.connect(str(db_path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
                               check_same_thread=False)
    except sqlite3.Error as exc:
        raise LedgerError(f"cannot open ledger store {db_path}: {exc}") from exc
    conn.row_factory = sqlite3.Row
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # journal_mode=WAL needs a brief exclusive lock the first time; several processes may race to set it.
        mode = retry_busy(lambda: conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
    except sqlite3.DatabaseError as exc:  # not busy (retry_busy handles that): the file is not a usable database
        conn.close()
        raise LedgerError(f"ledger store {db_path} is damaged ({exc}); rebuild it from .beads/*.jsonl with "
                          "`gastown ledger rebuild`") from exc
    if str(mode).lower() != "wal":
        raise LedgerError(f"ledger store {db_path} refused WAL mode (got {mode})")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: a crash loses at most the last commits, never corrupts
    return conn


class Store:
    """One connection plus transaction bookkeeping (depth, savepoints, after-commit callbacks)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.lock = _thread.RLock()
        self.depth = 0
        self._after_commit: list[Callable[[], None]] = []

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE at the outermost level (retried while busy); nested levels use savepoints."""
        with self.lock:
            if self.depth:
                name = f"sp{self.depth}"
                self.conn.execute(f"SAVEPOINT {name}")
                self.depth += 1
                try:
                    yield self.conn
                except BaseException:
                    self.conn.execute(f"ROLLBACK TO {name}")
                    self.conn.execute(f"RELEASE {name}")
                    raise
                else:
                    self.conn.execute(f"RELEASE {name}")
                finally:
                    self.depth -= 1
                return
            retry_busy(lambda: self.conn.execute("BEGIN IMMEDIATE"))
            self.depth = 1
            try:
                yield self.conn
            except BaseException:
                self._after_commit.clear()
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            else:
                try:
                    retry_busy(lambda: self.conn.execute("COMMIT"))
                except BaseException:
                    # A failed COMMIT (disk full, I/O error) leaves the transaction open: end it, or every
                    # later BEGIN on this connection would fail.
                    self._after_commit.clear()
                    if self.conn.in_transaction:
                        self.conn.execute("ROLLBACK")
                    raise
                callbacks, self._after_commit = self._after_commit, []
                self.depth = 0  # callbacks run outside the transaction (they may start their own)
                for callback in callbacks:
                    callback()
            finally:
                self.depth = 0

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once the outermost transaction commits (dropped on rollback); at once if none is open."""
        if self.depth:
            self._after_commit.append(callback)
        else:
            callback()

    def query(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        """Run a read query and return all rows (readers never block writers in WAL mode)."""
        with self.lock:
            return retry_busy(lambda: self.conn.execute(sql, params).fetchall())

    def close(self) -> None:
        """Checkpoint the WAL into the main file (short CLI runs would otherwise strand pages) and close."""
        with self.lock:
            try:
                self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error as exc:  # another process is mid-write; it or a later close will checkpoint
                _log().debug("WAL checkpoint skipped: %s", exc)
            self.conn.close()
