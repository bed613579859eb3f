"""Budgets as a circuit breaker in code: `[budget]` in town.toml sets dollars per day, per convoy and per bead.

At `warn_at` (default 80%) of a limit the Overseer is mailed once; at 100% the breaker opens: no new sling and no
nudge under that budget, one escalation with the numbers, and a feed event the UI shows. Agents mid-turn are not
touched. `gt budget reset` (count from zero again) or `gt budget raise` (a higher limit) closes it. State lives in
state.db (`budget_state`), so every process (engine, patrols, `gt sling`) sees the same breaker.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from gastown_tui import events as feed
from gastown_tui.costs import store
from gastown_tui.costs.attribution import local_day
from gastown_tui.costs.config import SCOPES, load_config
from gastown_tui.costs.report import turn_cost
from gastown_tui.errors import Conflict, InvalidInput
from gastown_tui.town.paths import TownPaths

ACTOR = "deacon/"


class BudgetExceeded(Conflict):
    """A sling refused because a budget's breaker is open (or its runtime is backing off a rate limit)."""


@dataclass(frozen=True)
class BreakerState:
    """One budget: dollars spent since the last reset against its limit, and whether its breaker is open."""

    scope: str          # day | convoy | bead
    key: str            # the day (YYYY-MM-DD), convoy id or bead id
    spent: float
    limit: float
    state: str          # ok | warned | open
    escalation: str = ""

    @property
    def ratio(self) -> float:
        """Spent over limit (inf for a zero limit with any spend)."""
        return self.spent / self.limit if self.limit else (float("inf") if self.spent else 0.0)

    def describe(self) -> str:
        """One line with the numbers, e.g. `convoy hq-abc: $0.0123 of $0.0100 (123%), open`."""
        pct = "∞" if self.ratio == float("inf") else f"{100 * self.ratio:.0f}"
        return f"{self.scope} {self.key}: ${self.spent:.4f} of ${self.limit:.4f} ({pct}%), {self.state}"

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"scope": self.scope, "key": self.key, "spent_usd": round(self.spent, 6), "limit_usd": self.limit,
                "state": self.state, "escalation": self.escalation, "estimate": "list price"}


def _spent(town: TownPaths, ledger: Any, scope: str, now: float) -> dict[str, float]:
    """Dollars per key of `scope` (priced turns only: an unpriced model cannot be budgeted, `gt costs` says so)."""
    config = load_config(town)
    conn = store.conn_of(ledger)
    out: dict[str, float] = {}
    if scope == "day":
        rows = conn.execute("SELECT day, model, sum(input), sum(output), sum(cache_read), sum(cache_write) "
                            "FROM usage_turns WHERE day = ? GROUP BY day, model", (local_day(now),)).fetchall()
    else:
        rows = conn.execute("SELECT bead, model, sum(input), sum(output), sum(cache_read), sum(cache_write) "
                            "FROM usage_turns WHERE bead != '' GROUP BY bead, model").fetchall()
    for row in rows:
        out[str(row[0])] = out.get(str(row[0]), 0.0) + (turn_cost(config, str(row[1]), store.tokens_of(row, 2)) or 0)
    if scope == "convoy":
        from gastown_tui.convoys import list_convoys, tracked_ids

        per_bead, out = out, {}
        for convoy in list_convoys(ledger):
            out[str(convoy.id)] = sum(per_bead.get(b, 0.0) for b in tracked_ids(ledger, convoy.id))
    return out


def _stored(ledger: Any) -> dict[tuple[str, str], Any]:
    """(scope, key) -> budget_state row."""
    rows = store.conn_of(ledger).execute("SELECT scope, key, warned, opened, escalation, baseline, raised_limit "
                                         "FROM budget_state").fetchall()
    return {(str(r[0]), str(r[1])): r for r in rows}


def _current(town: TownPaths, ledger: Any, at: float) -> list[tuple[str, str, float, float, Any]]:
    """(scope, key, spent since reset, limit, stored row) for every budget with spend."""
    config = load_config(town)
    stored = _stored(ledger) if config.budgets else {}
    out = []
    for scope, default_limit in config.budgets.items():
        for key, gross in _spent(town, ledger, scope, at).items():
            row = stored.get((scope, key))
            spent = gross - (float(row[5]) if row else 0.0)
            limit = float(row[6]) if row is not None and row[6] is not None else default_limit
            out.append((scope, key, spent, limit, row))
    return out


