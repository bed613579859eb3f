"""Many processes on one store: nothing lost, no 'database is locked' surfaced, claims exclusive."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

from gastown_tui.errors import Conflict
from gastown_tui.ledger import Ledger
from gastown_tui.town.paths import TownPaths

PROCS = 8
WRITES = 200


def _writer(root: str, worker: int, barrier: Any) -> dict[str, Any]:
    """Do WRITES mixed writes (create/update/label/comment/close) and report what should now be in the store."""
    expect: dict[str, Any] = {"beads": {}, "errors": []}
    barrier.wait()
    try:
        with Ledger.open(Path(root)) as ledger:
            current = None
            for i in range(WRITES):
                op = i % 5
                if op == 0 or current is None:
                    current = ledger.create(f"w{worker} bead {i}", actor=f"agent{worker}", labels=[f"w{worker}"]).id
                    expect["beads"][current] = {"title": f"w{worker} bead {i}", "labels": [f"w{worker}"],
                                                "comments": [], "status": "open"}
                elif op == 1:
                    ledger.update(current, title=f"w{worker} retitled {i}", actor=f"agent{worker}")
                    expect["beads"][current]["title"] = f"w{worker} retitled {i}"
                elif op == 2:
                    ledger.add_label(current, f"l{i}")
                    expect["beads"][current]["labels"].append(f"l{i}")
                elif op == 3:
                    ledger.comment(current, f"comment {i}", author=f"agent{worker}")
                    expect["beads"][current]["comments"].append(f"comment {i}")
                else:
                    ledger.close(current, reason=f"done {i}")
                    expect["beads"][current]["status"] = "closed"
    except Exception as exc:  # reported to the parent, which fails the test with the message
        expect["errors"].append(f"{type(exc).__name__}: {exc}")
    return expect


def _claimer(root: str, bead_id: str, worker: int, barrier: Any) -> str:
    """Race to claim one bead; report 'won' or the Conflict message."""
    with Ledger.open(Path(root)) as ledger:
        barrier.wait()
        try:
            ledger.claim(bead_id, f"agent{worker}")
            return "won"
        except Conflict as exc:
            return f"conflict: {exc}"


def _ready_claimer(root: str, worker: int, barrier: Any) -> list[str]:
    """Keep claiming ready work until none is left; return the ids this worker got."""
    got = []
    with Ledger.open(Path(root)) as ledger:
        barrier.wait()
        while (bead := ledger.ready_claim(f"agent{worker}")) is not None:
            got.append(bead.id)
    return got


def _pool(n: int) -> tuple[Any, Any]:
    ctx = multiprocessing.get_context("spawn")  # no inherited SQLite handles
    return ctx.Pool(n), ctx.Manager()


def test_eight_processes_mixed_writes_lose_nothing(town: TownPaths) -> None:
    # No store yet: the eight processes also race to create the database, switch it to WAL and build the schema.
    pool, manager = _pool(PROCS)
    with pool, manager:
        barrier = manager.Barrier(PROCS)
        results = pool.starmap(_writer, [(str(town.root), w, barrier) for w in range(PROCS)])
    errors = [e for r in results for e in r["errors"]]
    assert errors == []
    with Ledger.open(town) as ledger:
        total = 0
        for result in results:
            for bead_id, want in result["beads"].items():
                bead = ledger.get(bead_id)
                assert bead.title == want["title"]
                assert bead.status == want["status"]
                assert sorted(bead.labels) == sorted(want["labels"])
                assert [c.text for c in bead.comments] == want["comments"]
                total += 1
        assert total == PROCS * WRITES // 5
        events = ledger.store.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
        # Every write left one audit event (labels given at create are part of the create).
        assert events == PROCS * WRITES


def test_eight_processes_race_to_claim_one_bead(town: TownPaths) -> None:
    with Ledger.open(town) as ledger:
        bead_id = ledger.create("the one job").id
    pool, manager = _pool(PROCS)
    with pool, manager:
        barrier = manager.Barrier(PROCS)
        outcomes = pool.starmap(_claimer, [(str(town.root), bead_id, w, barrier) for w in range(PROCS)])
    assert outcomes.count("won") == 1
    losers = [o for o in outcomes if o != "won"]
    assert len(losers) == PROCS - 1 and all("already claimed by agent" in o for o in losers)
    with Ledger.open(town) as ledger:
        winner = ledger.get(bead_id).assignee
        assert f"already claimed by {winner}" in losers[0]


def test_ready_claim_hands_each_bead_to_exactly_one_process(town: TownPaths) -> None:
    with Ledger.open(town) as ledger:
        ids = {ledger.create(f"job {i}", priority=i % 5).id for i in range(40)}
    pool, manager = _pool(4)
    with pool, manager:
        barrier = manager.Barrier(4)
        claimed = pool.starmap(_ready_claimer, [(str(town.root), w, barrier) for w in range(4)])
    flat = [b for got in claimed for b in got]
    assert sorted(flat) == sorted(ids)  # every bead claimed, none twice
