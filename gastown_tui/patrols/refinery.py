"""Refinery patrol (per rig): scan the merge queue, rebase and gate a batch, land the green prefix, rework the rest.

Step handlers for `mol-refinery-patrol`: scan-queue, rebase, run-gates, merge, rework. With `land = "push"` or
`"pr"` the scan fetches the upstream first and the batch is rebased onto `origin/<target>`; landing itself is in
patrols.landing. A target branch only ever receives a commit that passed every gate in this worktree, so it never
ends up failing its gates; anything else goes back to its polecat (rework) or to the Overseer (escalation), never
away. With `review = "human"` green MRs wait for the Overseer's approval (patrols.review) before they land.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from gastown_tui import gitops
from gastown_tui.errors import GastownError
from gastown_tui.events import emit
from gastown_tui.patrols import landing, verdicts
from gastown_tui.patrols.batch import Batcher, BatchResult
from gastown_tui.patrols.context import PatrolContext
from gastown_tui.patrols.gates import TIMEOUT, GateOutcome, load_gates
from gastown_tui.patrols.merge_queue import (
    BRANCH_PUSHED,
    PR_OPEN,
    MergeRequest,
    claim,
    park,
    queue,
    refinery_address,
    release,
    set_meta,
)
from gastown_tui.patrols.rework import send_back
from gastown_tui.patrols.runs import Run
from gastown_tui.town.config import RigConfig, load_rig_config
from gastown_tui.town.paths import RigPaths

_log = logging.getLogger(__name__)

STEPS = ["scan-queue", "rebase", "run-gates", "merge", "rework"]
BATCH_SIZE = 5


class RefineryPatrol:
    """The refinery of one rig; `handlers()` maps formula step ids to its methods."""

    def __init__(self, ctx: PatrolContext, rig: str, *, batch_size: int = BATCH_SIZE) -> None:
        self.ctx = ctx
        self.rig = rig
        self.paths: RigPaths = ctx.town.rig(rig)
        self.batch_size = batch_size
        self.actor = refinery_address(rig)
        self.log = _log

    @property
    def config(self) -> RigConfig:
        """The rig's rig.toml, read fresh (the Overseer may edit land/review/upstream between runs)."""
        return load_rig_config(self.paths)

    def handlers(self) -> dict[str, Any]:
        """Formula step id -> handler (aliases cover older step names)."""
        return {"scan-queue": self.scan_queue, "queue-scan": self.scan_queue, "rebase": self.rebase,
                "process-branch": self.rebase, "run-gates": self.run_gates, "run-tests": self.run_gates,
                "merge": self.merge, "merge-push": self.merge, "rework": self.rework,
                "handle-failures": self.rework}

    # -- steps -------------------------------------------------------------------------------------------------

    def scan_queue(self, run: Run) -> str:
        """Fetch the upstream (push/pr), pick the next batch of one target branch (priority, then age); MRs whose
        branch vanished are escalated and parked. A failed fetch claims nothing: the MRs wait for the next run."""
        ledger = self.ctx.ledger
        config = self.config
        waiting = queue(ledger, self.rig, held=False)
        if config.review != "human":  # review switched off: nothing waits for a person any more
            waiting = [mr for mr in queue(ledger, self.rig) if mr.land_state not in (PR_OPEN, BRANCH_PUSHED)]
        # pr: also with nothing queued, so local main follows PRs merged upstream (polecats start from there)
        if config.land == "pr" or (waiting and config.land == "push"):
            error = self._sync_upstream(config)
            if error:
                for mr in waiting:
                    set_meta(ledger, mr.id, self.actor, land_error=error)
                run.data.update(batch=[], result=None, target="")
                self._emit("merge.fetch_failed", error=error)
                return f"fetch failed, {len(waiting)} MR(s) stay queued: {error}"
        limit = 1 if config.land == "pr" else self.batch_size  # one PR per MR: never stack MRs on each other
        target = ""
        batch: list[str] = []
        for mr in waiting:
            if len(batch) >= limit:
                break
            mr_target = mr.target or config.default_branch
            if target and mr_target != target:
                continue  # a batch lands on one branch; the next run takes the other target
            if not mr.branch or not gitops.branch_exists(self.paths, mr.branch):
                self._escalate_mr(mr, "BRANCH_MISSING", f"branch {mr.branch or '(none)'} is not in {self.rig}'s "
                                  "repository; the work may only exist in the polecat's worktree", severity="high")
                continue
            if not gitops.branch_exists(self.paths, mr_target) and config.land == "local":
                self._escalate_mr(mr, "TARGET_MISSING", f"target branch {mr_target} is not in {self.rig}'s "
                                  "repository")
                continue
            target = mr_target
            claim(ledger, mr)
            batch.append(mr.id)
        run.data.update(batch=batch, result=None, target=target)
        return f"{len(batch)} MR(s) in batch for {target}" if batch else "queue empty"

    def _sync_upstream(self, config: RigConfig) -> str:
        """Point origin at rig.toml's upstream, fetch it, and bring the local default up to it; '' or the error."""
        try:
            if config.upstream and gitops.upstream_url(self.paths) != config.upstream:
                gitops.set_upstream(self.paths, config.upstream)
            gitops.fetch_upstream(self.paths)
            default = self._default()
            upstream = gitops.tracking_sha(self.paths, default)
            if upstream and gitops.merge_base(self.paths, default, upstream) == self._sha(default):
                gitops.fast_forward(self.paths.refinery, default, upstream)  # polecats start from upstream
        except GastownError as exc:
            return exc.one_line()
        return ""

    def _target(self, run: Run) -> str:
        """The branch this run's batch lands on."""
        return str(run.data.get("target") or self._default())

    def _base(self, run: Run) -> str:
        """The sha the batch is rebased onto: origin/<target> for push and pr, else the local target branch."""
        target = self._target(run)
        if self.config.land != "local":
            upstream = gitops.tracking_sha(self.paths, target)
            if upstream:
                return upstream
        return self._sha(target)

    def rebase(self, run: Run) -> str:
        """Rebase the batch in sequence onto the default branch (detached); conflicting MRs drop out for rework."""
        mrs = self._batch(run)
        if not mrs:
            run.data["stack"] = None
            return "nothing to rebase"
        base = self._base(run)
        batcher = Batcher(self.paths.refinery, [], 0.0)
        result = BatchResult()
        try:
            stacked = batcher.stack(base, mrs, result)
        finally:
            self._back_to_default(batcher)
        run.data["stack"] = {"base": base, "items": [[mr.id, sha] for mr, sha in stacked],
                             "conflicts": result.conflicts}
        return f"{len(stacked)} rebased onto {base[:10]}, {len(result.conflicts)} conflicted"

    def _initial(self, run: Run, base: str, mrs: list[MergeRequest]) -> tuple[list, dict] | None:
        """The rebase step's stack, if it was built on the current base (else the gates step re-stacks)."""
        saved = run.data.get("stack")
        if not saved or saved.get("base") != base:
            return None
        by_id = {mr.id: mr for mr in mrs}
        items = [(by_id[mr_id], sha) for mr_id, sha in saved.get("items", []) if mr_id in by_id]
        conflicts = {k: v for k, v in saved.get("conflicts", {}).items() if k in by_id}
        if len(items) + len(conflicts) != len(mrs):
            return None  # the batch changed since (an MR closed): start over
        return items, conflicts

    def run_gates(self, run: Run) -> str:
        """Stack the batch on the default branch, test once, bisect on red; record the verdict for merge/rework."""
        mrs = self._batch(run)
        if not mrs:
            return "nothing to test"
        gates, timeout = load_gates(self.paths)
        base = self._base(run)  # worktrees share refs: the branch ref is the truth, wherever HEAD is
        batcher = Batcher(self.paths.refinery, gates, timeout,
                          on_test=lambda sha, out: self._emit("merge.gates", sha=sha, result=out.describe()))
        try:
            result = batcher.process(base, mrs, self._initial(run, base, mrs))
        finally:
            self._back_to_default(batcher)
        run.data["result"] = _encode(result)
        verdicts.record_gates(self, result, {mr.id: mr for mr in mrs})
        return (f"{len(result.good)} green, {len(result.conflicts)} conflicted, {len(result.bad)} red"
                f"{', aborted' if result.aborted else ''} in {result.gate_runs} gate run(s)")

    def merge(self, run: Run) -> str:
        """Land the green prefix by the rig's mode (push, pr, local); with human review, only what was approved."""
        result = _decode(run.data.get("result"))
        mrs = {mr.id: mr for mr in self._batch(run)}
        if result is None or not result.good:
            return "nothing to merge"
        config = self.config
        waiting = verdicts.hold_for_review(self, result, mrs) if config.review == "human" else []
        if not result.good:
            run.data["result"] = _encode(result)
            return f"{len(waiting)} awaiting review: {', '.join(waiting)}"
        land = {"push": landing.land_push, "pr": landing.land_pr}.get(config.land, landing.land_local)
        summary = land(self, run, result, mrs, self._target(run))
        return summary + (f"; {len(waiting)} awaiting review" if waiting else "")

    def rework(self, run: Run) -> str:
        """Send conflicted and red MRs back to their polecats; escalate timeouts and gates that cannot run."""
        result = _decode(run.data.get("result"))
        mrs = {mr.id: mr for mr in self._batch(run)}
        if result is None:
            return "nothing to rework"
        done = []
        for mr_id, files in result.conflicts.items():
            if mr_id in mrs:
                send_back(self.ctx, mrs[mr_id], "conflict", "Conflicting files:\n" + "\n".join(files))
                done.append(f"{mr_id} conflict")
        for mr_id, outcome in result.bad.items():
            mr = mrs.get(mr_id)
            if mr is None:
                continue
            if outcome.kind == TIMEOUT:
                self._escalate_mr(mr, "GATE_TIMEOUT", f"{outcome.describe()}\n\n{outcome.output}")
            else:
                send_back(self.ctx, mr, f"gate {outcome.gate} failed", f"$ {outcome.command}\n{outcome.output}")
            done.append(f"{mr_id} {outcome.kind}")
        if result.aborted is not None:
            self.ctx.dispatch.escalate(
                f"Refinery {self.rig}: {result.aborted.describe()}",
                f"Rig: {self.rig}\nGate: {result.aborted.gate}\nCommand: {result.aborted.command}\n\n"
                f"{result.aborted.output}\n\nFix [gates] in {self.rig}/rig.toml; queued MRs wait and retry.",
                severity="high", source=self.actor, dedupe_key=f"gate-missing:{self.rig}:{result.aborted.gate}")
            decided = set(result.conflicts) | set(result.bad) | {m for m, _ in result.good}
            for mr_id, mr in mrs.items():
                if mr_id not in decided:
                    release(self.ctx.ledger, mr)
            done.append("gates could not run: escalated")
        if done:
            run.note("; ".join(done))
        return "; ".join(done) or "nothing to rework"

    # -- helpers -----------------------------------------------------------------------------------------------

    def _batch(self, run: Run) -> list[MergeRequest]:
        """The batch's MRs re-read from the ledger (skipping any closed meanwhile)."""
        mrs = []
        for mr_id in run.data.get("batch") or []:
            try:
                mr = MergeRequest.from_bead(self.ctx.ledger.get(mr_id))
            except GastownError:
                continue
            if mr.status != "closed":
                mrs.append(mr)
        return mrs

    def _default(self) -> str:
        """The rig's default branch."""
        return gitops.default_branch(self.paths)

    def default(self) -> str:
        """The rig's default branch (for patrols.landing)."""
        return self._default()

    def encode(self, result: BatchResult) -> dict[str, Any]:
        """JSON form of a batch result (for patrols.landing)."""
        return _encode(result)

    def back_to_default(self, batcher: Batcher) -> None:
        """Leave the refinery worktree clean on the default branch (for patrols.landing)."""
        self._back_to_default(batcher)

    def _on_default(self) -> bool:
        """True if the refinery worktree is on the default branch."""
        return gitops.current_branch(self.paths.refinery) == self._default()

    def _sha(self, ref: str) -> str:
        """The sha of `ref` in the rig's repository."""
        return gitops.log_oneline(self.paths, ref, 1)[0].sha

    def _back_to_default(self, batcher: Batcher) -> None:
        """Leave the refinery worktree clean on the default branch (where it lives between runs)."""
        batcher.clean()
        if not self._on_default():
            gitops.checkout(self.paths.refinery, self._default())

    def close_merged(self, mr: MergeRequest, sha: str, *, where: str) -> None:
        """Close MR and source bead as merged (reason `merged: <where>` when it landed beyond repo.git), then delete
        the branch (the witness retries if git refuses)."""
        ledger = self.ctx.ledger
        reason = f"merged: {where}" if where else "merged"
        with ledger.transaction():
            set_meta(ledger, mr.id, self.actor, merge_commit=sha, landed=where or "local", land_state="landed",
                     land_error="")
            ledger.close(mr.id, reason=reason, actor=self.actor)
            if mr.source_issue:
                source = ledger.get(mr.source_issue)
                if source.status == "closed":
                    ledger.update(source.id, close_reason=reason, actor=self.actor)
                else:
                    ledger.close(source.id, reason=reason, actor=self.actor)
        try:
            gitops.delete_branch(self.paths, mr.branch)
        except GastownError as exc:  # still checked out in the polecat's worktree: witness cleanup deletes it
            _log.info("branch %s kept for now (%s); the witness deletes it with the worktree", mr.branch,
                     exc.one_line())
        self._emit("merge.merged", mr=mr.id, bead=mr.source_issue, branch=mr.branch, sha=sha, where=where or "local")

    def _escalate_mr(self, mr: MergeRequest, kind: str, detail: str, *, severity: str = "medium") -> None:
        """Escalate a problem with one MR and park it, so it is neither retried forever nor lost."""
        body = (f"Rig: {self.rig}\nMR: {mr.id}\nBead: {mr.source_issue}\nBranch: {mr.branch}\nWorker: {mr.worker}"
                f"\n\n{detail}")
        esc = self.ctx.dispatch.escalate(f"{kind}: {mr.source_issue or mr.id} ({self.rig})", body,
                                         severity=severity, source=self.actor, dedupe_key=f"{kind}:{mr.id}")
        park(self.ctx.ledger, mr, esc, kind)
        self._emit("merge.escalated", mr=mr.id, problem=kind)

    def _emit(self, event: str, **data: Any) -> None:
        """Feed event from this refinery."""
        try:
            emit(self.ctx.events, event, actor=self.actor, rig=self.rig, **data)
        except OSError:
            pass


def _encode(result: BatchResult) -> dict[str, Any]:
    """JSON form of a batch result for the run's persisted data."""
    return {"good": result.good, "conflicts": result.conflicts,
            "bad": {k: asdict(v) for k, v in result.bad.items()},
            "aborted": asdict(result.aborted) if result.aborted else None, "gate_runs": result.gate_runs}


def _decode(raw: dict[str, Any] | None) -> BatchResult | None:
    """Inverse of `_encode`."""
    if not raw:
        return None
    return BatchResult(good=[(str(a), str(b)) for a, b in raw.get("good", [])],
                       conflicts={k: list(v) for k, v in raw.get("conflicts", {}).items()},
                       bad={k: GateOutcome(**v) for k, v in raw.get("bad", {}).items()},
                       aborted=GateOutcome(**raw["aborted"]) if raw.get("aborted") else None,
                       gate_runs=int(raw.get("gate_runs", 0)))
