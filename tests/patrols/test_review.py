"""review = "human": green MRs wait; approve lands them on the next run; reject is rework with the note. Plus
`gt mq` as a real subprocess and the typed detail/diff data the Queue tab and diff view are built from."""

from __future__ import annotations

import json

from gastown_tui.errors import Conflict
from gastown_tui.patrols.review import (
    approve,
    get_mr,
    list_merge_requests,
    mr_diff,
    polecat_diff,
    reject,
)
from gastown_tui.town.config import load_rig_config
from tests.conftest import run_cli

from .conftest import Town, set_gates
from .test_refinery import PY as PY_NAME, no_bad_gate, run_refinery


def human_review(town: Town) -> None:
    """Switch rig alpha to review = "human" with a real gate."""
    set_gates(town.rig("alpha"), {"test": no_bad_gate()})
    config = load_rig_config(town.rig("alpha"))
    config.set("review", "human")
    config.save()


def gt(town: Town, *args: str) -> str:
    """Run gt in the town; fail the test on a non-zero exit."""
    proc = run_cli(*args, cwd=town.paths.root)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    return proc.stdout


async def test_green_mr_waits_for_review_and_approve_lands_it(town: Town) -> None:
    human_review(town)
    bead = town.bead("Add greeting", "alpha", acceptance_criteria="hello.txt says hello")
    branch = town.work("alpha", "nux", bead.id, {"hello.txt": "hello\n"})
    mr = town.mr("alpha", bead, branch, "alpha/polecats/nux")
    await run_refinery(town)
    assert town.main_file("alpha", "hello.txt") is None  # gates green, but nothing lands without review
    detail = get_mr(town.ledger, town.paths, mr.id)
    assert (detail.state, detail.gates.result, detail.review) == ("awaiting-review", "pass", "human")
    assert detail.bead_title == "Add greeting" and detail.acceptance == "hello.txt says hello"
    to, subject, body = town.dispatch.mails[-1]
    assert to == "overseer" and subject == f"Review: {bead.id} (alpha)" and f"gt mq approve {mr.id}" in body
    await run_refinery(town)  # still waiting: a patrol run alone never lands unreviewed work (nor mails again)
    assert town.main_file("alpha", "hello.txt") is None and town.ledger.get(mr.id).status == "in_progress"
    assert sum(1 for m in town.dispatch.mails if m[1].startswith("Review:")) == 1

    diff = mr_diff(town.paths, detail)
    assert [(f.path, f.added, f.removed) for f in diff.files] == [("hello.txt", 1, 0)]
    assert "+hello" in diff.text and diff.text.startswith("diff --git a/hello.txt b/hello.txt")
    assert polecat_diff(town.paths, "alpha", "nux").files == diff.files
    (town.rig("alpha").polecat("nux") / "draft.txt").write_text("one\ntwo\n")  # not yet added: still shown
    live = polecat_diff(town.paths, "alpha", "nux")
    assert [(f.path, f.added) for f in live.files] == [("hello.txt", 1), ("draft.txt", 2)]
    assert "+++ b/draft.txt" in live.text and "+two" in live.text
    (town.rig("alpha").polecat("nux") / "draft.txt").unlink()

    approved = approve(town.ledger, town.paths, mr.id)
    assert approved.state == "approved"
    await run_refinery(town)
    assert town.main_file("alpha", "hello.txt") == "hello\n"
    assert town.ledger.get(mr.id).close_reason == "merged" and town.ledger.get(bead.id).status == "closed"


async def test_reject_sends_rework_with_the_note(town: Town) -> None:
    human_review(town)
    bead = town.bead("Add greeting", "alpha")
    branch = town.work("alpha", "nux", bead.id, {"hello.txt": "hi\n"})
    mr = town.mr("alpha", bead, branch, "alpha/polecats/nux")
    await run_refinery(town)
    outcome = reject(town.ctx, mr.id, "Say 'hello', not 'hi'.")
    assert outcome == "re-hooked to alpha/polecats/nux"
    assert town.ledger.get(mr.id).close_reason == "rework: rejected in review"
    to, subject, body = town.dispatch.mails[-1]
    assert to == "alpha/polecats/nux" and "REWORK_REQUEST" in subject and "Say 'hello', not 'hi'." in body
    assert town.ledger.get(bead.id).status == "hooked" and town.main_file("alpha", "hello.txt") is None
    try:
        approve(town.ledger, town.paths, mr.id)
    except Conflict as exc:
        assert "not awaiting review" in str(exc)
    else:
        raise AssertionError("approving a rejected MR must be refused")


