"""A whole town run by its patrols: two rigs, the real engine, real PTYs, real git, the scripted runtime.

A five-bead convoy with a cross-rig dependency runs to completion with every change on main: the deacon slings
stranded beads, polecats (scripted agents) do the work and `gt done`, the refinery merges. One merge conflict is
injected (two beta beads edit the same line) and resolved through rework; one agent is killed mid-work and the
witness restarts it with its hook. The Overseer gets the landing mail, and the scheduler's history shows every
patrol. Time is a FakeClock advanced in patrol-sized steps; real subprocess work is awaited by condition.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from gastown_tui.clock import FakeClock
from gastown_tui.convoys import create_convoy
from gastown_tui.engine import Engine
from gastown_tui.events import iter_events
from gastown_tui.ledger import Ledger
from gastown_tui.mail import inbox
from gastown_tui.patrols.state import LedgerStateStore
from gastown_tui.town.config import load_town_config
from gastown_tui.town.install import install_town
from gastown_tui.town.paths import TownPaths
from gastown_tui.town.rigs import add_rig

from .conftest import make_source, set_gates

pytestmark = pytest.mark.slow

GATE = [sys.executable, "-c",
        "import pathlib, sys; sys.exit(1 if any('FAIL' in p.read_text() for p in pathlib.Path('.').glob('*.txt')) "
        "else 0)"]
# Rework-aware: on a second pass (the branch already has its commit) rebase onto main keeping our side.
CONFLICTING = ('```sh\nif [ -n "$(git log --oneline main..HEAD)" ]; then git rebase -q -X theirs main; fi\n'
               'echo {value} > shared.txt\n```\n')


def build(tmp: Path) -> TownPaths:
    """Town with rigs alpha (al) and beta (be), scripted runtime, short patrol intervals, a real gate."""
    town = install_town(tmp / "town", "integration").town
    add_rig(town, "alpha", str(make_source(tmp / "src-alpha", {"README.md": "alpha\n"})), prefix="al")
    add_rig(town, "beta", str(make_source(tmp / "src-beta", {"README.md": "beta\n", "shared.txt": "original\n"})),
            prefix="be")
    config = load_town_config(town)
    config.set("default_runtime", "scripted")
    config.set("patrols.deacon", 60)
    config.set("patrols.witness", 60)
    config.set("patrols.refinery", 30)
    config.save()
    for rig in ("alpha", "beta"):
        set_gates(town.rig(rig), {"test": GATE}, timeout=60)
    return town


def main_file(town: TownPaths, rig: str, name: str) -> str | None:
    """`name` on the rig's main branch."""
    proc = subprocess.run(["git", "show", f"main:{name}"], cwd=town.rig(rig).bare_repo, capture_output=True,
                          text=True)
    return proc.stdout if proc.returncode == 0 else None


def feed(town: TownPaths, kind: str) -> list:
    """Feed events of one kind."""
    return [e for e in iter_events(town.events) if e.kind == kind]


def describe(town: TownPaths, ledger: Ledger, beads: list) -> str:
    """State of the run for a failure message: beads, merge requests, escalations, recent feed."""
    lines = [f"{b.id} {b.status} {b.assignee} {b.close_reason} {(b.metadata or {}).get('merge_request')}"
             for b in (ledger.get(x.id) for x in beads)]
    lines += [f"MR {m.id} {m.status} {m.close_reason} {m.metadata}" for m in
              ledger.list(labels=["gt:merge-request"], include_closed=True)]
    lines += [f"ESC {m.title}: {m.description[:300]}" for m in ledger.list(labels=["gt:escalation"])]
    lines += [f"{e.kind} {e.actor} {e.data}"[:300] for e in list(iter_events(town.events))[-60:]
              if not e.kind.startswith("mol.")]
    return "\n".join(lines)


