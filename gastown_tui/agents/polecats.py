"""Working directories of agents: polecats (pool names, free-or-new allocation, one worktree per bead branch),
crew (a long-lived worktree on `crew/<name>`), and plain directories for town roles (mayor, deacon, dogs).

A polecat's worktree is `<rig>/polecats/<name>` on branch `polecat/<name>/<bead-id>`. Reusing an idle polecat
for new work re-creates its worktree on the new branch — only when the old one is clean, so unmerged or
uncommitted work is never deleted (the old branch stays in repo.git for the refinery).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gastown_tui import gitops
from gastown_tui.agents.datafiles import polecat_names
from gastown_tui.agents.hooks import hooked_bead
from gastown_tui.agents.identity import polecat_branch
from gastown_tui.agents.registry import agent_meta, list_agents
from gastown_tui.errors import Conflict, NotFound
from gastown_tui.records import Address
from gastown_tui.town.paths import TownPaths


def rig_polecats(ledger: Any, rig: str) -> list[Address]:
    """Addresses of the rig's known polecats."""
    out = []
    for bead in list_agents(ledger):
        meta = agent_meta(bead)
        if meta.get("role") == "polecat" and meta.get("rig") == rig:
            out.append(Address("polecat", rig=rig, name=str(meta.get("name"))))
    return out


def is_free(ledger: Any, address: Address) -> bool:
    """A polecat is free when nothing is on its hook and nothing is in progress under its name (work it already
    finished with `gt done` stays in_progress with a merge request pending: that does not count)."""
    if hooked_bead(ledger, address) is not None:
        return False
    active = [b for b in ledger.list(status="in_progress", assignee=str(address))
              if not (b.metadata or {}).get("merge_request")]
    return not active


def candidates(ledger: Any, rig: str) -> list[Address]:
    """Polecats to try for new work, in order: known free ones first, then unused names from the pool."""
    known = rig_polecats(ledger, rig)
    known_names = {a.name for a in known}
    free = [a for a in known if is_free(ledger, a)]
    fresh = [Address("polecat", rig=rig, name=n) for n in _unused_names(known_names)]
    if not free and not fresh:
        raise Conflict(f"rig {rig!r} has no free polecat (all {len(known)} names are busy)")
    return free + fresh


def _unused_names(taken: set[str], want: int = 8) -> list[str]:
    """Up to `want` unused polecat names: the pool first, then numbered generations of it (nux2, nux3, ...),
    so a rig never runs out of names however many polecats the capacity governor allows."""
    pool = polecat_names()
    out = [n for n in pool if n not in taken][:want]
    generation = 2
    while len(out) < want and generation < 1000:
        out += [f"{n}{generation}" for n in pool if f"{n}{generation}" not in taken][: want - len(out)]
        generation += 1
    return out


def prepare_worktree(town: TownPaths, address: Address, bead_id: str) -> tuple[Path, str]:
    """Make the polecat's worktree sit on `polecat/<name>/<bead>`; returns (path, branch)."""
    rig = town.rig(address.rig)
    if not rig.bare_repo.is_dir():
        raise NotFound(f"rig {address.rig!r} has no repository at {rig.bare_repo}")
    path, branch = rig.polecat(address.name), polecat_branch(address, bead_id)
    if path.exists() and any(path.iterdir()):
        current = gitops.current_branch(path)
        if current == branch:
            return path, branch
        if gitops.has_uncommitted(path):
            raise Conflict(f"polecat {address} has uncommitted work in {path} (branch {current}); "
                           "finish or rescue it before giving it new work")
        gitops.remove_worktree(rig, path)
    gitops.add_worktree(rig, path, branch)
    return path, branch


def ensure_workdir(town: TownPaths, address: Address) -> Path:
    """Make sure a non-polecat agent has its working directory: crew get a worktree on `crew/<name>` (created
    once, then kept: crew are long-lived), the mayor, deacon and dogs a plain directory."""
    from gastown_tui.agents.identity import agent_cwd

    path = agent_cwd(town, address)
    if address.role == "crew":
        if not (path.exists() and any(path.iterdir())):
            gitops.add_worktree(town.rig(address.rig), path, f"crew/{address.name}")
    elif address.role in ("mayor", "deacon", "dog", "witness"):
        path.mkdir(parents=True, exist_ok=True)
    return path
