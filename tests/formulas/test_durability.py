"""The article's 20-step release survives crashes: a walker is SIGKILLed 20 times at random points and restarted.

Every run must end with all 20 steps closed exactly once, in dependency order, with each transition in the feed.
The walker sleeps inside its transactions too, so kills land mid-write as well as between writes.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time

import gastown_tui.formulas as F
from gastown_tui.events import iter_events
from gastown_tui.ledger import Ledger
from gastown_tui.ledger.model import to_unix
from gastown_tui.town.paths import TownPaths

WALKER = r'''
import sys, time
from gastown_tui.ledger import Ledger
from gastown_tui.formulas import claim_step, current_step, step_done

town, mol, actor = sys.argv[1:4]
ledger = Ledger.open(town)
for name in ("claim", "close"):  # widen the window between a write and its commit
    real = getattr(ledger, name)
    def slow(*args, _real=real, **kwargs):
        time.sleep(0.01)
        out = _real(*args, **kwargs)
        time.sleep(0.01)
        return out
    setattr(ledger, name, slow)
print("ready", flush=True)
while True:
    step = current_step(ledger, mol, actor)
    if step is None:
        break
    time.sleep(0.02)
    claim_step(ledger, mol, step.bead_id, actor)
    time.sleep(0.02)
    step_done(ledger, mol, step.bead_id, actor)
'''

KILLS = 20


def _start(town: TownPaths, mol_id: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", WALKER, str(town.root), mol_id, "walker"],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    return proc


def test_release_survives_twenty_random_kills(town: TownPaths) -> None:
    started = time.monotonic()
    with Ledger.open(town) as ledger:
        mol_id = F.pour(ledger, "release", {"version": "3.1.4"}, actor="overseer").id
    rng = random.Random(20)
    kills = 0
    finished = False
    while kills < KILLS and not finished:
        proc = _start(town, mol_id)
        time.sleep(rng.uniform(0.0, 0.12))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            kills += 1
        else:
            finished = proc.wait() == 0
    assert kills == KILLS, "the walker finished before it could be killed 20 times"
    with Ledger.open(town) as ledger:
        done_while_killing = F.molecule_status(ledger, mol_id).counts()["done"]
    assert done_while_killing > 0  # the killed walkers made progress, which the restarts resumed
    proc = _start(town, mol_id)
    assert proc.wait(timeout=60) == 0

    with Ledger.open(town) as ledger:
        mol = F.molecule_status(ledger, mol_id)
        assert len(mol.steps) == 20 and mol.complete and ledger.get(mol_id).status == "closed"
        by_step = {s.step_id: s for s in mol.steps}
        for step in mol.steps:
            closes = [e for e in ledger.audit(step.bead_id) if e.event_type == "closed"]
            assert len(closes) == 1, f"{step.step_id} closed {len(closes)} times"
            bead = ledger.get(step.bead_id)
            for need in step.needs:  # dependency order: started only after every need closed
                need_closed = to_unix(by_step[need].closed_at)
                assert to_unix(bead.started_at) >= need_closed, (step.step_id, need)
                assert to_unix(bead.closed_at) >= need_closed
    events = [e for e in iter_events(town.events) if e.kind.startswith("mol.") and e.data.get("mol") == mol_id]
    kinds = [e.kind for e in events]
    assert kinds.count("mol.poured") == 1 and kinds.count("mol.completed") == 1
    first_done: dict[str, int] = {}
    for index, event in enumerate(events):
        if event.kind == "mol.step_done":
            first_done.setdefault(event.data["step_id"], index)
    claimed = {e.data["step_id"] for e in events if e.kind == "mol.step_claimed"}
    assert set(first_done) == set(by_step) == claimed  # every transition is in the feed
    for step in mol.steps:
        for need in step.needs:
            assert first_done[need] < first_done[step.step_id]
    assert time.monotonic() - started < 60