class Driver:
    """Advances the engine's FakeClock one refinery interval at a time and waits for patrol runs to finish."""

    def __init__(self, engine: Engine, clock: FakeClock, describe: Callable[[], str] = lambda: "") -> None:
        self.engine, self.clock, self.describe = engine, clock, describe

    async def until(self, what: Callable[[], object], label: str, budget_s: float = 300.0,
                    step: float = 30.0) -> object:
        """Step time until `what()` is truthy (real-time budget for the subprocess work in between)."""
        deadline = time.monotonic() + budget_s
        while time.monotonic() < deadline:
            value = what()
            if value:
                return value
            await self.clock.advance(step)
            settle = time.monotonic() + 120
            while any(row.running for row in self.engine.scheduler.status()) and time.monotonic() < settle:
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.3)  # a poll, not a wait for an interval: agents run in real time
        raise AssertionError(f"timed out waiting for: {label}\n{self.describe()}")


async def test_convoy_across_two_rigs_lands_with_rework_and_restart(tmp_path: Path) -> None:
    town = build(tmp_path)
    ledger = Ledger.open(town)
    al_a = ledger.create("Alpha greeting", prefix="al", description="```sh\necho alpha > alpha.txt\n```\n")
    be_a = ledger.create("Beta shared A", prefix="be", description=CONFLICTING.format(value="A"))
    be_b = ledger.create("Beta shared B", prefix="be", description=CONFLICTING.format(value="B"))
    al_b = ledger.create("Alpha uses beta", prefix="al", description="```sh\necho uses-beta > alpha2.txt\n```\n")
    ledger.add_dep(al_b.id, be_a.id)  # cross-rig: alpha work waits for beta's merge
    al_c = ledger.create("Alpha slow", prefix="al",
                         description='```sh\nwhile [ ! -f "$GT_TOWN/.gastown/go-slow" ]; do sleep 0.2; done\n'
                                     'echo slow > slow.txt\n```\n')
    convoy = create_convoy(ledger, "Cross-rig feature", [al_a.id, be_a.id, be_b.id, al_b.id, al_c.id])

    clock = FakeClock(time.time())
    engine = Engine(town, clock, ledger=ledger)
    await engine.start()
    drive = Driver(engine, clock, lambda: describe(town, ledger, [al_a, be_a, be_b, al_b, al_c]))
    try:
        def slow_agent_waiting() -> str | None:
            bead = ledger.get(al_c.id)
            session = engine.sessions.live(bead.assignee) if bead.assignee else None
            if bead.status == "hooked" and session and any("go-slow" in line for line in session.display()):
                return str(bead.assignee)
            return None

        victim = str(await drive.until(slow_agent_waiting, "slow polecat at work"))
        killed = engine.sessions.live(victim)
        os.killpg(killed.pty.pid, signal.SIGKILL)  # the agent and its shell, mid-work
        await drive.until(lambda: feed(town, "witness.restart") and engine.sessions.live(victim) is not None
                          and engine.sessions.live(victim) is not killed, "witness restarts the killed polecat")
        (town.runtime / "go-slow").touch()

        await drive.until(lambda: ledger.get(convoy.id).status == "closed", "convoy lands", step=60)
    finally:
        await engine.stop()

    # every change is on main
    assert main_file(town, "alpha", "alpha.txt") == "alpha\n"
    assert main_file(town, "alpha", "alpha2.txt") == "uses-beta\n"
    assert main_file(town, "alpha", "slow.txt") == "slow\n"
    assert main_file(town, "beta", "shared.txt") in ("A\n", "B\n")
    for bead in (al_a, be_a, be_b, al_b, al_c):
        assert ledger.get(bead.id).close_reason == "merged", bead.id
    # exactly one conflict, resolved through rework by the same polecat
    reworks = feed(town, "merge.rework")
    assert len(reworks) == 1 and reworks[0].data["bead"] in (be_a.id, be_b.id)
    assert "conflict" in reworks[0].data["why"]
    # the killed agent was restarted by the witness and finished
    restarts = [e for e in feed(town, "witness.restart") if e.data["address"] == victim]
    assert restarts and restarts[0].data["bead"] == al_c.id
    # the Overseer heard about it
    mails = [m for m in inbox(ledger, "overseer") if m.subject.startswith("Convoy landed")]
    assert len(mails) == 1 and "Cross-rig feature" in mails[0].subject and "Duration:" in mails[0].body
    # every patrol ran and is in the history
    ran = {h.patrol for h in LedgerStateStore(ledger).history(limit=200)}
    assert ran >= {"deacon", "witness:alpha", "witness:beta", "refinery:alpha", "refinery:beta"}
    ledger.shutdown()