async def test_mq_cli_list_show_approve_reject(town: Town) -> None:
    human_review(town)
    beads = [town.bead(f"Feature {i}", "alpha") for i in range(2)]
    mrs = []
    for i, bead in enumerate(beads):
        branch = town.work("alpha", f"p{i}", bead.id, {f"f{i}.txt": f"{i}\n"})
        mrs.append(town.mr("alpha", bead, branch, f"alpha/polecats/p{i}"))
    set_gates(town.rig("alpha"), {"test": no_bad_gate()})
    await run_refinery(town)
    rows = json.loads(gt(town, "mq", "list", "--json"))
    assert {r["id"]: r["state"] for r in rows} == {m.id: "awaiting-review" for m in mrs}
    assert all(r["land_mode"] == "local" and r["gates"]["result"] == "pass" for r in rows)
    text = gt(town, "mq", "show", mrs[0].id, "--diff")
    assert "+1 -0  f0.txt" in text and "+0" in text and "awaiting-review" in text
    live = gt(town, "mq", "show", "alpha/polecats/p1", "--diff")
    assert "+1 -0  f1.txt" in live and "+1\n" in live and "work in progress" in live
    assert "Approved" in gt(town, "mq", "approve", mrs[0].id)
    assert "Rejected" in gt(town, "mq", "reject", mrs[1].id, "-m", "split this into two commits")
    assert "split this into two commits" in town.ledger.list(labels=["gt:message"])[-1].description
    bad = run_cli("mq", "approve", mrs[1].id, cwd=town.paths.root)
    assert bad.returncode != 0 and "not awaiting review" in bad.stderr and "Traceback" not in bad.stderr
    await run_refinery(town)
    assert town.main_file("alpha", "f0.txt") == "0\n" and town.main_file("alpha", "f1.txt") is None
    rows = list_merge_requests(town.ledger, town.paths, include_closed=True)
    assert sorted(r.state for r in rows) == ["merged", "rework"]


async def test_queue_rows_carry_the_failing_gate_tail_and_conflicting_files(town: Town) -> None:
    set_gates(town.rig("alpha"), {"test": no_bad_gate()})
    red = town.bead("Buggy", "alpha")
    red_mr = town.mr("alpha", red, town.work("alpha", "nux", red.id, {"BAD": "x\n"}), "alpha/polecats/nux")
    first, second = town.bead("First", "alpha"), town.bead("Second", "alpha")
    town.mr("alpha", first, town.work("alpha", "ace", first.id, {"app.txt": "line1\nACE\nline3\n"}),
            "alpha/polecats/ace")
    clash = town.mr("alpha", second, town.work("alpha", "max", second.id, {"app.txt": "line1\nMAX\nline3\n"}),
                    "alpha/polecats/max")
    await run_refinery(town)
    rows = {r.id: r for r in list_merge_requests(town.ledger, town.paths, include_closed=True)}
    failed = rows[red_mr.id]
    assert (failed.state, failed.gates.result, failed.gates.gate) == ("rework", "fail", "test")
    assert failed.gates.tail.endswith("[exit status 1]") and failed.gates.command.startswith(PY_NAME)
    assert (rows[clash.id].gates.result, rows[clash.id].gates.files) == ("conflict", ("app.txt",))
    assert rows[red_mr.id].state == "rework" and town.main_file("alpha", "app.txt") == "line1\nACE\nline3\n"


async def test_switching_review_off_lets_waiting_mrs_land(town: Town) -> None:
    human_review(town)
    bead = town.bead("Add greeting", "alpha")
    mr = town.mr("alpha", bead, town.work("alpha", "nux", bead.id, {"hello.txt": "hello\n"}), "alpha/polecats/nux")
    await run_refinery(town)
    assert get_mr(town.ledger, town.paths, mr.id).state == "awaiting-review"
    config = load_rig_config(town.rig("alpha"))
    config.set("review", "none")
    config.save()
    await run_refinery(town)
    assert town.ledger.get(mr.id).close_reason == "merged" and town.main_file("alpha", "hello.txt") == "hello\n"
