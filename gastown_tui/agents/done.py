"""`gt done`: finish the hooked work — commit stray changes, verify the branch, open a merge request, release the hook.

After `gt done` the work bead is **`in_progress`, assignee kept (the worker, for credit), metadata
`merge_request = <mr-id>` and `done_at`**: it is no longer on anyone's hook (hook = status `hooked`), it is not
`ready` (so nothing re-slings it), and it is not closed (a convoy must not land before the merge). The refinery
closes it when the MR merges, or sends it back as rework. A bead with no commits ahead of the default branch is
closed at once with reason `no code changes`; town roles without a worktree (dogs, mayor, deacon) close their
bead as done. The merge request is a persistent bead labelled `gt:merge-request`
(issue type `merge-request`) with metadata branch, target, source_issue, worker, rig, commit_sha, agent_bead.
Witness and refinery get mail (`POLECAT_DONE`, `MERGE_READY`). A ledger failure is raised, never read as "no work".
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from gastown_tui import events as feed
from gastown_tui import gitops
from gastown_tui.agents.hooks import hooked_bead
from gastown_tui.agents.identity import agent_cwd
from gastown_tui.agents.registry import update_agent
from gastown_tui.errors import InvalidInput, NotFound
from gastown_tui.faults import fault_point
from gastown_tui.mail.mailbox import send
from gastown_tui.records import LABEL_MERGE_REQUEST, Address
from gastown_tui.town.paths import TownPaths

STATUS_AFTER_DONE = "in_progress"


@dataclass(frozen=True)
class DoneResult:
    """What `gt done` did."""

    bead_id: str
    branch: str
    commit_sha: str
    merge_request: str        # '' when there were no code changes
    committed_stray: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"bead": self.bead_id, "branch": self.branch, "commit_sha": self.commit_sha,
                "merge_request": self.merge_request, "committed_stray_work": self.committed_stray}


def _finish_done_step(ledger: Any, address: Address) -> None:
    """Close what is left of the attached molecule: the work is handed in, so its remaining steps (at least the
    formula's last, `done`) are finished here and the molecule completes instead of lingering open."""
    from gastown_tui.formulas import current_step, find_molecule, step_done

    mol = find_molecule(ledger, str(address))
    for _ in range(200):  # a bound, not an expected count: each pass closes one step
        step = current_step(ledger, mol, str(address)) if mol else None
        if mol is None or step is None:
            return
        reason = "gt done" if step.step_id == "done" else "closed by gt done"
        step_done(ledger, mol, step.bead_id, actor=str(address), reason=reason)


def _mr_prefix(town: TownPaths, rig: str, fallback: str) -> str:
    """The rig's bead prefix (merge requests live with the rig's beads)."""
    try:
        from gastown_tui.town import load_rig_config

        return load_rig_config(town.rig(rig)).prefix
    except Exception:  # noqa: BLE001 - an unreadable rig.toml must not lose the MR; use the bead's prefix
        return fallback


def done(town: TownPaths, ledger: Any, address: Address, *, notes: str = "") -> DoneResult:
    """Run the `gt done` flow for `address` (see the module docstring)."""
    if address.role not in ("polecat", "crew", "dog", "mayor", "deacon"):
        raise InvalidInput(f"gt done is for agents that hold work, not {address}")
    bead = hooked_bead(ledger, address)
    if bead is None:
        raise NotFound(f"nothing is on {address}'s hook: there is no work to finish")
    if address.role not in ("polecat", "crew"):
        return _done_without_worktree(town, ledger, address, bead)
    worktree = agent_cwd(town, address)
    rig = town.rig(address.rig)
    branch = gitops.current_branch(worktree)
    if not branch:
        raise InvalidInput(f"{worktree} is on a detached HEAD; check out your branch before gt done")
    stray = gitops.commit_all(worktree, f"{bead.id}: {bead.title}\n\nUncommitted work saved by gt done.")
    fault_point("done:committed")
    sha = gitops.push_branch(worktree, branch)  # worktrees share repo.git: this verifies the ref == HEAD
    fault_point("done:pushed")
    target = gitops.default_branch(rig)
    ahead = gitops.commits_ahead(rig, branch, target)
    now = time.time()
    mr_id = ""
    # All of the ledger's side in one transaction: a kill before it leaves the work hooked (the restarted agent
    # runs `gt done` again: its commit is kept, nothing is doubled); after it, the merge request exists once.
    with ledger.transaction():
        _finish_done_step(ledger, address)
        if ahead == 0 or (bead.metadata or {}).get("review_only"):  # review-only convoy legs skip the refinery
            ledger.close(bead.id, reason="no code changes" if ahead == 0 else "review only", actor=str(address))
        else:
            meta = {"branch": branch, "target": target, "source_issue": bead.id, "worker": str(address),
                    "rig": address.rig, "commit_sha": sha, "agent_bead": address.agent_id}
            mr = ledger.create(f"Merge: {bead.id}", prefix=_mr_prefix(town, address.rig, bead.id.split("-")[0]),
                               description=f"{bead.title}\n\n{notes}".strip(), issue_type="merge-request",
                               labels=[LABEL_MERGE_REQUEST], metadata=meta, actor=str(address),
                               priority=bead.priority)
            mr_id = mr.id
            bead_meta = dict(ledger.get(bead.id).metadata or {})
            bead_meta.update(merge_request=mr_id, done_at=now, commit_sha=sha)
            ledger.update(bead.id, status=STATUS_AFTER_DONE, metadata=bead_meta, actor=str(address))
        update_agent(ledger, address, hook_bead=None, agent_state="idle",
                     last_done={"bead": bead.id, "merge_request": mr_id, "ts": now, "exit_type": "COMPLETED"})
    fault_point("done:recorded")
    body = f"Bead: {bead.id}\nBranch: {branch}\nCommit: {sha}\nMR: {mr_id or '(none: no code changes)'}\n"
    send(ledger, f"{address.rig}/witness", f"POLECAT_DONE {address.name or address}", body, sender=str(address),
         events_file=town.events, ephemeral=True)
    if mr_id:
        send(ledger, f"{address.rig}/refinery", f"MERGE_READY {mr_id}", body, sender=str(address),
             events_file=town.events, ephemeral=True)
    feed.emit(town.events, "done", actor=str(address), bead=bead.id, branch=branch, commit=sha, mr=mr_id)
    return DoneResult(bead.id, branch, sha, mr_id, stray is not None)


def _done_without_worktree(town: TownPaths, ledger: Any, address: Address, bead: Any) -> DoneResult:
    """Town roles (dogs, mayor, deacon) have no branch: their work is closed as done and the hook released."""
    with ledger.transaction():
        _finish_done_step(ledger, address)
        ledger.close(bead.id, reason=f"done by {address}", actor=str(address))
        update_agent(ledger, address, hook_bead=None, agent_state="idle",
                     last_done={"bead": bead.id, "merge_request": "", "ts": time.time(), "exit_type": "COMPLETED"})
    feed.emit(town.events, "done", actor=str(address), bead=bead.id, branch="", commit="", mr="")
    return DoneResult(bead.id, "", "", "", False)
