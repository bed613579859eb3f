"""What a killed command left behind: ledger (hook, molecule, convoy, lease), git (branch) and filesystem
(worktree) checks shared by the fault drills."""

from __future__ import annotations

from typing import Any

from gastown_tui import gitops
from gastown_tui.agents.lease import LEASE_KEY
from gastown_tui.agents.registry import agent_meta, list_agents
from gastown_tui.convoys.model import convoys_tracking
from gastown_tui.records import parse_address
from gastown_tui.town.paths import TownPaths


def attached_molecules(ledger: Any, bead_id: str) -> list[str]:
    """Open molecules attached to `bead_id`."""
    return [m.id for m in ledger.list(issue_type="molecule")
            if (m.metadata or {}).get("attached_to") == bead_id and m.status != "closed"]


def leases_for(ledger: Any, bead_id: str) -> list[str]:
    """Agents whose lease names `bead_id`."""
    out = []
    for agent in list_agents(ledger):
        lease = agent_meta(agent).get(LEASE_KEY)
        if isinstance(lease, dict) and lease.get("bead") == bead_id:
            out.append(agent.id)
    return out


def branches_for(town: TownPaths, rig: str, bead_id: str) -> list[str]:
    """Polecat branches made for `bead_id`."""
    return gitops.list_branches(town.rig(rig), f"polecat/*/{bead_id}")


def worktrees_for(town: TownPaths, rig: str, bead_id: str) -> list[str]:
    """Polecat directories whose checkout is on a branch for `bead_id` (or half-made, with no branch at all)."""
    out = []
    polecats = town.rig(rig).polecats
    for path in sorted(polecats.iterdir()) if polecats.is_dir() else []:
        if not any(path.iterdir()):
            continue
        branch = gitops.current_branch(path) if (path / ".git").exists() else None
        if branch is None or branch.endswith("/" + bead_id):
            out.append(str(path))
    return out


def sling_outcome(town: TownPaths, ledger: Any, bead_id: str, rig: str = "app") -> str:
    """'open' when nothing of a sling is left, 'complete' when every part exists; AssertionError naming the
    leftovers otherwise (a stranded or half-made sling)."""
    bead = ledger.get(bead_id)
    mols, convoys = attached_molecules(ledger, bead_id), [c.id for c in convoys_tracking(ledger, bead_id)
                                                          if c.status != "closed"]
    branches, trees, leases = branches_for(town, rig, bead_id), worktrees_for(town, rig, bead_id), \
        leases_for(ledger, bead_id)
    parts = {"molecules": mols, "convoys": convoys, "branches": branches, "worktrees": trees, "leases": leases}
    if bead.status == "open" and not bead.assignee:
        left = {k: v for k, v in parts.items() if v}
        assert not left, f"{bead_id} is open but a killed sling left {left}"
        return "open"
    assert bead.status == "hooked", f"{bead_id} is {bead.status} ({bead.assignee})"
    address = parse_address(bead.assignee)
    path = town.rig(rig).polecat(address.name)
    assert path.is_dir() and gitops.current_branch(path) == f"polecat/{address.name}/{bead_id}", \
        f"{bead_id} is hooked to {address} but its worktree {path} is missing or on another branch"
    assert mols and convoys and not leases, f"{bead_id} is hooked but incomplete: {parts}"
    return "complete"