def evaluate(town: TownPaths, ledger: Any, *, now: float | None = None) -> list[BreakerState]:
    """Compare spend with every configured limit; warn once at warn_at, open (and escalate once) at 100%."""
    at = time.time() if now is None else now
    warn_at = load_config(town).warn_at
    return [_transition(town, ledger, scope, key, spent, limit, row, warn_at, at)
            for scope, key, spent, limit, row in _current(town, ledger, at)]


def breaker_states(town: TownPaths, ledger: Any, *, now: float | None = None) -> list[BreakerState]:
    """Every budget with spend and its state, read-only (for the UI: no mail, no escalation, no transition)."""
    at = time.time() if now is None else now
    out = []
    for scope, key, spent, limit, row in _current(town, ledger, at):
        state = "open" if row is not None and row[3] is not None else \
            "warned" if row is not None and row[2] is not None else "ok"
        out.append(BreakerState(scope, key, spent, limit, state, str(row[4]) if row is not None else ""))
    return out


def _transition(town: TownPaths, ledger: Any, scope: str, key: str, spent: float, limit: float, row: Any,
                warn_at: float, now: float) -> BreakerState:
    """Apply one budget's warn/open transitions (each at most once until a reset or raise)."""
    warned, opened, escalation = (row[2], row[3], str(row[4])) if row else (None, None, "")
    probe = BreakerState(scope, key, spent, limit, "ok")
    if spent >= limit and opened is None:
        from gastown_tui.agents.escalate import escalate

        body = (f"Budget breaker open: {probe.describe().replace(', ok', '')}.\nNothing new is slung and no agent "
                f"is nudged under this budget; agents mid-turn keep working.\nClose it with `gt budget raise {scope} "
                f"{key} --to DOLLARS` or `gt budget reset {scope} {key}`. Costs are estimates at list price.")
        escalation = escalate(town, ledger, "HIGH", f"Budget exceeded: {scope} {key}", sender=ACTOR, body=body,
                              bead=key if scope != "day" else None)
        opened = warned = warned or now
        _save(ledger, scope, key, warned=warned, opened=opened, escalation=escalation)
        feed.emit(town.events, "budget.open", actor=ACTOR, scope=scope, key=key, spent_usd=round(spent, 6),
                  limit_usd=limit, escalation=escalation)
    elif spent >= warn_at * limit and warned is None and opened is None:
        from gastown_tui.mail import send

        send(ledger, "overseer", f"Budget at {100 * spent / limit:.0f}%: {scope} {key}",
             f"{probe.describe().replace(', ok', '')}. The breaker opens at 100%: then nothing new is slung under "
             f"this budget.", sender=ACTOR, events_file=town.events)
        warned = now
        _save(ledger, scope, key, warned=warned)
        feed.emit(town.events, "budget.warn", actor=ACTOR, scope=scope, key=key, spent_usd=round(spent, 6),
                  limit_usd=limit)
    state = "open" if opened is not None else "warned" if warned is not None else "ok"
    return BreakerState(scope, key, spent, limit, state, escalation)


def _save(ledger: Any, scope: str, key: str, **columns: Any) -> None:
    """Upsert columns of one budget_state row."""
    store.ensure_schema(ledger)
    with ledger.transaction() as tx:
        tx.execute("INSERT OR IGNORE INTO budget_state (scope, key) VALUES (?, ?)", (scope, key))
        for column, value in columns.items():
            assert column in ("warned", "opened", "escalation", "baseline", "raised_limit")
            tx.execute(f"UPDATE budget_state SET {column} = ? WHERE scope = ? AND key = ?", (value, scope, key))


def open_breakers(ledger: Any, *, now: float | None = None) -> list[tuple[str, str]]:
    """(scope, key) of every open breaker that still applies (a day breaker only on its day)."""
    today = local_day(time.time() if now is None else now)
    rows = store.conn_of(ledger).execute("SELECT scope, key FROM budget_state WHERE opened IS NOT NULL").fetchall()
    return [(str(r[0]), str(r[1])) for r in rows if r[0] != "day" or r[1] == today]


