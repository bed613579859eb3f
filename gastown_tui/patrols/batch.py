"""Batch-then-bisect in the refinery worktree: stack several MRs, test the tip once, bisect when it is red.

MRs are rebased in sequence, each onto the previous one's rebased tip (detached HEAD, so no branch moves), giving
a linear stack whose prefixes are plain commits: testing "the first k MRs" is checking out the k-th tip. When the
tip is red, binary search finds the shortest red prefix; its last MR is the culprit, everything before it is good.
The MRs after the culprit are re-stacked on the good prefix without it and tested again, so one bad MR in a batch
of four costs four gate runs and the other three still merge in the same run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gastown_tui import gitops
from gastown_tui.patrols.gates import MISSING, Gate, GateOutcome, run_gates
from gastown_tui.patrols.merge_queue import MergeRequest


@dataclass
class BatchResult:
    """Where each MR of a batch ended: good (with the stack tip after it), conflicted, or bad (with the outcome)."""

    good: list[tuple[str, str]] = field(default_factory=list)           # (mr id, sha of the stack after it)
    conflicts: dict[str, list[str]] = field(default_factory=dict)       # mr id -> conflicting paths
    bad: dict[str, GateOutcome] = field(default_factory=dict)           # mr id -> the red/timeout outcome
    aborted: GateOutcome | None = None                                  # a gate could not run at all
    gate_runs: int = 0

    @property
    def tip(self) -> str | None:
        """The sha to fast-forward the default branch to, if anything is good."""
        return self.good[-1][1] if self.good else None


class Batcher:
    """Stacks and tests MRs in `worktree` (the refinery's) against `gates`."""

    def __init__(self, worktree: Path, gates: list[Gate], timeout: float,
                 on_test: Callable[[str, GateOutcome], None] | None = None) -> None:
        self.worktree = worktree
        self.gates = gates
        self.timeout = timeout
        self.on_test = on_test

    def clean(self) -> None:
        """Drop build artefacts and any half-done rebase (safe on the default branch: HEAD resets to itself)."""
        gitops.reset_hard(self.worktree, "HEAD")

    def stack(self, base: str, mrs: list[MergeRequest], result: BatchResult) -> list[tuple[MergeRequest, str]]:
        """Rebase `mrs` in order onto `base`; conflicting ones go to `result.conflicts` and are left out."""
        stacked: list[tuple[MergeRequest, str]] = []
        tip = base
        for mr in mrs:
            self.clean()
            rebased = gitops.rebase_onto(self.worktree, mr.branch, tip)
            if not rebased.ok or not rebased.head:
                result.conflicts[mr.id] = list(rebased.conflicts)
                continue
            tip = rebased.head
            stacked.append((mr, tip))
        return stacked

    def test(self, sha: str, result: BatchResult) -> GateOutcome:
        """Run the gates with the worktree at `sha` (detached), then clean up."""
        self.clean()
        gitops.checkout(self.worktree, sha, detach=True)
        try:
            outcome = run_gates(self.gates, self.worktree, self.timeout)
        finally:
            self.clean()
        result.gate_runs += 1
        if self.on_test is not None:
            self.on_test(sha, outcome)
        return outcome

    def process(self, base: str, mrs: list[MergeRequest],
                initial: tuple[list[tuple[MergeRequest, str]], dict[str, list[str]]] | None = None) -> BatchResult:
        """Stack, test, bisect and re-stack until every MR is good, conflicted or bad (or a gate cannot run).

        `initial` is a stack already built on `base` by the rebase step (and its conflicts), used for the first round.
        """
        result = BatchResult()
        pending = list(mrs)
        good_tip = base
        while pending:
            if initial is not None:
                stacked, conflicts = initial
                result.conflicts.update(conflicts)
                initial = None
            else:
                stacked = self.stack(good_tip, pending, result)
            if not stacked:
                break
            outcome = self.test(stacked[-1][1], result) if self.gates else GateOutcome("ok")
            if outcome.ok:
                result.good += [(mr.id, sha) for mr, sha in stacked]
                break
            if outcome.kind == MISSING:
                result.aborted = outcome
                break
            # invariant: prefix of length `lo` is green (0 = the good tip), prefix of length `hi` is red
            lo, hi, red = 0, len(stacked), outcome
            while hi - lo > 1:
                mid = (lo + hi) // 2
                probe = self.test(stacked[mid - 1][1], result)
                if probe.kind == MISSING:
                    result.aborted = probe
                    return result
                if probe.ok:
                    lo = mid
                else:
                    hi, red = mid, probe
            culprit = stacked[hi - 1][0]
            result.bad[culprit.id] = red
            result.good += [(mr.id, sha) for mr, sha in stacked[: hi - 1]]
            if hi - 1 > 0:
                good_tip = stacked[hi - 2][1]
            pending = [mr for mr, _ in stacked[hi:]]
        return result
