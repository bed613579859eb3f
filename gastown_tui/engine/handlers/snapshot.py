"""Handlers: the town snapshot, feed tail, bead graph and sling targets, computed by the engine off every UI loop.

Ledger reads run in a worker thread (the ledger is thread-safe); agent rows are read on the engine's loop (they
touch live sessions). Concurrent GetSnapshot calls from several clients share one read.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from typing import Any

from gastown_tui import events as feed
from gastown_tui.engine.api.commands import GetBeadGraph, GetFeed, GetSlingTargets, GetSnapshot
from gastown_tui.engine.api.rows import (
    AgentRow, BeadGraph, ConvoyRow, FeedPage, FeedRow, GraphEdge, GraphNode, MailRow, MergeRow, Names, PatrolRow,
    TownSnapshot, TrackedRow,
)
from gastown_tui.engine.dispatch import HandlerContext, handles
from gastown_tui.engine.handlers.core import agent_name, agent_row
from gastown_tui.engine.handlers.seance import session_ids, with_previous_sessions

OVERSEER = "overseer"
CONVOY_STATE_TO_NODE = {"landed": "done", "merging": "in_progress", "working": "in_progress", "ready": "ready",
                        "blocked": "blocked", "closed-unmerged": "in_progress", "no-changes": "done"}
"""Convoy tracking states -> graph node states."""


def _agents(engine: Any) -> tuple[AgentRow, ...]:
    if not engine.running:
        return ()
    return tuple(agent_row(row) for row in engine.status() if row.get("role") != OVERSEER)


def _convoys(ledger: Any) -> tuple[ConvoyRow, ...]:
    from gastown_tui.convoys import convoy_status, list_convoys, open_mrs_by_source

    # The two ledger-wide queries are shared by every convoy: per convoy they cost ~13 ms each at 10k beads.
    convoys = list_convoys(ledger, include_closed=True)
    open_mrs = open_mrs_by_source(ledger) if convoys else {}
    ready = set(ledger.ready_ids()) if convoys else set()
    out = []
    for bead in convoys:
        status = convoy_status(ledger, bead.id, open_mrs=open_mrs, ready_ids=ready)
        tracked = tuple(TrackedRow(t.id, t.title, "done" if t.state == "landed" else t.state, t.assignee or "")
                        for t in status.tracked)
        out.append(ConvoyRow(status.id, status.title, status.status, tracked))
    return tuple(sorted(out, key=lambda c: (c.status == "closed", c.id)))  # open first


def _mail(ledger: Any) -> tuple[MailRow, ...]:
    from gastown_tui.convoys.progress import parse_ts
    from gastown_tui.mail.mailbox import inbox

    return tuple(MailRow(m.id, m.sender, m.subject, m.body, m.unread, "", parse_ts(m.created_at))
                 for m in inbox(ledger, OVERSEER, include_read=True)[:200])


def _merge_queue(paths: Any, ledger: Any) -> tuple[MergeRow, ...]:
    from gastown_tui.patrols.merge_queue import queue
    from gastown_tui.town import list_rigs

    rows = []
    for rig in list_rigs(paths):
        for mr in queue(ledger, rig.name):
            status = "merging" if mr.status == "in_progress" else "queued"
            rows.append(MergeRow(mr.id, mr.rig, mr.branch, mr.source_issue, status, agent_name(mr.worker)))
    return tuple(rows)


def _patrols(engine: Any) -> tuple[PatrolRow, ...]:
    return tuple(PatrolRow(p.name, p.interval, p.next_run, p.last_result or "", p.last_summary, p.last_finished,
                           p.paused) for p in engine.scheduler.status())


def _ledger_parts(paths: Any, ledger: Any) -> tuple[tuple[ConvoyRow, ...], tuple[MailRow, ...],
                                                   tuple[MergeRow, ...]]:
    return _convoys(ledger), _mail(ledger), _merge_queue(paths, ledger)


_inflight: dict[int, asyncio.Future[TownSnapshot]] = {}
SnapshotPart = Callable[[Any, Any], Any]
_PARTS: dict[str, SnapshotPart] = {}


def snapshot_part(field_name: str) -> Callable[[SnapshotPart], SnapshotPart]:
    """Register `fn(paths, ledger) -> rows` to fill TownSnapshot.<field_name> (run in the read thread)."""
    if field_name not in {f.name for f in dataclasses.fields(TownSnapshot)}:
        raise TypeError(f"TownSnapshot has no field {field_name!r}: add it (with a default) first")

    def register(fn: SnapshotPart) -> SnapshotPart:
        _PARTS[field_name] = fn
        return fn
    return register


def _extra_parts(paths: Any, ledger: Any) -> dict[str, Any]:
    return {name: fn(paths, ledger) for name, fn in _PARTS.items()}


async def read_snapshot(ctx: HandlerContext) -> TownSnapshot:
    """One snapshot: agents and patrols on the loop, the ledger parts in a thread."""
    from gastown_tui.town import load_town_config

    engine = ctx.engine
    convoys, mail, merges = await asyncio.to_thread(_ledger_parts, ctx.paths, ctx.ledger)
    extra = await asyncio.to_thread(_extra_parts, ctx.paths, ctx.ledger) if _PARTS else {}
    name = load_town_config(ctx.paths).name or ctx.paths.root.name
    live = sum(1 for session in engine.sessions.all() if session.alive)
    sessions = await asyncio.to_thread(session_ids, ctx.paths.events)
    agents = with_previous_sessions(_agents(engine), sessions)
    snapshot = TownSnapshot(name, agents, convoys, mail, merges, _patrols(engine), live)
    return dataclasses.replace(snapshot, **extra) if extra else snapshot


@handles(GetSnapshot)
async def get_snapshot(ctx: HandlerContext, _cmd: GetSnapshot) -> TownSnapshot:
    """Share a read already in flight (several clients refreshing after one event cost one read)."""
    key = id(ctx.engine)
    pending = _inflight.get(key)
    if pending is not None:
        return await asyncio.shield(pending)
    future: asyncio.Future[TownSnapshot] = asyncio.get_running_loop().create_future()
    _inflight[key] = future
    try:
        snapshot = await read_snapshot(ctx)
        future.set_result(snapshot)
        return snapshot
    except BaseException as exc:
        future.set_exception(exc)
        future.exception()  # retrieved: sharing callers get it; nobody else must log "never retrieved"
        raise
    finally:
        _inflight.pop(key, None)


def feed_row(raw: Any) -> FeedRow:
    """A feed event (kind/ts/actor/data) as one feed line."""
    kind = str(getattr(raw, "kind", type(raw).__name__))
    ts = getattr(raw, "ts", None)
    actor = str(getattr(raw, "actor", "") or "").replace("/polecats/", "/").replace("/crew/", "/").rstrip("/")
    data = getattr(raw, "data", None) or {}
    text = getattr(raw, "text", None) or data.get("text") or data.get("summary") or data.get("message") or ""
    if not text and data:
        text = " ".join(f"{key}={value}" for key, value in sorted(data.items()) if key not in ("kind", "ts", "actor"))
    return FeedRow(float(ts) if isinstance(ts, (int, float)) else None, actor, kind, str(text))


@handles(GetFeed)
async def get_feed(ctx: HandlerContext, cmd: GetFeed) -> FeedPage:
    """The tail of the activity feed."""
    def read() -> FeedPage:
        events = list(feed.iter_events(ctx.paths.events))[-max(0, cmd.limit):]
        return FeedPage(tuple(feed_row(event) for event in events))
    return await asyncio.to_thread(read)


def _node_state(bead: Any, blocked: set[str]) -> str:
    if bead.status == "closed":
        return "done"
    if bead.status in ("in_progress", "hooked"):
        return "in_progress"
    return "blocked" if bead.id in blocked else "ready"


def bead_graph(ledger: Any, bead_id: str) -> BeadGraph:
    """A convoy's tracked beads, or an epic's/molecule's children, with the `blocks` edges among them."""
    from gastown_tui.convoys import convoy_status, is_convoy

    root = ledger.get(bead_id)
    if is_convoy(root):
        tracked = convoy_status(ledger, bead_id).tracked
        nodes = [GraphNode(t.id, f"{t.id} {t.title}", CONVOY_STATE_TO_NODE.get(t.state, "ready")) for t in tracked]
    else:
        blocked = {b.bead.id for b in ledger.blocked()}
        children = ledger.children(bead_id) or [root]
        nodes = [GraphNode(c.id, f"{c.id} {c.title}", _node_state(c, blocked)) for c in children]
    ids = {node.id for node in nodes}
    edges = []
    for node in nodes:
        for dep in ledger.get(node.id).dependencies or []:
            if dep.type == "blocks" and dep.depends_on_id in ids:
                edges.append(GraphEdge(dep.depends_on_id, node.id))
    return BeadGraph(bead_id, tuple(nodes), tuple(edges))


@handles(GetBeadGraph)
async def get_bead_graph(ctx: HandlerContext, cmd: GetBeadGraph) -> BeadGraph:
    """The DAG around a bead, read in a thread."""
    return await asyncio.to_thread(bead_graph, ctx.ledger, cmd.bead_id)


@handles(GetSlingTargets)
async def get_sling_targets(ctx: HandlerContext, _cmd: GetSlingTargets) -> Names:
    """Rigs (a free polecat is picked) and the agents that can take work."""
    from gastown_tui.town import list_rigs

    rigs = [rig.name for rig in list_rigs(ctx.paths)]
    agents = [a.address for a in _agents(ctx.engine) if a.role in ("polecat", "crew", "mayor")]
    return Names(tuple(dict.fromkeys([*rigs, *agents])))
