"""`gt done`, `gt handoff` and `gt convoy create` SIGKILLed at each write step: each leaves all of its ledger
changes or none, and what is left is completed by the normal path (the engine restarts the hooked agent, which
runs `gt done` again). Real `gt` subprocesses, real git; an in-process engine with the scripted runtime."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from gastown_tui.agents.pending import pending_ops
from gastown_tui.agents.sling import sling
from gastown_tui.clock import FakeClock
from gastown_tui.engine import Engine
from gastown_tui.records import (
    LABEL_CONVOY,
    LABEL_HANDOFF,
    LABEL_MERGE_REQUEST,
    parse_address,
)
from tests.agents.conftest import async_wait_until

CODE = "from gastown_tui.cli.main import run; import sys; sys.exit(run('gt', sys.argv[1:]))"


def gt(town, *args: str, agent: str = "", fault: str = "") -> subprocess.CompletedProcess[str]:
    """`gt ARGS` as a subprocess (as `agent`), killed at `fault`."""
    env = dict(os.environ, GT_TOWN=str(town.root), GT_FAULT=fault)
    if agent:
        env.update(GT_AGENT=agent, BD_ACTOR=agent)
    return subprocess.run([sys.executable, "-c", CODE, *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def merge_requests(ledger, bead_id: str) -> list:
    """Merge requests for `bead_id`."""
    return [m for m in ledger.list(labels=[LABEL_MERGE_REQUEST], include_closed=True)
            if (m.metadata or {}).get("source_issue") == bead_id]


@pytest.mark.parametrize("step", ["done:committed", "done:pushed", "done:recorded"])
async def test_done_killed_at_each_step(town, ledger, step) -> None:
    bead = ledger.create("Finish me", prefix="ap")
    address = sling(town, ledger, bead.id, "app", actor="overseer", start=False).address
    tree = town.rig("app").polecat(parse_address(address).name)
    (tree / "work.txt").write_text("work\n")  # uncommitted: gt done commits it
    killed = gt(town, "done", agent=address, fault=step)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    after = ledger.get(bead.id)
    if step == "done:recorded":  # the ledger side committed: one MR, hook released; a rerun has nothing to do
        assert after.status == "in_progress" and len(merge_requests(ledger, bead.id)) == 1
        rerun = gt(town, "done", agent=address)
        assert rerun.returncode == 1 and len(rerun.stderr.strip().splitlines()) == 1
        assert len(merge_requests(ledger, bead.id)) == 1
        return
    assert after.status == "hooked" and not merge_requests(ledger, bead.id)  # nothing half-recorded
    engine = Engine(town, FakeClock(time.time()), ledger=ledger, patrols=False, control=False)
    await engine.start()  # recover restarts the hooked agent; the scripted agent runs `gt done` again
    try:
        await async_wait_until(lambda: ledger.get(bead.id).status == "in_progress", 90)
    finally:
        await engine.stop()
    assert len(merge_requests(ledger, bead.id)) == 1  # exactly once, with the work committed before the kill


def test_handoff_killed_mid_transaction_leaves_nothing(town, ledger) -> None:
    bead = ledger.create("Hand me off", prefix="ap")
    address = sling(town, ledger, bead.id, "app", actor="overseer", start=False).address
    killed = gt(town, "handoff", "-m", "notes", agent=address, fault="handoff:written")
    assert killed.returncode == -signal.SIGKILL
    assert not ledger.list(labels=[LABEL_HANDOFF], assignee=address, status="pinned")
    assert not [op for op in pending_ops(ledger) if op.op == "restart" and op.address == address]
    done = gt(town, "handoff", "-m", "notes", agent=address)
    assert done.returncode == 0, done.stderr
    assert len(ledger.list(labels=[LABEL_HANDOFF], assignee=address, status="pinned")) == 1
    assert len([op for op in pending_ops(ledger) if op.op == "restart" and op.address == address]) == 1
    assert ledger.get(bead.id).status == "hooked"  # the hook is never touched by a handoff


def test_convoy_create_killed_mid_transaction_leaves_nothing(town, ledger) -> None:
    beads = [ledger.create(f"Part {n}", prefix="ap").id for n in range(3)]
    before = len(ledger.list(labels=[LABEL_CONVOY], include_closed=True))
    killed = gt(town, "convoy", "create", "Feature", *beads, fault="convoy:created")
    assert killed.returncode == -signal.SIGKILL
    assert len(ledger.list(labels=[LABEL_CONVOY], include_closed=True)) == before
    made = gt(town, "convoy", "create", "Feature", *beads)
    assert made.returncode == 0, made.stderr
    assert len(ledger.list(labels=[LABEL_CONVOY], include_closed=True)) == before + 1
    missing = gt(town, "convoy", "create", "Broken", beads[0], "ap-nope")
    assert missing.returncode == 1 and len(missing.stderr.strip().splitlines()) == 1
    assert len(ledger.list(labels=[LABEL_CONVOY], include_closed=True)) == before + 1