def _blocking(ledger: Any, bead_id: str | None, now: float | None) -> str | None:
    """The open breaker covering a bead (its own, a convoy tracking it, or today's), as text; None if none."""
    breakers = open_breakers(ledger, now=now)
    if not breakers:
        return None
    keys = {("day", local_day(time.time() if now is None else now))}
    if bead_id:
        from gastown_tui.convoys import convoys_tracking

        keys.add(("bead", bead_id))
        keys |= {("convoy", str(c.id)) for c in convoys_tracking(ledger, bead_id)} if ledger.exists(bead_id) else set()
    hit = next((b for b in breakers if b in keys), None)
    return f"the {hit[0]} budget {hit[1]} is exceeded (breaker open)" if hit else None


def allows_sling(ledger: Any, bead_id: str, *, now: float | None = None) -> tuple[bool, str]:
    """(False, reason) if an open breaker covers the bead; (True, '') otherwise."""
    reason = _blocking(ledger, bead_id, now)
    return (False, reason) if reason else (True, "")


def allows_nudge(ledger: Any, address: str, *, now: float | None = None) -> tuple[bool, str]:
    """(False, reason) if an open breaker covers the agent's hooked bead (or today); (True, '') otherwise."""
    if not open_breakers(ledger, now=now):
        return True, ""
    from gastown_tui.agents.registry import get_agent
    from gastown_tui.errors import GastownError
    from gastown_tui.records import parse_address

    try:
        hook = str((get_agent(ledger, parse_address(address)).metadata or {}).get("hook_bead") or "")
    except GastownError:
        hook = ""
    reason = _blocking(ledger, hook or None, now)
    return (False, f"not nudging {address}: {reason}") if reason else (True, "")


def guard_sling(town: TownPaths, ledger: Any, bead_id: str, runtime: str | None, *, force: bool = False) -> None:
    """Refresh usage and budgets, then raise BudgetExceeded if the sling must not happen (`sling` calls this).

    `runtime` None means the town's default runtime. `force` overrides a rate-limit backoff, never a breaker.
    """
    from gastown_tui.costs.ingest import ingest
    from gastown_tui.costs.ratelimit import runtime_backoff

    if load_config(town).budgets:
        ingest(town, ledger)
        evaluate(town, ledger)
        allowed, reason = allows_sling(ledger, bead_id)
        if not allowed:
            raise BudgetExceeded(f"cannot sling {bead_id}: {reason}; `gt budget` shows it, `gt budget raise` "
                                 "or `gt budget reset` closes it")
    if runtime is None:
        from gastown_tui.town.config import load_town_config

        runtime = load_town_config(town).default_runtime
    until = runtime_backoff(ledger, runtime)
    if until is not None and not force:
        raise BudgetExceeded(f"cannot sling {bead_id}: runtime {runtime} is rate-limited until "
                             f"{time.strftime('%H:%M:%S', time.localtime(until))} (--force slings anyway)")


def _check_scope(scope: str) -> None:
    if scope not in SCOPES:
        raise InvalidInput(f"unknown budget scope {scope!r} (use {', '.join(SCOPES)})")


def reset(town: TownPaths, ledger: Any, scope: str, key: str, *, actor: str) -> None:
    """Count this budget from zero again (the spend so far becomes the baseline); closes its breaker."""
    _check_scope(scope)
    gross = _spent(town, ledger, scope, time.time()).get(key, 0.0)
    _save(ledger, scope, key, baseline=gross, warned=None, opened=None, escalation="")
    feed.emit(town.events, "budget.closed", actor=actor, scope=scope, key=key, how="reset")


def raise_limit(town: TownPaths, ledger: Any, scope: str, key: str, limit: float, *, actor: str) -> None:
    """A new limit for this budget (keeps the spend); closes its breaker, re-arms the warning if now below it."""
    _check_scope(scope)
    if limit <= 0:
        raise InvalidInput(f"a budget limit must be a positive number of dollars, not {limit}")
    _save(ledger, scope, key, raised_limit=limit, opened=None, escalation="")
    states = {(s.scope, s.key): s for s in evaluate(town, ledger)}
    current = states.get((scope, key))
    if current is not None and current.spent < load_config(town).warn_at * limit:
        _save(ledger, scope, key, warned=None)
    feed.emit(town.events, "budget.closed", actor=actor, scope=scope, key=key, how="raise", limit_usd=limit)
