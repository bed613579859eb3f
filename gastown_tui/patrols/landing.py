"""Landing a green batch by the rig's mode: push to the upstream, open a pull request, or fast-forward locally.

push: `git push origin <tip>:<target>`, never forced. A rejection because the remote moved means fetch, re-stack on
the new `origin/<target>`, re-gate and push again, at most PUSH_ATTEMPTS times; new conflicts and red gates become
rework like any other. Any other push failure (read-only remote, hook declined, network) leaves every MR queued with
the one-line error in its metadata, and the next patrol retries. MRs and beads close only after the remote reports
the pushed commit.

pr: each MR's gated commit is pushed as its own branch and a PR is opened with `gh`; the MR is held as `pr-open`
(patrols.pr_poll closes it when the PR merges). Without `gh` the branch is pushed and the Overseer gets the compare
URL. local: the default branch of repo.git fast-forwards, as before landing modes existed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import TYPE_CHECKING

from gastown_tui import gitops
from gastown_tui.errors import GastownError
from gastown_tui.patrols.batch import Batcher, BatchResult
from gastown_tui.patrols.gates import load_gates
from gastown_tui.patrols.merge_queue import (
    BRANCH_PUSHED,
    PR_OPEN,
    MergeRequest,
    hold,
    release,
    set_meta,
)
from gastown_tui.patrols.runs import Run
from gastown_tui.patrols.verdicts import record_gates
from gastown_tui.town.land_mode import compare_url

if TYPE_CHECKING:
    from gastown_tui.patrols.refinery import RefineryPatrol

PUSH_ATTEMPTS = 3
GH_TIMEOUT = 60.0
_PR_URL = re.compile(r"https?://\S+/pull/(\d+)\S*")


def land_push(ref: RefineryPatrol, run: Run, result: BatchResult, mrs: dict[str, MergeRequest],
              target: str) -> str:
    """Push the green prefix to origin/<target>; retry over a moved remote; close MRs only once pushed."""
    try:
        return _push(ref, run, result, mrs, target)
    finally:  # the rework step reads the (possibly re-gated) verdict from the run
        run.data["result"] = ref.encode(result)


def _push(ref: RefineryPatrol, run: Run, result: BatchResult, mrs: dict[str, MergeRequest], target: str) -> str:
    """The body of land_push."""
    tip = result.tip or ""
    for _attempt in range(PUSH_ATTEMPTS):
        pushed = gitops.push(ref.paths, tip, target)
        if pushed.ok:
            break
        if not pushed.rejected:
            return _keep_queued(ref, result, mrs, pushed.error)
        ref._emit("merge.push_rejected", sha=tip, target=target, why=pushed.error)
        try:
            gitops.fetch_upstream(ref.paths)
        except GastownError as exc:
            return _keep_queued(ref, result, mrs, exc.one_line())
        _restack(ref, result, mrs, gitops.tracking_sha(ref.paths, target) or "")
        if not result.good:
            return "upstream moved; nothing left green after re-gating"
        tip = result.tip or ""
    else:
        return _keep_queued(ref, result, mrs, f"origin/{target} kept moving ({PUSH_ATTEMPTS} push attempts)")
    if target == ref.default():  # keep the local default in step, so new polecats start from what was pushed
        try:
            gitops.fast_forward(ref.paths.refinery, target, tip)
        except GastownError as exc:
            ref.log.info("local %s not fast-forwarded to %s: %s", target, tip[:10], exc.one_line())
    merged = []
    for mr_id, sha in result.good:
        if mr_id in mrs:
            ref.close_merged(mrs[mr_id], sha, where=f"pushed {sha[:10]} to origin/{target}")
            merged.append(mrs[mr_id].source_issue or mr_id)
    run.note(f"pushed {', '.join(merged)} to origin/{target}")
    return f"pushed {len(merged)} to origin/{target}: {', '.join(merged)}"


def _restack(ref: RefineryPatrol, result: BatchResult, mrs: dict[str, MergeRequest], base: str) -> None:
    """Rebase and re-gate the green MRs on the new upstream tip; conflicts and reds join the result's rework."""
    gates, timeout = load_gates(ref.paths)
    batcher = Batcher(ref.paths.refinery, gates, timeout,
                      on_test=lambda sha, out: ref._emit("merge.gates", sha=sha, result=out.describe()))
    good = [mrs[mr_id] for mr_id, _ in result.good if mr_id in mrs]
    try:
        again = batcher.process(base, good)
    finally:
        ref.back_to_default(batcher)
    result.good = again.good
    result.conflicts.update(again.conflicts)
    result.bad.update(again.bad)
    result.aborted = result.aborted or again.aborted
    result.gate_runs += again.gate_runs
    record_gates(ref, again, mrs)


def _keep_queued(ref: RefineryPatrol, result: BatchResult, mrs: dict[str, MergeRequest], error: str) -> str:
    """The push failed for a reason retrying now will not fix: every green MR goes back to the queue, untouched."""
    kept = [mrs[mr_id] for mr_id, _ in result.good if mr_id in mrs]
    for mr in kept:
        set_meta(ref.ctx.ledger, mr.id, ref.actor, land_error=error)
        release(ref.ctx.ledger, mr)
    result.good = []
    ref._emit("merge.push_failed", error=error, mrs=[mr.id for mr in kept])
    return f"push failed, {len(kept)} MR(s) stay queued: {error}"


