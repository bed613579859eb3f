"""Agent identity records: one persistent bead per agent (`hq-<rig>-polecat-<name>`, label `gt:agent`).

Sessions are cattle, agents persistent: the agent bead survives every session and carries, in `metadata`,
role, rig, name, runtime, worktree, the current session id and the runtime's conversation id (for resume),
the last hook event (name + timestamp, the first layer of state detection), the agent state, and
`last_activity` (heartbeat, touched by every `gt` call the agent makes; the witness reads it).
"""

from __future__ import annotations

import time

from gastown_tui.errors import Ambiguous, InvalidInput, NotFound
from gastown_tui.records import LABEL_AGENT, Address, parse_address

TYPE_CHECKING = False  # not typing's: importing typing costs ~4 ms of every `gt` call, and only checkers need it
if TYPE_CHECKING:
    from typing import Any
    import logging


def _log() -> logging.Logger:
    """This module's logger. `logging` is imported on first use: it costs ~4 ms of CPU on every `gt` call, and
    the messages here are rare."""
    import logging

    return logging.getLogger(__name__)

AGENT_TYPE = "agent"
# Status of agent beads: pinned keeps them out of `ready` and out of GC, as in beads for long-lived records.
AGENT_STATUS = "pinned"


def agent_meta(bead: Any) -> dict[str, Any]:
    """A copy of an agent bead's metadata."""
    return dict(getattr(bead, "metadata", None) or {})


def ensure_agent(ledger: Any, address: Address, *, runtime: str = "", actor: str | None = None) -> Any:
    """The agent bead for `address`, created if missing (idempotent; safe to race: the id is fixed)."""
    bead_id = address.agent_id
    with ledger.transaction():
        try:
            bead = ledger.get(bead_id)
        except NotFound:
            meta = {"address": str(address), "role": address.role, "rig": address.rig, "name": address.name,
                    "runtime": runtime, "agent_state": "idle", "created": time.time()}
            labels = [LABEL_AGENT, f"role:{address.role}"] + ([f"rig:{address.rig}"] if address.rig else [])
            bead = ledger.create(str(address), id=bead_id, issue_type=AGENT_TYPE, status=AGENT_STATUS,
                                 labels=labels, metadata=meta, actor=actor or str(address),
                                 description=f"Agent identity record for {address}.")
        if runtime and agent_meta(bead).get("runtime") != runtime:
            bead = update_agent(ledger, address, runtime=runtime)
    return bead


def get_agent(ledger: Any, address: Address) -> Any:
    """The agent bead, or NotFound naming the address."""
    try:
        return ledger.get(address.agent_id)
    except NotFound:
        raise NotFound(f"unknown agent {address} (no agent record {address.agent_id})") from None


def update_agent(ledger: Any, address: Address, **changes: Any) -> Any:
    """Merge `changes` into the agent bead's metadata (read-modify-write in one transaction); None values delete."""
    with ledger.transaction():
        bead = get_agent(ledger, address)
        meta = agent_meta(bead)
        for key, value in changes.items():
            if value is None:
                meta.pop(key, None)
            else:
                meta[key] = value
        return ledger.update(bead.id, metadata=meta, actor=str(address))


def heartbeat(ledger: Any, address: Address, *, now: float | None = None) -> None:
    """Record that the agent just did something (`last_activity`); silently skipped for unknown agents."""
    try:
        update_agent(ledger, address, last_activity=time.time() if now is None else now)
    except NotFound:
        pass


def list_agents(ledger: Any) -> list[Any]:
    """Every agent bead (any status) whose address parses, sorted by address.

    A bead labelled gt:agent by hand or by an imported ledger may name no valid address; it is skipped (and
    logged) so one odd record never stops the engine from starting or the agent list from showing.
    """
    beads = []
    for bead in ledger.list(labels=[LABEL_AGENT], include_closed=True):
        try:
            agent_address(bead)
        except InvalidInput as exc:
            _log().warning("ignoring agent record %s: %s", bead.id, exc.one_line())
            continue
        beads.append(bead)
    return sorted(beads, key=lambda b: agent_meta(b).get("address") or b.title)


def agent_address(bead: Any) -> Address:
    """The address an agent bead stands for."""
    return parse_address(agent_meta(bead).get("address") or bead.title)


def find_agent(ledger: Any, text: str) -> Address:
    """Resolve what a user typed (an address, or a bare polecat/crew name if unique) to a known agent's address."""
    text = text.strip()
    if "/" in text or text in ("overseer", "mayor", "deacon"):
        address = parse_address(text + "/" if text in ("mayor", "deacon") else text)
        get_agent(ledger, address)
        return address
    matches = [agent_address(b) for b in list_agents(ledger) if agent_meta(b).get("name") == text]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFound(f"unknown agent {text!r} (try `gt agents` for the list)")
    raise Ambiguous(f"agent name {text!r} is ambiguous: {', '.join(sorted(map(str, matches)))}")
