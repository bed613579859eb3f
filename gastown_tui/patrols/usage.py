"""Patrol steps for money and limits (no model calls): the deacon reads new transcript lines and evaluates the
budgets; the witness shows rate-limited polecats as such (never stuck) and resumes them after the retry time."""

from __future__ import annotations

import json
import time
from typing import Any

from gastown_tui.costs.budget import allows_nudge, evaluate
from gastown_tui.costs.config import load_config
from gastown_tui.costs.ingest import ingest
from gastown_tui.costs.ratelimit import (
    RateLimit,
    active_limit,
    limit_history,
    record_limit,
)
from gastown_tui.costs.store import conn_of
from gastown_tui.errors import GastownError
from gastown_tui.events import emit
from gastown_tui.patrols.context import PatrolContext

RATE_LIMITED = "rate-limited"
RESUME_TEXT = ("The rate limit that stopped your last request has passed. Continue your work on {bead} where you "
               "left off (run `gt prime` if you need your context), and run `gt done` when it is committed.")


def deacon_usage(ctx: PatrolContext) -> str:
    """Read new transcript lines and evaluate every budget (warnings, breakers, escalations happen here).

    A bad `[budget]`/`[costs]` table must not stop the deacon's other steps: it is reported in the step summary,
    and every sling refuses with the same one-line error until it is fixed (no spending without a budget check).
    """
    try:
        report = ingest(ctx.town, ctx.ledger)
        states = evaluate(ctx.town, ctx.ledger)
    except GastownError as exc:
        return f"usage not read: {exc.one_line()}"
    opened = [s.describe() for s in states if s.state == "open"]
    parts = [f"{report.new_turns} new turns from {report.files} transcripts"]
    if opened:
        parts.append("breaker open: " + "; ".join(opened))
    return ", ".join(parts)


def _latest(ctx: PatrolContext, address: str) -> RateLimit | None:
    """The agent's most recent rate-limit hit."""
    hits = limit_history(ctx.ledger, address)
    return hits[-1] if hits else None


def _screen_limited(ctx: PatrolContext, address: str) -> str | None:
    """The runtime name if the engine last saw this agent rate-limited on its screen (agent bead state)."""
    from gastown_tui.agents.registry import get_agent
    from gastown_tui.records import parse_address

    try:
        meta = get_agent(ctx.ledger, parse_address(address)).metadata or {}
    except GastownError:
        return None
    return str(meta.get("runtime") or "claude") if meta.get("agent_state") == RATE_LIMITED else None


def mark_rate_limited(ctx: PatrolContext, found: list[Any]) -> None:
    """Re-label surveyed polecats whose rate limit is still in force: rate-limited is waiting, not stalled.

    A limit the engine saw on screen (the runtime retrying by itself) is recorded here too, with the default
    backoff, so new slings onto that runtime wait while it lasts.
    """
    try:
        ingest(ctx.town, ctx.ledger)
        backoff = load_config(ctx.town).rate_limit_backoff
    except GastownError:
        return  # a bad town.toml is reported by the deacon and refused by sling; the survey goes on
    now = ctx.clock.now()
    wall_now = now - (ctx.wall_offset or 0.0)  # limits are stored in wall time, as transcripts write them
    for f in found:
        runtime = _screen_limited(ctx, f.address) if f.alive else None
        if runtime is not None and active_limit(ctx.ledger, f.address, now=wall_now) is None:
            record_limit(ctx.ledger, f.address, runtime, wall_now, "screen", "retry countdown on screen", None,
                         default=backoff)
        hit = _latest(ctx, f.address)
        retry = ctx.clock_time(hit.retry_at) if hit is not None else None
        if hit is not None and retry is not None and retry > now and f.alive is not False:
            f.state = RATE_LIMITED
            f.reason = (f"rate-limited ({hit.source}: {hit.detail[:80]}); retry in {retry - now:.0f}s at "
                        f"{time.strftime('%H:%M:%S', time.localtime(hit.retry_at))}")


def _turn_after(ctx: PatrolContext, address: str, ts: float) -> bool:
    """True if the agent has taken a turn since `ts` (it recovered by itself)."""
    row = conn_of(ctx.ledger).execute("SELECT 1 FROM usage_turns WHERE agent = ? AND ts > ? LIMIT 1",
                                      (address, ts)).fetchone()
    return row is not None


async def resume_rate_limited(ctx: PatrolContext, sessions: Any, found: list[Any], actor: str) -> list[str]:
    """Nudge live polecats whose runtime gave up on a rate limit, once per hit, after its retry time."""
    key = f"witness.{actor}.rate_resumed"
    raw = ctx.ledger.meta_get(key)
    resumed: dict[str, float] = json.loads(raw) if raw else {}
    now = ctx.clock.now()
    done = []
    for f in found:
        hit = _latest(ctx, f.address)
        if (hit is None or hit.source != "transcript" or not f.alive or not f.hook
                or resumed.get(f.address) == hit.since):
            continue
        retry = ctx.clock_time(hit.retry_at)
        if retry is None or retry > now or _turn_after(ctx, f.address, hit.since):
            continue
        allowed, reason = allows_nudge(ctx.ledger, f.address)
        if not allowed:
            done.append(reason)
            continue
        await sessions.nudge(f.address, RESUME_TEXT.format(bead=f.hook))
        resumed[f.address] = hit.since
        emit(ctx.events, "witness.resume", actor=actor, address=f.address, bead=f.hook, reason="rate limit passed")
        done.append(f"resumed {f.name} after its rate limit")
    ctx.ledger.meta_set(key, json.dumps(resumed))
    return done