def land_local(ref: RefineryPatrol, run: Run, result: BatchResult, mrs: dict[str, MergeRequest],
               target: str) -> str:
    """Fast-forward repo.git's <target> to the green prefix (land = "local")."""
    if not gitops.fast_forward(ref.paths.refinery, target, result.tip or ""):
        for mr_id, _ in result.good:  # the branch moved under us: rebase again next run
            if mr_id in mrs:
                release(ref.ctx.ledger, mrs[mr_id])
        run.data["result"] = None
        return f"{target} moved; batch requeued"
    merged = []
    for mr_id, sha in result.good:
        if mr_id in mrs:
            ref.close_merged(mrs[mr_id], sha, where="")
            merged.append(mrs[mr_id].source_issue or mr_id)
    run.note(f"merged {', '.join(merged)}")
    return f"merged {len(merged)}: {', '.join(merged)}"


def land_pr(ref: RefineryPatrol, run: Run, result: BatchResult, mrs: dict[str, MergeRequest],
            target: str) -> str:
    """Push each green MR's gated commit as its branch and open a PR (or hand the Overseer the compare URL)."""
    done = []
    for mr_id, sha in result.good:
        mr = mrs.get(mr_id)
        if mr is None:
            continue
        branch, pushed = _push_branch(ref, sha, mr.branch)
        if not pushed.ok:
            set_meta(ref.ctx.ledger, mr.id, ref.actor, land_error=pushed.error)
            release(ref.ctx.ledger, mr)
            ref._emit("merge.push_failed", mr=mr.id, error=pushed.error)
            done.append(f"{mr.id} push failed: {pushed.error}")
            continue
        done.append(_open_pr(ref, mr, sha, target, branch))
    run.note("; ".join(done))
    return "; ".join(done) or "nothing to land"


def _push_branch(ref: RefineryPatrol, sha: str, branch: str) -> tuple[str, gitops.PushResult]:
    """Push `sha` as `branch`; if the remote already has a different history there (an earlier round's PR
    branch), push `branch-v2`, `-v3`... instead of forcing. Returns the branch used and the last result."""
    name, result = branch, gitops.push(ref.paths, sha, branch)
    for n in range(2, 6):
        if result.ok or not result.rejected:
            break
        name = f"{branch}-v{n}"
        result = gitops.push(ref.paths, sha, name)
    return name, result


def _open_pr(ref: RefineryPatrol, mr: MergeRequest, sha: str, target: str, branch: str) -> str:
    """`gh pr create` for a pushed branch; record URL and number on the MR (and the bead's external_ref)."""
    ledger = ref.ctx.ledger
    bead = ledger.get(mr.source_issue) if mr.source_issue else None
    title = f"{bead.title} ({bead.id})" if bead is not None else f"Merge {mr.branch}"
    body = (f"{(bead.description or '').strip()}\n\nBead: {mr.source_issue}\nWorker: {mr.worker}\n"
            f"Gates: green at {sha[:10]} in the Gas Town refinery.") if bead is not None else f"Branch {mr.branch}"
    gh = shutil.which("gh")
    if gh is None:
        url = compare_url(ref.config.upstream, target, branch)
        hold(ledger, mr, BRANCH_PUSHED, pushed_sha=sha, pr_branch=branch, compare_url=url, land_error="")
        ref.ctx.dispatch.mail("overseer", f"Open a pull request: {mr.source_issue or mr.id} ({ref.rig})",
                              f"`gh` is not installed, so the refinery pushed the branch and stopped.\n\n"
                              f"Branch: {branch}\nTarget: {target}\nCompare: {url}\n\n"
                              "The bead closes when this branch's work is on the target branch.", sender=ref.actor)
        return f"{mr.id} branch pushed; compare URL mailed"
    try:
        proc = subprocess.run([gh, "pr", "create", "--base", target, "--head", branch, "--title", title,
                               "--body", body], cwd=ref.paths.refinery, text=True, capture_output=True,
                              timeout=GH_TIMEOUT, stdin=subprocess.DEVNULL, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return _pr_failed(ref, mr, f"gh pr create: {exc}")
    found = _PR_URL.search(proc.stdout) or _PR_URL.search(proc.stderr)
    if found is None:  # `gh` also prints the URL of an already-open PR for this branch in its error
        lines = [ln for ln in (proc.stderr or proc.stdout).splitlines() if ln.strip()]
        return _pr_failed(ref, mr, f"gh pr create: {lines[-1] if lines else f'exit {proc.returncode}'}")
    url, number = found.group(0), int(found.group(1))
    with ledger.transaction():
        hold(ledger, mr, PR_OPEN, pr_url=url, pr_number=number, pushed_sha=sha, pr_branch=branch, land_error="")
        ledger.update(mr.id, external_ref=url, actor=ref.actor)
        if bead is not None:
            ledger.update(bead.id, external_ref=url, actor=ref.actor)
    ref._emit("merge.pr_opened", mr=mr.id, bead=mr.source_issue, url=url, number=number)
    return f"{mr.id} PR #{number} {url}"


def _pr_failed(ref: RefineryPatrol, mr: MergeRequest, error: str) -> str:
    """Opening the PR failed: the MR goes back to the queue with the error (the pushed branch stays)."""
    set_meta(ref.ctx.ledger, mr.id, ref.actor, land_error=error)
    release(ref.ctx.ledger, mr)
    ref._emit("merge.pr_failed", mr=mr.id, error=error)
    return f"{mr.id} {error}"
