"""Refinery patrol against real git: merges, rework, escalations, batching with bisect."""

from __future__ import annotations

import sys

from gastown_tui.convoys.landing import merge_requests
from gastown_tui.patrols.refinery import STEPS, RefineryPatrol
from gastown_tui.patrols.runs import PatrolSpec, execute_run

from .conftest import Town, set_gates

PY = sys.executable


async def run_refinery(town: Town, rig: str = "alpha", batch_size: int = 5) -> RefineryPatrol:
    """One refinery patrol run as a wisp."""
    patrol = RefineryPatrol(town.ctx, rig, batch_size=batch_size)
    spec = PatrolSpec(f"refinery:{rig}", "mol-refinery-patrol", STEPS, patrol.handlers(), town.ctx,
                      actor=f"{rig}/refinery", variables={"rig": rig})
    report = await execute_run(town.ledger, spec, events=town.paths.events)
    assert report.result == "ok", report.summary
    return patrol


def no_bad_gate() -> list[str]:
    """A gate that fails when a file named BAD exists or app.txt contains 'bug'."""
    code = ("import os,sys; sys.exit(1 if os.path.exists('BAD') or 'bug' in open('app.txt').read() else 0)")
    return [PY, "-c", code]


async def test_green_mr_is_merged_and_closed(town: Town) -> None:
    set_gates(town.rig("alpha"), {"test": no_bad_gate()})
    bead = town.bead("Add feature", "alpha")
    branch = town.work("alpha", "nux", bead.id, {"feature.txt": "hello\n"})
    mr = town.mr("alpha", bead, branch, "alpha/polecats/nux")
    await run_refinery(town)
    assert town.main_file("alpha", "feature.txt") == "hello\n"
    assert town.ledger.get(mr.id).status == "closed"
    assert town.ledger.get(mr.id).close_reason == "merged"
    assert town.ledger.get(bead.id).close_reason == "merged"
    run = town.ledger.list(labels=["patrol:refinery:alpha"], include_closed=True, ephemeral=True)[0]
    assert run.metadata["formula"] == "mol-refinery-patrol" and run.metadata["mol_kind"] == "wisp"
    steps = [c.metadata["step_id"] for c in town.ledger.children(run.id)]
    assert steps == ["scan-queue", "rebase", "run-gates", "merge", "rework"]
    assert all(c.status == "closed" for c in town.ledger.children(run.id))


async def test_conflict_goes_back_as_rework(town: Town) -> None:
    first = town.bead("First", "alpha")
    second = town.bead("Second", "alpha")
    b1 = town.work("alpha", "ace", first.id, {"app.txt": "line1\nACE\nline3\n"})
    b2 = town.work("alpha", "nux", second.id, {"app.txt": "line1\nNUX\nline3\n"})
    town.mr("alpha", first, b1, "alpha/polecats/ace")
    mr2 = town.mr("alpha", second, b2, "alpha/polecats/nux")
    await run_refinery(town)
    assert town.main_file("alpha", "app.txt") == "line1\nACE\nline3\n"
    assert town.ledger.get(mr2.id).status == "closed"
    assert town.ledger.get(mr2.id).close_reason.startswith("rework: conflict")
    rehooked = town.ledger.get(second.id)
    assert (rehooked.status, rehooked.assignee) == ("hooked", "alpha/polecats/nux")
    to, subject, body = town.dispatch.mails[-1]
    assert to == "alpha/polecats/nux" and "REWORK_REQUEST" in subject and "app.txt" in body


async def test_red_gate_leaves_main_unchanged_and_reworks(town: Town) -> None:
    set_gates(town.rig("alpha"), {"test": no_bad_gate()})
    before = town.main_file("alpha", "app.txt")
    bead = town.bead("Buggy", "alpha")
    branch = town.work("alpha", "nux", bead.id, {"app.txt": "bug\n"})
    mr = town.mr("alpha", bead, branch, "alpha/polecats/nux")
    await run_refinery(town)
    assert town.main_file("alpha", "app.txt") == before
    assert town.ledger.get(mr.id).close_reason.startswith("rework: gate test failed")
    assert town.ledger.get(bead.id).status == "hooked"
    assert "exit status 1" in town.dispatch.mails[-1][2]


