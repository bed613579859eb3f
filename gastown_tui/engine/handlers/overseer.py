"""Handlers for the Overseer's API (`api/overseer.py`): backlog and agent-number snapshot parts, permission answers.

The snapshot parts run in the snapshot's read thread (ledger only). Answering a permission prompt runs on the
engine loop: it re-checks the agent's live state first, so keys only ever reach an agent that is at the prompt.
"""

from __future__ import annotations

import logging
from typing import Any

from gastown_tui.engine.api.overseer import AgentNumber, AnswerPermission, BacklogRow, PermissionAnswered
from gastown_tui.engine.dispatch import HandlerContext, handles
from gastown_tui.engine.handlers.snapshot import snapshot_part
from gastown_tui.errors import Conflict, InvalidInput, NotFound

_log = logging.getLogger(__name__)

_answered: dict[tuple[str, str], float] = {}
"""(address, session) -> the timestamp of the prompt verdict last answered."""
WORK_TYPES = ("task", "bug", "feature", "epic", "chore")
"""Issue types that are work (agents, convoys, mail, merge requests and molecules are not backlog)."""
BACKLOG_LIMIT = 2000
"""Most rows sent (highest priority first): a 10k-bead town's backlog still fits one snapshot."""


def _rig_prefixes(paths: Any) -> dict[str, str]:
    from gastown_tui.town import list_rigs

    out = {}
    for rig in list_rigs(paths):
        try:
            out[rig.config.prefix] = rig.name
        except Exception:  # noqa: BLE001 - a rig with a broken rig.toml: its beads show without a rig
            _log.debug("rig %s has no readable prefix", rig.name)
    return out


def rig_of(bead_id: str, prefixes: dict[str, str]) -> str:
    """The rig whose prefix starts `bead_id` ('' for town beads)."""
    head = bead_id.split("-", 1)[0]
    return prefixes.get(head, "")


@snapshot_part("backlog")
def backlog(paths: Any, ledger: Any) -> tuple[BacklogRow, ...]:
    """Every open work bead, priority then age, with the open convoys tracking it."""
    from gastown_tui.convoys import list_convoys, tracked_ids

    prefixes = _rig_prefixes(paths)
    tracked: dict[str, list[str]] = {}
    for convoy in list_convoys(ledger, include_closed=False):
        for target in tracked_ids(ledger, convoy.id):
            tracked.setdefault(target, []).append(convoy.id)
    rows = []
    for bead in ledger.list(include_closed=False, ephemeral=False):
        if bead.issue_type not in WORK_TYPES:
            continue
        rows.append(BacklogRow(bead.id, bead.title, rig_of(bead.id, prefixes), int(bead.priority or 0), bead.status,
                               bead.assignee or "", bead.issue_type, _ts(bead.created_at),
                               (bead.description or "")[:2000], tuple(tracked.get(bead.id, ()))))
    rows.sort(key=lambda r: (r.priority, r.created_at or 0.0, r.id))
    return tuple(rows[:BACKLOG_LIMIT])


def _ts(value: Any) -> float | None:
    from gastown_tui.convoys.progress import parse_ts

    if isinstance(value, (int, float)):
        return float(value)
    return parse_ts(value) if value else None


@snapshot_part("agent_numbers")
def agent_numbers(paths: Any, ledger: Any) -> tuple[AgentNumber, ...]:
    """1, 2, 3 ... in order of first appearance (agent bead creation), so numbers never shift when one appears."""
    from gastown_tui.agents.registry import agent_address, list_agents

    beads = sorted(list_agents(ledger), key=lambda b: (_ts(b.created_at) or 0.0, b.id))
    out: list[AgentNumber] = []
    for bead in beads:
        address = str(agent_address(bead))
        if address.split("/")[-1] == "overseer" or address == "overseer":
            continue
        out.append(AgentNumber(address, len(out) + 1))
    return tuple(out)


@handles(AnswerPermission)
async def answer_permission(ctx: HandlerContext, cmd: AnswerPermission) -> PermissionAnswered:
    """Send the runtime's approve/deny keys, only while the agent is at a permission prompt."""
    import time

    address = ctx.engine.resolve(cmd.address)
    session = ctx.engine.sessions.live(address)
    if session is None:
        raise NotFound(f"{address} has no live session")
    verdict = session.compute(time.time())
    if verdict.state != "permission-prompt":
        raise Conflict(f"{address} is not at a permission prompt (it is {verdict.state}: {verdict.detail})")
    # The verdict does not change until the agent reacts: a second approve (double y, two attached TUIs) in that
    # window would type the keys again into whatever the agent shows next. One answer per prompt sighting.
    key = (str(address), session.session_id)
    if _answered.get(key) == verdict.ts:
        raise Conflict(f"{address} is not at a permission prompt any more (already answered; waiting for it to "
                       "go on)")
    _answered[key] = verdict.ts
    rules = session.rules
    keys = (rules.approve if cmd.approve else rules.deny) if rules is not None else ()
    if not keys:
        runtime = rules.name if rules is not None else "this runtime"
        raise InvalidInput(f"no {'approve' if cmd.approve else 'deny'} keys known for {runtime}: open the pane")
    data = "".join(keys)
    session.write(data.encode())
    from gastown_tui import events as feed

    feed.emit(ctx.paths.events, "overseer.permission", actor="overseer", address=str(address),
              approved=cmd.approve, detail=verdict.detail)
    return PermissionAnswered(str(address), cmd.approve, data)
