"""Rate limits: hits seen in a transcript (the runtime gave up retrying) or on screen (it is waiting to retry),
each with a retry time. An agent with an active hit is `rate-limited`, not stuck; while any agent of a runtime is
limited, new slings onto that runtime back off town-wide until the latest retry time."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from gastown_tui.costs import store

DEFAULT_BACKOFF = 60.0   # seconds to wait when the error names no retry time (config.DEFAULT_BACKOFF)
MAX_BACKOFF = 3600.0     # a bogus retry-after never parks an agent for longer


@dataclass(frozen=True)
class RateLimit:
    """One active rate limit on an agent."""

    agent: str
    runtime: str
    since: float
    retry_at: float
    source: str     # transcript | screen
    detail: str

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"agent": self.agent, "runtime": self.runtime, "since": self.since, "retry_at": self.retry_at,
                "source": self.source, "detail": self.detail}


def record_limit(ledger: Any, agent: str, runtime: str, ts: float, source: str, detail: str,
                 retry_after: float | None, *, default: float = DEFAULT_BACKOFF) -> int:
    """Store a hit (once per agent, time and source); returns 1 if it was new.

    `default` is the wait when the error names none (town.toml `[costs] rate_limit_backoff`).
    """
    wait = min(MAX_BACKOFF, retry_after if retry_after is not None and retry_after >= 0 else default)
    store.ensure_schema(ledger)
    with ledger.transaction() as tx:
        cur = tx.execute("INSERT OR IGNORE INTO usage_limits VALUES (?,?,?,?,?,?)",
                         (agent, runtime, ts, ts + wait, source, detail[:200]))
        return int(cur.rowcount or 0)


def _row(row: Any) -> RateLimit:
    return RateLimit(str(row[0]), str(row[1]), float(row[2]), float(row[3]), str(row[4]), str(row[5]))


def active_limit(ledger: Any, agent: str, *, now: float | None = None) -> RateLimit | None:
    """The agent's rate limit still in force (latest retry time), or None."""
    at = time.time() if now is None else now
    row = store.conn_of(ledger).execute(
        "SELECT agent, runtime, ts, retry_at, source, detail FROM usage_limits WHERE agent = ? AND retry_at > ? "
        "ORDER BY retry_at DESC LIMIT 1", (agent, at)).fetchone()
    return _row(row) if row else None


def active_limits(ledger: Any, *, now: float | None = None) -> list[RateLimit]:
    """Every agent's rate limit in force, one per agent."""
    at = time.time() if now is None else now
    rows = store.conn_of(ledger).execute(
        "SELECT agent, runtime, ts, max(retry_at), source, detail FROM usage_limits WHERE retry_at > ? "
        "GROUP BY agent ORDER BY agent", (at,)).fetchall()
    return [_row(r) for r in rows]


def runtime_backoff(ledger: Any, runtime: str, *, now: float | None = None) -> float | None:
    """Until when new slings onto `runtime` wait (the latest retry time of its limited agents), or None."""
    at = time.time() if now is None else now
    row = store.conn_of(ledger).execute("SELECT max(retry_at) FROM usage_limits WHERE runtime = ? AND retry_at > ?",
                                        (runtime, at)).fetchone()
    return float(row[0]) if row and row[0] is not None else None


def limit_history(ledger: Any, agent: str | None = None) -> list[RateLimit]:
    """Every recorded hit (oldest first), optionally for one agent."""
    sql = "SELECT agent, runtime, ts, retry_at, source, detail FROM usage_limits"
    rows = store.conn_of(ledger).execute(sql + (" WHERE agent = ? ORDER BY ts" if agent else " ORDER BY ts"),
                                         (agent,) if agent else ()).fetchall()
    return [_row(r) for r in rows]