async def test_missing_gate_command_escalates_and_keeps_mr(town: Town) -> None:
    set_gates(town.rig("alpha"), {"lint": "no-such-linter-xyz --check ."})
    bead = town.bead("Feature", "alpha")
    branch = town.work("alpha", "nux", bead.id, {"f.txt": "x\n"})
    mr = town.mr("alpha", bead, branch, "alpha/polecats/nux")
    await run_refinery(town)
    subject, body = town.dispatch.escalations[-1]
    assert "lint" in subject and "missing" in subject and "no-such-linter-xyz" in body
    assert town.ledger.get(mr.id).status == "open"  # waits for the rig.toml fix, then retries
    assert town.main_file("alpha", "f.txt") is None
    await run_refinery(town)
    assert len({e[0] for e in town.dispatch.escalations}) == 1
    escalations = [b for b in town.ledger.list(labels=["gt:escalation"])]
    assert len(escalations) == 1  # deduplicated while open


async def test_hanging_gate_times_out_and_escalates(town: Town) -> None:
    set_gates(town.rig("alpha"), {"test": [PY, "-c", "import time; time.sleep(60)"]}, timeout=1)
    bead = town.bead("Slow", "alpha")
    branch = town.work("alpha", "nux", bead.id, {"f.txt": "x\n"})
    mr = town.mr("alpha", bead, branch, "alpha/polecats/nux")
    await run_refinery(town)
    assert "GATE_TIMEOUT" in town.dispatch.escalations[-1][0]
    parked = town.ledger.get(mr.id)
    assert parked.status == "blocked" and parked.metadata["escalation"]
    assert town.main_file("alpha", "f.txt") is None


async def test_vanished_branch_is_escalated_not_lost(town: Town) -> None:
    bead = town.bead("Lost", "alpha")
    mr = town.mr("alpha", bead, "polecat/ghost/nowhere", "alpha/polecats/ghost")
    await run_refinery(town)
    assert "BRANCH_MISSING" in town.dispatch.escalations[-1][0]
    assert town.ledger.get(mr.id).status == "blocked"
    assert town.ledger.get(bead.id).status != "closed"


async def test_batch_of_four_with_one_bad_bisects(town: Town) -> None:
    set_gates(town.rig("alpha"), {"test": no_bad_gate()})
    beads = [town.bead(f"Change {i}", "alpha") for i in range(4)]
    mrs = []
    for i, bead in enumerate(beads):
        files = {f"f{i}.txt": f"{i}\n"}
        if i == 1:
            files["BAD"] = "breaks the tests\n"
        branch = town.work("alpha", f"cat{i}", bead.id, files)
        mrs.append(town.mr("alpha", bead, branch, f"alpha/polecats/cat{i}"))
    patrol = await run_refinery(town)
    statuses = [town.ledger.get(m.id).close_reason for m in mrs]
    assert statuses[0] == statuses[2] == statuses[3] == "merged"
    assert statuses[1].startswith("rework: gate test failed")
    assert [town.main_file("alpha", f"f{i}.txt") for i in range(4)] == ["0\n", None, "2\n", "3\n"]
    assert town.main_file("alpha", "BAD") is None
    gate_events = [e for e in _events(town) if e["kind"] == "merge.gates"]
    assert len(gate_events) == 4  # full batch, two bisect probes, the re-stacked remainder
    assert patrol.rig == "alpha"
    assert not [m for m in merge_requests(town.ledger) if m.status != "closed"]


def _events(town: Town) -> list[dict]:
    """Feed events as dicts."""
    from gastown_tui.events import iter_events

    return [{"kind": e.kind, **e.data} for e in iter_events(town.paths.events)]
