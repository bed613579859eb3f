"""`gt sling` killed (SIGKILL) at each of its write steps, and at random delays: the ledger, git and the filesystem
hold either nothing of the sling or all of it, and the engine's start repairs what a kill left half-made. Real
`gt` subprocesses, real git worktrees, an in-process engine (scripted runtime, no patrols, no socket)."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from gastown_tui.agents.sling import sling
from gastown_tui.clock import FakeClock
from gastown_tui.engine import Engine
from gastown_tui.events import iter_events
from tests.drills.leftovers import sling_outcome, worktrees_for

STEPS = ("sling:reserved", "sling:journalled", "sling:worktree", "sling:committed")
CODE = "from gastown_tui.cli.main import run; import sys; sys.exit(run('gt', sys.argv[1:]))"


def gt_sling(town, bead_id: str, fault: str = "") -> subprocess.Popen:
    """`gt sling BEAD app` as a subprocess (GT_FAULT set to kill it at `fault`)."""
    env = dict(os.environ, GT_TOWN=str(town.root), GT_FAULT=fault)
    return subprocess.Popen([sys.executable, "-c", CODE, "sling", bead_id, "app"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


async def start_and_stop_engine(town, ledger) -> list[str]:
    """Start the engine (its start repairs half-made slings and recovers hooked agents), then stop it; returns
    the addresses it started."""
    engine = Engine(town, FakeClock(time.time()), ledger=ledger, patrols=False, control=False)
    await engine.start()
    try:
        await asyncio.sleep(0.2)
        return [s.address.__str__() for s in engine.sessions.all()]
    finally:
        await engine.stop()


@pytest.mark.parametrize("step", STEPS)
async def test_sling_killed_at_each_write_step_leaves_nothing_or_everything(town, ledger, step) -> None:
    bead = ledger.create("Fault job", prefix="ap", description="A job.")
    proc = gt_sling(town, bead.id, step)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL, err.decode()[-2000:]
    expected = "complete" if step == "sling:committed" else "open"
    assert ledger.get(bead.id).status == ("hooked" if expected == "complete" else "open")  # never stranded
    started = await start_and_stop_engine(town, ledger)
    assert sling_outcome(town, ledger, bead.id) == expected
    repairs = [e for e in iter_events(town.events, {"repair.sling"}) if e.data.get("bead") == bead.id]
    if expected == "open":
        assert len(repairs) == 1  # said in the feed
        assert not worktrees_for(town, "app", bead.id)
        again = sling(town, ledger, bead.id, "app", actor="overseer", start=False)  # the work can still be slung
        assert sling_outcome(town, ledger, again.bead_id) == "complete"
    else:
        assert not repairs and started == [ledger.get(bead.id).assignee]  # recover started the hooked agent


@pytest.mark.slow
async def test_25_slings_killed_at_random_delays_strand_nothing(town, ledger) -> None:
    rng = random.Random(1825)
    t0 = time.monotonic()
    first = ledger.create("Timing job", prefix="ap")
    gt_sling(town, first.id).wait(120)
    full = time.monotonic() - t0
    beads = []
    for n in range(25):
        bead = ledger.create(f"Killed job {n}", prefix="ap")
        proc = gt_sling(town, bead.id)
        await asyncio.sleep(rng.uniform(0.05, full * 1.1))
        proc.send_signal(signal.SIGKILL)
        proc.wait(60)
        beads.append(bead.id)
    await start_and_stop_engine(town, ledger)
    outcomes = [sling_outcome(town, ledger, b) for b in beads]  # raises on any stranded or half-made sling
    print(f"sling {full:.2f}s; outcomes: {outcomes.count('open')} open, {outcomes.count('complete')} complete")
    assert len(outcomes) == 25
