"""What the witness knows about each polecat of a rig, and the verdict it draws (working/idle/stalled/zombie/dead).

Signals (gastown.md §2.14): session liveness and start time, the hook (bead hooked or in progress on the polecat),
the heartbeat (`last_activity` on the agent bead, touched by every `gt` call), output activity, and the worktree
(dirty? branch merged? MR pending?). Every verdict carries the reason, so the feed can say why an agent was
restarted — the lesson of Gas Town's "murder spree": never act on a guess, and give fresh spawns a grace period.
All times are on the engine clock (see PatrolContext.clock_time).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from gastown_tui import gitops
from gastown_tui.convoys.landing import merge_requests, mr_meta
from gastown_tui.convoys.model import field_of
from gastown_tui.convoys.progress import parse_ts
from gastown_tui.errors import GastownError
from gastown_tui.patrols.context import PatrolContext
from gastown_tui.patrols.dispatch import is_on_hook
from gastown_tui.records import LABEL_AGENT

WORKING, IDLE, STALLED, ZOMBIE, DEAD = "working", "idle", "stalled", "zombie", "dead"


@dataclass(frozen=True)
class Thresholds:
    """Witness policy in seconds (from the formula vars; generous on purpose: thinking is not hanging)."""

    spawn_grace: float = 60.0
    idle: float = 300.0
    stall: float = 900.0
    respawn_limit: int = 3


@dataclass
class PolecatFacts:
    """Observed signals for one polecat."""

    name: str
    address: str
    alive: bool | None                 # None: no engine, liveness unknown
    started_at: float | None = None
    last_output_at: float | None = None
    last_heartbeat: float | None = None
    hook: str | None = None
    hook_since: float | None = None
    worktree: str | None = None
    dirty: bool = False
    branch: str | None = None
    merged: bool = False
    mr_pending: bool = False
    quiet: float | None = None          # seconds since the last sign of life (output, heartbeat, start)
    state: str = ""
    reason: str = ""

    def hung(self, t: "Thresholds") -> bool:
        """Stalled for twice the stall threshold: nudges and dialog answers did not help, so restart it."""
        return self.state == STALLED and bool(self.alive) and (self.quiet or 0.0) >= 2 * t.stall

    def to_dict(self) -> dict[str, Any]:
        """JSON form for the run data."""
        return asdict(self)


def _num(value: Any) -> float | None:
    """A timestamp from a float or an RFC3339 string."""
    if isinstance(value, (int, float)):
        return float(value)
    return parse_ts(value) if isinstance(value, str) else None


def polecat_names(ctx: PatrolContext, rig: str) -> list[str]:
    """Polecats of `rig`: worktree directories, agent records and holders of hooked work."""
    names: set[str] = set()
    polecats_dir = ctx.town.rig(rig).polecats
    if polecats_dir.is_dir():
        names |= {p.name for p in polecats_dir.iterdir() if p.is_dir() and not p.name.startswith(".")}
    prefix = f"{rig}/polecats/"
    for bead in ctx.ledger.list(labels=[LABEL_AGENT], include_closed=True):
        address = str((field_of(bead, "metadata") or {}).get("address") or bead.title)
        if address.startswith(prefix):
            names.add(address[len(prefix):])
    for status in ("hooked", "in_progress"):
        for bead in ctx.ledger.list(status=status):
            if str(bead.assignee or "").startswith(prefix):
                names.add(str(bead.assignee)[len(prefix):])
    return sorted(names)


def gather(ctx: PatrolContext, rig: str, name: str, pending_branches: set[str]) -> PolecatFacts:
    """Collect the signals for polecat `name` of `rig`."""
    address = f"{rig}/polecats/{name}"
    facts = PolecatFacts(name, address, None)
    if ctx.sessions is not None:
        facts.alive = bool(ctx.sessions.alive(address))
        facts.started_at = ctx.sessions.started_at(address)
        facts.last_output_at = ctx.sessions.last_output_at(address)
    try:
        agent = ctx.ledger.get(f"hq-{rig}-polecat-{name}")
        facts.last_heartbeat = ctx.clock_time(_num((agent.metadata or {}).get("last_activity")))
    except GastownError:
        pass
    held = [b for s in ("hooked", "in_progress") for b in ctx.ledger.list(status=s, assignee=address)
            if is_on_hook(b)]
    if held:
        facts.hook = held[0].id
        facts.hook_since = ctx.clock_time(_num(held[0].updated_at))
    tree = ctx.town.rig(rig).polecat(name)
    if tree.is_dir():
        facts.worktree = str(tree)
        try:
            facts.dirty = gitops.has_uncommitted(tree)
            facts.branch = gitops.current_branch(tree)
            paths = ctx.town.rig(rig)
            if facts.branch:
                facts.merged = gitops.is_merged(paths, facts.branch, gitops.default_branch(paths))
        except GastownError:
            facts.dirty = True  # cannot tell: treat as precious
    facts.mr_pending = bool(facts.branch and facts.branch in pending_branches)
    return facts


def pending_mr_branches(ctx: PatrolContext, rig: str) -> set[str]:
    """Branches of `rig` with a merge request not yet closed (queued, in progress or parked)."""
    return {str(mr_meta(mr).get("branch")) for mr in merge_requests(ctx.ledger)
            if mr.status != "closed" and mr_meta(mr).get("rig") == rig and mr_meta(mr).get("branch")}


def classify(f: PolecatFacts, now: float, t: Thresholds) -> tuple[str, str]:
    """(state, reason) for one polecat; pure, so the policy is tested on its own."""
    activity = max([x for x in (f.last_output_at, f.last_heartbeat, f.started_at) if x is not None], default=None)
    if f.alive is None:
        return (WORKING if f.hook else IDLE), "liveness unknown (no engine running); no action taken"
    if not f.alive:
        if f.hook:
            since = max(x for x in (f.hook_since, f.started_at, 0.0) if x is not None)
            if now - since < t.spawn_grace:
                return WORKING, f"{f.hook} hooked {now - since:.0f}s ago; session may still be starting (grace)"
            return DEAD, f"no session while {f.hook} is on its hook"
        if f.dirty:
            return ZOMBIE, "no session and no hook, but the worktree has uncommitted changes"
        if f.branch and not f.merged and not f.mr_pending:
            return ZOMBIE, f"no session and no hook, but branch {f.branch} is unmerged with no merge request"
        return IDLE, "no session, nothing hooked"
    if f.started_at is not None and now - f.started_at < t.spawn_grace:
        return WORKING, f"session started {now - f.started_at:.0f}s ago (grace)"
    if not f.hook:
        return IDLE, "session up, nothing hooked"
    quiet = now - activity if activity is not None else float("inf")
    if quiet < t.idle:
        return WORKING, f"holding {f.hook}, active {quiet:.0f}s ago"
    if quiet < t.stall:
        return IDLE, f"holding {f.hook} but quiet for {quiet:.0f}s"
    return STALLED, f"holding {f.hook}, no output or heartbeat for {quiet:.0f}s"


def survey(ctx: PatrolContext, rig: str, t: Thresholds) -> list[PolecatFacts]:
    """Gather and classify every polecat of `rig`."""
    pending = pending_mr_branches(ctx, rig)
    now = ctx.clock.now()
    found = []
    for name in polecat_names(ctx, rig):
        facts = gather(ctx, rig, name, pending)
        facts.state, facts.reason = classify(facts, now, t)
        signs = [x for x in (facts.last_output_at, facts.last_heartbeat, facts.started_at) if x is not None]
        facts.quiet = now - max(signs) if signs else None
        found.append(facts)
    return found


def worktree_path(facts: PolecatFacts) -> Path | None:
    """The polecat's worktree, if it has one."""
    return Path(facts.worktree) if facts.worktree else None
