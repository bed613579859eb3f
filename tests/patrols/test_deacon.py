"""Deacon patrol: convoy landing mail only after merge, stranded beads slung within capacity, GC, commit, orphans."""

from __future__ import annotations

import subprocess
import time

from gastown_tui.convoys import create_convoy
from gastown_tui.patrols.deacon import STEPS, DeaconPatrol
from gastown_tui.patrols.runs import PatrolSpec, execute_run
from gastown_tui.records import LABEL_MERGE_REQUEST

from .conftest import Town


async def run_deacon(town: Town, **kw) -> DeaconPatrol:
    """One deacon run."""
    patrol = DeaconPatrol(town.ctx, **kw)
    spec = PatrolSpec("deacon", "mol-deacon-patrol", STEPS, patrol.handlers(), town.ctx, actor="deacon/")
    report = await execute_run(town.ledger, spec, events=town.paths.events)
    assert report.result == "ok", report.summary
    return patrol


async def test_convoy_lands_only_after_merge_and_mails_overseer(town: Town) -> None:
    a, b = town.bead("A", "alpha"), town.bead("B", "alpha")
    convoy = create_convoy(town.ledger, "Pair", [a.id, b.id])
    town.ledger.update(a.id, status="in_progress", assignee="alpha/polecats/ace")
    town.ledger.update(b.id, status="in_progress", assignee="alpha/polecats/nux")
    town.ledger.close(a.id, reason="merged")
    mr = town.ledger.create(f"Merge: {b.id}", issue_type="merge-request", labels=[LABEL_MERGE_REQUEST],
                            metadata={"source_issue": b.id, "rig": "alpha", "branch": "x"})
    town.ledger.close(b.id, reason="done early")  # closed, but its MR has not merged
    await run_deacon(town, max_polecats=4)
    assert town.ledger.get(convoy.id).status == "open"
    assert not [m for m in town.dispatch.mails if m[0] == "overseer"]
    town.ledger.close(mr.id, reason="merged")
    await run_deacon(town, max_polecats=4)
    assert town.ledger.get(convoy.id).status == "closed"
    to, subject, body = [m for m in town.dispatch.mails if m[0] == "overseer"][0]
    assert "Convoy landed: Pair" in subject and "Duration:" in body and a.id in body and b.id in body


async def test_stranded_beads_slung_within_capacity(town: Town) -> None:
    beads = [town.bead(f"Task {i}", "alpha") for i in range(3)]
    blocked = town.bead("Later", "alpha")
    town.ledger.add_dep(blocked.id, beads[0].id)
    create_convoy(town.ledger, "Three", [*[b.id for b in beads], blocked.id])
    town.ledger.update(town.bead("Busy", "alpha").id, status="hooked", assignee="alpha/polecats/busy")
    town.dispatch.sling_fn = lambda bead_id, rig: _hook(town, bead_id, rig)
    await run_deacon(town, max_polecats=3)  # one polecat already busy: room for two
    assert [s[0] for s in town.dispatch.slung] == [beads[0].id, beads[1].id]
    root = town.ledger.list(labels=["patrol:deacon"], include_closed=True, ephemeral=True)[0]
    assert root.metadata["state"]["queued"] == [beads[2].id]
    assert blocked.id not in [s[0] for s in town.dispatch.slung]


def _hook(town: Town, bead_id: str, rig: str) -> str:
    """Stand-in sling: hook onto a polecat named after the bead."""
    address = f"{rig}/polecats/p{len(town.dispatch.slung)}"
    town.ledger.update(bead_id, status="hooked", assignee=address)
    return address


async def test_wisp_gc_and_ledger_commit(town: Town) -> None:
    town.bead("Persistent work", "alpha")
    old = town.ledger.create("old wisp", ephemeral=True)
    town.ledger.close(old.id, reason="done")
    with town.ledger.transaction() as conn:  # age it: last touched eight days ago
        conn.execute("UPDATE issues SET updated_unix = ? WHERE id = ?", (time.time() - 8 * 86400, old.id))
    fresh = town.ledger.create("fresh wisp", ephemeral=True)
    await run_deacon(town, max_polecats=2)
    assert town.ledger.exists(fresh.id)
    assert not town.ledger.exists(old.id)
    log = subprocess.run(["git", "log", "--oneline", "-1"], cwd=town.paths.root, capture_output=True, text=True)
    assert "ledger: deacon patrol" in log.stdout
    assert list(town.paths.beads_dir.glob("*.jsonl"))


async def test_orphan_directory_reported_not_deleted(town: Town) -> None:
    stray = town.rig("alpha").polecats / "stray"
    stray.mkdir()
    (stray / "notes.txt").write_text("keep me\n")
    await run_deacon(town, max_polecats=2)
    assert (stray / "notes.txt").exists()
    assert any("ORPHANS" in s and "stray" in s for s, _ in town.dispatch.escalations)
