"""Repair of half-made multi-step commands, run at engine start (and by `gastown doctor --fix`).

A sling journals what it is about to make in the agent's lease (agents/lease.py) and releases the lease in the
same transaction that hooks the bead, so a lease whose process is gone means "killed before the hook": what it
made (a worktree on the new branch, the branch itself) is removed and the bead stays open for the next sling.
Older half-slings (a polecat hooked to work whose worktree does not exist, which no restart can ever run) get
their bead put back to open. Every repair is said in the feed (`repair.*`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gastown_tui import events as feed
from gastown_tui import gitops
from gastown_tui.agents.lease import LEASE_KEY, Lease, current_lease, stale_leases
from gastown_tui.agents.registry import update_agent
from gastown_tui.errors import GastownError
from gastown_tui.records import STATUS_HOOKED, Address, parse_address
from gastown_tui.town.paths import TownPaths


@dataclass(frozen=True)
class Repair:
    """One thing a repair did (or found and left alone, with why)."""

    address: str
    action: str       # "undo-sling" | "unhook" | "release-lease" | "kept"
    detail: str


def undo_sling(town: TownPaths, ledger: Any, address: Address, *, actor: str = "engine") -> list[Repair]:
    """Remove what an unfinished sling on `address` made (per its lease journal) and drop its lease.

    Acts only on our own lease or a stale one (holder gone); a live sling in another process is left alone.
    """
    lease = current_lease(ledger, address)
    if lease is None or lease.holder != "sling" or (lease.pid != os.getpid() and lease.live()):
        return []
    done = [Repair(str(address), "undo-sling", f"bead {lease.bead} left open")]
    if address.role == "polecat" and address.rig:
        done += _remove_made(town, address, lease)
    with ledger.transaction():
        again = current_lease(ledger, address)
        if again is not None and (again.pid, again.at) == (lease.pid, lease.at):
            update_agent(ledger, address, **{LEASE_KEY: None})
    feed.emit(town.events, "repair.sling", actor=actor, address=str(address), bead=lease.bead,
              undone=sorted(lease.made), detail="; ".join(r.detail for r in done))
    return done


def _remove_made(town: TownPaths, address: Address, lease: Lease) -> list[Repair]:
    """Remove the journalled worktree (only if it is on the sling's new branch) and the new branch."""
    from gastown_tui.agents.identity import polecat_branch

    rig = town.rig(address.rig)
    branch = polecat_branch(address, lease.bead)
    out: list[Repair] = []
    made = lease.made.get("worktree")
    if made:
        path = Path(made)
        current = gitops.current_branch(path) if path.is_dir() and any(path.iterdir()) else None
        if path.is_dir() and current not in (None, branch):
            out.append(Repair(str(address), "kept", f"{path} is on {current}, not made by this sling"))
        else:
            out.append(_drop_worktree(rig, path))
    if lease.made.get("branch") and gitops.branch_exists(rig, branch):
        try:
            gitops.delete_branch(rig, branch)  # not forced: a branch with commits is somebody's work
            out.append(Repair(str(address), "undo-sling", f"deleted branch {branch}"))
        except GastownError as exc:
            out.append(Repair(str(address), "kept", exc.one_line()))
    return out


def _drop_worktree(rig: Any, path: Path) -> Repair:
    """Remove a worktree a killed sling made (nothing ran in it: the hook never committed, so nothing is lost)."""
    try:
        gitops.discard_worktree(rig, path)
    except GastownError as exc:
        return Repair(rig.name, "kept", f"could not remove worktree {path}: {exc.one_line()}")
    return Repair(rig.name, "undo-sling", f"removed worktree {path}")


def unhook_homeless(town: TownPaths, ledger: Any, *, actor: str = "engine") -> list[Repair]:
    """Put back to open every bead hooked to a polecat whose worktree does not exist and that nobody is slinging."""
    from gastown_tui.agents.hooks import clear_hook

    out = []
    for bead in ledger.list(status=STATUS_HOOKED):
        try:
            address = parse_address(bead.assignee) if bead.assignee else None
        except (GastownError, AttributeError, ValueError):
            address = None
        if address is None or address.role != "polecat" or not address.rig:
            continue
        path = town.rig(address.rig).polecat(address.name)
        if path.is_dir() and any(path.iterdir()):
            continue
        lease = current_lease(ledger, address)
        if lease is not None and lease.live():
            continue
        clear_hook(ledger, address, actor=actor)
        feed.emit(town.events, "repair.unhook", actor=actor, address=str(address), bead=bead.id,
                  reason=f"worktree {path} does not exist")
        out.append(Repair(str(address), "unhook", f"{bead.id} back to open: worktree {path} does not exist"))
    return out


def repair_town(town: TownPaths, ledger: Any, *, actor: str = "engine") -> list[Repair]:
    """Every start-time repair: undo slings whose process died, drop other stale leases, unhook homeless work."""
    out: list[Repair] = []
    for address, lease in stale_leases(ledger):
        try:
            if lease.holder == "sling":
                out += undo_sling(town, ledger, address, actor=actor)
            else:
                update_agent(ledger, address, **{LEASE_KEY: None})
                out.append(Repair(str(address), "release-lease", f"{lease.holder} (pid {lease.pid}) is gone"))
        except GastownError as exc:  # one bad agent must not stop the repair of the others
            out.append(Repair(str(address), "kept", exc.one_line()))
    out += unhook_homeless(town, ledger, actor=actor)
    from gastown_tui.town.rigs import remove_half_made

    for name in remove_half_made(town):  # a `rig add` killed half-way
        feed.emit(town.events, "repair.rig", actor=actor, rig=name)
        out.append(Repair(name, "rig-add", f"finished or removed the half-made rig {name}"))
    return out


def half_made(ledger: Any) -> list[tuple[Address, Lease]]:
    """Stale leases (for `gastown doctor`): commands killed half-way, not yet repaired."""
    return stale_leases(ledger)
