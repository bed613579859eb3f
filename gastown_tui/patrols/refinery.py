"""Refinery patrol (per rig): scan the merge queue, rebase and gate a batch, merge the green prefix, rework the rest.

Step handlers for `mol-refinery-patrol`: scan-queue, rebase, run-gates, merge, rework. The default branch only
ever fast-forwards to a commit that passed every gate in this worktree, so it never ends up failing its gates;
anything else goes back to its polecat (rework) or to the Overseer (escalation), never away.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from gastown_tui import gitops
from gastown_tui.errors import GastownError
from gastown_tui.events import emit
from gastown_tui.patrols.batch import Batcher, BatchResult
from gastown_tui.patrols.context import PatrolContext
from gastown_tui.patrols.gates import TIMEOUT, GateOutcome, load_gates
from gastown_tui.patrols.merge_queue import (
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

    def handlers(self) -> dict[str, Any]:
        """Formula step id -> handler (aliases cover older step names)."""
        return {"scan-queue": self.scan_queue, "queue-scan": self.scan_queue, "rebase": self.rebase,
                "process-branch": self.rebase, "run-gates": self.run_gates, "run-tests": self.run_gates,
                "merge": self.merge, "merge-push": self.merge, "rework": self.rework,
                "handle-failures": self.rework}

    # -- steps -------------------------------------------------------------------------------------------------

    def scan_queue(self, run: Run) -> str:
        """Pick the next batch (priority, then age); MRs whose branch vanished are escalated and parked."""
        ledger = self.ctx.ledger
        batch: list[str] = []
        for mr in queue(ledger, self.rig):
            if len(batch) >= self.batch_size:
                break
            if not mr.branch or not gitops.branch_exists(self.paths, mr.branch):
                self._escalate_mr(mr, "BRANCH_MISSING", f"branch {mr.branch or '(none)'} is not in {self.rig}'s "
                                  "repository; the work may only exist in the polecat's worktree", severity="high")
                continue
            claim(ledger, mr)
            batch.append(mr.id)
        run.data.update(batch=batch, result=None)
        return f"{len(batch)} MR(s) in batch" if batch else "queue empty"

    def rebase(self, run: Run) -> str:
        """Rebase the batch in sequence onto the default branch (detached); conflicting MRs drop out for rework."""
        mrs = self._batch(run)
        if not mrs:
            run.data["stack"] = None
            return "nothing to rebase"
        base = self._sha(self._default())
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
        default = self._default()
        base = self._sha(default)  # worktrees share refs: the branch ref is the truth, wherever HEAD is
        batcher = Batcher(self.paths.refinery, gates, timeout,
                          on_test=lambda sha, out: self._emit("merge.gates", sha=sha, result=out.describe()))
        try:
            result = batcher.process(base, mrs, self._initial(run, base, mrs))
        finally:
            self._back_to_default(batcher)
        run.data["result"] = _encode(result)
        return (f"{len(result.good)} green, {len(result.conflicts)} conflicted, {len(result.bad)} red"
                f"{', aborted' if result.aborted else ''} in {result.gate_runs} gate run(s)")

    def merge(self, run: Run) -> str:
        """Fast-forward the default branch to the green prefix; close the MRs and their beads as merged."""
        result = _decode(run.data.get("result"))
        mrs = {mr.id: mr for mr in self._batch(run)}
        if result is None or not result.good:
            return "nothing to merge"
        if not gitops.fast_forward(self.paths.refinery, self._default(), result.tip or ""):
            for mr_id, _ in result.good:  # the default branch moved under us: rebase again next run
                if mr_id in mrs:
                    release(self.ctx.ledger, mrs[mr_id])
            run.data["result"] = None
            return "default branch moved; batch requeued"
        merged = []
        for mr_id, sha in result.good:
            mr = mrs.get(mr_id)
            if mr is not None:
                self._close_merged(mr, sha)
                merged.append(mr.source_issue or mr.id)
        run.note(f"merged {', '.join(merged)}")
        return f"merged {len(merged)}: {', '.join(merged)}"

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

    def _close_merged(self, mr: MergeRequest, sha: str) -> None:
        """Close MR and source bead as merged, then delete the branch (the witness retries if git refuses)."""
        ledger = self.ctx.ledger
        with ledger.transaction():
            set_meta(ledger, mr.id, self.actor, merge_commit=sha)
            ledger.close(mr.id, reason="merged", actor=self.actor)
            if mr.source_issue:
                source = ledger.get(mr.source_issue)
                if source.status == "closed":
                    ledger.update(source.id, close_reason="merged", actor=self.actor)
                else:
                    ledger.close(source.id, reason="merged", actor=self.actor)
        try:
            gitops.delete_branch(self.paths, mr.branch)
        except GastownError as exc:  # still checked out in the polecat's worktree: witness cleanup deletes it
            _log.info("branch %s kept for now (%s); the witness deletes it with the worktree", mr.branch,
                     exc.one_line())
        self._emit("merge.merged", mr=mr.id, bead=mr.source_issue, branch=mr.branch, sha=sha)

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
