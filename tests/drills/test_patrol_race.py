"""The witness and the deacon race on one polecat in the same (injected) second: the witness surveys it as idle
and merged, the deacon slings it new work, the witness's clean-up runs on that stale survey. Over 3 seeds and a mix
of orders (sling first, clean-up first, both at once in threads), no worktree is ever removed under a live hook.
Real ledger (a separate connection per thread), real git; sessions are a fake that says nobody is alive (this
drill is about the patrol/sling race, not about PTYs), the clock is a FakeClock that never moves."""

from __future__ import annotations

import random
import threading
import time

import pytest

from gastown_tui import gitops
from gastown_tui.agents.registry import update_agent
from gastown_tui.agents.sling import sling
from gastown_tui.clock import FakeClock
from gastown_tui.ledger import Ledger
from gastown_tui.patrols.context import PatrolContext
from gastown_tui.patrols.runs import Run
from gastown_tui.patrols.witness import WitnessPatrol
from gastown_tui.records import parse_address
from tests.agents.conftest import git

ROUNDS = 4


class NobodyAlive:
    """SessionsView fake: no session runs (the engine is 'just restarted' and has spawned nothing yet)."""

    def alive(self, address: str) -> bool:
        return False

    def started_at(self, address: str) -> float | None:
        return None

    def last_output_at(self, address: str) -> float | None:
        return None

    async def restart(self, address: str, *, reason: str) -> None:
        raise AssertionError("the race drill never restarts")

    async def nudge(self, address: str, text: str) -> None:
        return None

    async def dismiss_dialogs(self, address: str) -> bool:
        return False


def finish_and_merge(town, ledger, bead_id: str) -> None:
    """The hooked polecat commits, its branch lands on main, the bead closes and the hook is released."""
    bead = ledger.get(bead_id)
    address = parse_address(bead.assignee)
    tree = town.rig("app").polecat(address.name)
    (tree / f"{bead_id}.txt").write_text("done\n")
    sha = gitops.commit_all(tree, f"{bead_id}: work")
    git(town.rig("app").bare_repo, "update-ref", "refs/heads/main", sha)
    with ledger.transaction():
        ledger.close(bead_id, reason="merged", actor="refinery")
        update_agent(ledger, address, hook_bead=None)


def hooks_without_worktree(town, ledger) -> list[str]:
    """Hooked beads whose polecat worktree is gone or on another branch (work stranded by a clean-up)."""
    bad = []
    for bead in ledger.list(status="hooked"):
        address = parse_address(bead.assignee)
        tree = town.rig("app").polecat(address.name)
        if not tree.is_dir() or gitops.current_branch(tree) != f"polecat/{address.name}/{bead.id}":
            bad.append(bead.id)
    return bad


def race(town, witness: WitnessPatrol, run: Run, bead_id: str, order: str, delays: tuple[float, float]
         ) -> dict[str, object]:
    """The deacon slings `bead_id` to the rig while the witness cleans up on its (now stale) survey, in `order`."""
    results: dict[str, object] = {}

    def deacon() -> None:
        own = Ledger.open(town)  # its own connection, as the engine's sling and the witness thread would have
        try:
            time.sleep(delays[0])
            results["sling"] = sling(town, own, bead_id, "app", actor="deacon", start=False)
        finally:
            own.shutdown()

    def clean() -> None:
        time.sleep(delays[1])
        results["cleanup"] = witness.cleanup_done(run)

    if order == "together":
        threads = [threading.Thread(target=deacon), threading.Thread(target=clean)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    else:
        for step in ((deacon, clean) if order == "sling-first" else (clean, deacon)):
            step()
    return results


@pytest.mark.parametrize("seed", [11, 22, 33])
def test_witness_never_removes_a_worktree_the_deacon_just_gave_work(town, ledger, seed) -> None:
    rng = random.Random(seed)
    current = sling(town, ledger, ledger.create("First", prefix="ap").id, "app", actor="deacon", start=False)
    orders = ["sling-first"] + [rng.choice(["sling-first", "cleanup-first", "together"]) for _ in range(ROUNDS - 1)]
    outcomes = []
    for n, order in enumerate(orders):
        finish_and_merge(town, ledger, current.bead_id)
        clock = FakeClock(1_800_000_000.0)  # "restarted": both patrols see the same second
        ctx = PatrolContext(town=town, ledger=ledger, clock=clock, dispatch=None, sessions=NobodyAlive())  # type: ignore[arg-type]
        witness = WitnessPatrol(ctx, "app")
        run = Run(None, ledger, "race", {})  # type: ignore[arg-type]
        witness.survey(run)
        assert any(f["state"] == "idle" and f["merged"] for f in run.data["polecats"])  # a clean-up candidate
        work = ledger.create(f"Round {n}", prefix="ap")
        delays = (rng.uniform(0, 0.2), rng.uniform(0, 0.2)) if order == "together" else (0.0, 0.0)
        results = race(town, witness, run, work.id, order, delays)
        assert "sling" in results and "cleanup" in results, results
        assert hooks_without_worktree(town, ledger) == [], (order, results)
        outcomes.append(f"{order}: {results['cleanup']}")
        current = results["sling"]  # type: ignore[assignment]
    print(seed, outcomes)
