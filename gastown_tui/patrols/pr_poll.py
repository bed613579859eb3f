"""The deacon's pull-request poll (land = "pr"): close MRs whose PR merged, hand closed PRs back to the Overseer.

`gh pr view <n> --json state,mergedAt` answers OPEN, MERGED or CLOSED. MERGED closes the MR and its bead as
`merged: PR <url>` (a convoy then lands on its next check); CLOSED without a merge parks the MR and escalates: a
person closed it, so a person decides what happens next. A branch pushed without `gh` (no PR number to ask about)
counts as merged once its work is on origin/<target>. Errors from `gh` are logged and retried next run.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
from typing import Any

from gastown_tui import gitops
from gastown_tui.convoys.landing import merge_requests
from gastown_tui.errors import GastownError
from gastown_tui.patrols.context import PatrolContext
from gastown_tui.patrols.merge_queue import BRANCH_PUSHED, PR_OPEN, MergeRequest, park

_log = logging.getLogger(__name__)
GH_TIMEOUT = 60.0


def _pr_state(gh: str, cwd: Any, number: int) -> tuple[str, str]:
    """(state, mergedAt) of PR `number` as `gh` reports it; ('', error) when it cannot say."""
    try:
        proc = subprocess.run([gh, "pr", "view", str(number), "--json", "state,mergedAt"], cwd=cwd, text=True,
                              capture_output=True, timeout=GH_TIMEOUT, stdin=subprocess.DEVNULL, check=False)
        data = json.loads(proc.stdout) if proc.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired, json.JSONDecodeError) as exc:
        return "", f"gh pr view {number}: {exc}"
    if not isinstance(data, dict):
        lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        return "", f"gh pr view {number}: {lines[-1] if lines else f'exit {proc.returncode}'}"
    return str(data.get("state") or "").upper(), str(data.get("mergedAt") or "")


def poll_prs(ctx: PatrolContext) -> list[str]:
    """Check every held PR of every rig that lands by pull request; returns one line per change."""
    from gastown_tui.patrols.refinery import RefineryPatrol  # noqa: PLC0415 - refinery imports landing modules
    from gastown_tui.town.rigs import list_rigs  # noqa: PLC0415

    held: dict[str, list[MergeRequest]] = {}
    for bead in merge_requests(ctx.ledger):
        mr = MergeRequest.from_bead(bead)
        if mr.land_state in (PR_OPEN, BRANCH_PUSHED) and mr.status != "closed":
            held.setdefault(mr.rig, []).append(mr)
    changes: list[str] = []
    gh = shutil.which("gh")
    for rig in list_rigs(ctx.town):
        if rig.name not in held:
            continue
        refinery = RefineryPatrol(ctx, rig.name)
        try:  # fetch only: the refinery worktree belongs to the refinery patrol, which may be mid-batch right now
            gitops.fetch_upstream(rig.paths)
            fetch_error = ""
        except GastownError as exc:
            fetch_error = exc.one_line()
        for mr in held[rig.name]:
            meta = dict(ctx.ledger.get(mr.id).metadata or {})
            url = str(meta.get("pr_url") or "")
            if mr.land_state == BRANCH_PUSHED:
                if not fetch_error and _branch_landed(rig.paths, str(meta.get("pushed_sha") or ""),
                                                      mr.target or rig.config.default_branch):
                    refinery.close_merged(mr, str(meta.get("pushed_sha")), where=f"branch {mr.branch} merged")
                    changes.append(f"{mr.id} merged (branch)")
                continue
            if gh is None or not str(meta.get("pr_number") or "").isdigit():
                continue
            state, detail = _pr_state(gh, rig.paths.refinery, int(meta["pr_number"]))
            if state == "MERGED":
                refinery.close_merged(mr, str(meta.get("pushed_sha") or ""), where=f"PR {url}")
                changes.append(f"{mr.id} merged ({url})")
            elif state == "CLOSED":
                esc = ctx.dispatch.escalate(
                    f"PR_CLOSED: {mr.source_issue or mr.id} ({rig.name})",
                    f"The pull request {url} for {mr.source_issue} was closed without merging.\n\nMR: {mr.id}\n"
                    f"Branch: {mr.branch}\nWorker: {mr.worker}\n\nReopen it, or re-sling the bead.",
                    severity="medium", source=refinery.actor, dedupe_key=f"pr-closed:{mr.id}")
                park(ctx.ledger, mr, esc, "PR closed unmerged")
                changes.append(f"{mr.id} PR closed unmerged: escalated")
            elif not state:
                _log.info("PR of %s not checked: %s", mr.id, detail)
    return changes


def _branch_landed(paths: Any, sha: str, target: str) -> bool:
    """True if the pushed commit's work is on origin/<target> (by ancestry or patch identity)."""
    if not sha:
        return False
    try:
        return gitops.is_merged(paths, sha, f"refs/remotes/origin/{target}")
    except GastownError:
        return False
