"""The hook: an agent's work queue of size one — the work bead itself, status `hooked`, assignee = agent address.

Hooking is atomic: the checks and the conditional claim run in one ledger transaction, so two slings of the same
bead (or two beads onto one agent) cannot both succeed. The agent bead mirrors the hook in `hook_bead`.
"""

from __future__ import annotations


from gastown_tui.agents.registry import update_agent
from gastown_tui.errors import Conflict, InvalidInput, NotFound
from gastown_tui.records import STATUS_HOOKED, Address

TYPE_CHECKING = False  # not typing's: importing typing costs ~4 ms of every `gt` call, and only checkers need it
if TYPE_CHECKING:
    from typing import Any

class AgentBusy(Conflict):
    """The agent's hook already holds other work."""


# Statuses from which a bead may not be hooked.
_FINISHED = ("closed", "tombstone")


def hooked_beads(ledger: Any, address: Address) -> list[Any]:
    """Every bead hooked to `address` (normally zero or one)."""
    return ledger.list(status=STATUS_HOOKED, assignee=str(address))


def hooked_bead(ledger: Any, address: Address) -> Any | None:
    """The bead on `address`'s hook, or None. A ledger failure propagates: it is never read as 'no work'."""
    beads = hooked_beads(ledger, address)
    return beads[0] if beads else None


def hook_bead(ledger: Any, bead_id: str, address: Address, *, actor: str, force: bool = False) -> Any:
    """Put `bead_id` on `address`'s hook (status hooked, assignee = address) atomically; returns the bead.

    Refuses (Conflict) a closed bead, a bead hooked or in progress on another agent (unless `force`), and an agent
    whose hook already holds different work (unless `force`, which puts that work back to open).
    """
    with ledger.transaction():
        bead = ledger.get(bead_id)
        if bead.status in _FINISHED:
            raise Conflict(f"cannot hook {bead.id}: it is {bead.status}")
        if bead.issue_type in ("agent", "message", "merge-request", "convoy"):
            raise InvalidInput(f"cannot hook {bead.id}: it is a {bead.issue_type}, not work")
        holder = bead.assignee or ""
        if bead.status in (STATUS_HOOKED, "in_progress") and holder and holder != str(address):
            if not force:
                raise Conflict(f"{bead.id} is already {bead.status} by {holder} (use --force to take it)")
        current = [b for b in hooked_beads(ledger, address) if b.id != bead.id]
        if current and not force:
            raise AgentBusy(f"{address} already has {current[0].id} on its hook (finish it or use --force)")
        for other in current:
            ledger.update(other.id, status="open", assignee=None, actor=actor)
        if bead.status == STATUS_HOOKED and holder == str(address):
            result = bead
        else:
            result = ledger.update(bead.id, status=STATUS_HOOKED, assignee=str(address), actor=actor)
        update_agent(ledger, address, hook_bead=bead.id)
    return result


def clear_hook(ledger: Any, address: Address, *, actor: str, status: str = "open") -> Any | None:
    """Take the work off `address`'s hook (back to `status`, unassigned); returns the bead or None if empty."""
    with ledger.transaction():
        bead = hooked_bead(ledger, address)
        if bead is not None:
            bead = ledger.update(bead.id, status=status, assignee=None, actor=actor)
        try:
            update_agent(ledger, address, hook_bead=None)
        except NotFound:
            pass
    return bead
