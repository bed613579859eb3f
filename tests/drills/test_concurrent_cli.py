"""Thirty processes hammering the ledger through the real CLI at once (create, update, comment, label, close, and
a shared bead everybody comments on and labels): no lost write, no 'database is locked', a consistent export."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gastown_tui.ledger import Ledger
from gastown_tui.town.paths import TownPaths
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.slow
WORKERS = 30


def test_thirty_processes_lose_no_write(bare_town: TownPaths) -> None:
    with Ledger.open(bare_town) as ledger:
        shared = ledger.create("Shared bead", prefix="hq").id
    env = {**os.environ, "GT_TOWN": str(bare_town.root), "PYTHONPATH": str(REPO_ROOT)}
    go = bare_town.root / "go"
    # Each worker imports first, then waits for the same start signal, so the commands really overlap.
    code = ("import sys, time, pathlib; from tests.drills import hammer_worker as w; "
            f"p = pathlib.Path({str(go)!r})\nwhile not p.exists(): time.sleep(0.01)\nw.main(int(sys.argv[1]), sys.argv[2])")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(n), shared], env=env, cwd=REPO_ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in range(WORKERS)]
    time.sleep(1.0)
    go.touch()
    results = [p.communicate(timeout=180) for p in procs]
    failures = [(n, err) for n, (p, (_out, err)) in enumerate(zip(procs, results)) if p.returncode != 0]
    assert not failures, failures[:3]
    ids = [json.loads(out.strip().splitlines()[-1]) for out, _err in results]

    with Ledger.open(bare_town) as ledger:
        for n, made in enumerate(ids):
            actor = f"worker-{n}"
            first, second = ledger.get(made["first"]), ledger.get(made["second"])
            assert (first.title, first.status, first.assignee) == (f"Work of {actor}", "closed", actor)
            assert first.close_reason == f"done by {actor}"
            assert [c.text for c in first.comments] == [f"note from {actor}"]
            assert (second.priority, second.notes) == (1, f"notes by {actor}")
        everyone = ledger.get(shared)
        assert sorted(c.text for c in everyone.comments) == sorted(f"shared note from worker-{n}"
                                                                   for n in range(WORKERS))
        assert set(everyone.labels) == {f"w{n}" for n in range(WORKERS)}
        assert len({i for made in ids for i in made.values()}) == 2 * WORKERS  # no id handed out twice
        ledger.export_jsonl()
    lines = Path(bare_town.jsonl_for_prefix("hq")).read_text().splitlines()
    assert len(lines) == 2 * WORKERS + 1
