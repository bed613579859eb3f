"""SIGKILL the engine in the middle of a 30-agent run, restart it: no bead lost, none assigned twice, every hook
resumed. Real engine process, real PTYs, real git, the scripted runtime; beads are one-line shell jobs, two thirds
of them held at a gate so the kill finds agents both finishing (`gt done` in flight) and waiting. Two rigs of 15:
a rig has only 28 polecat names (gastown_tui/data/polecat_names.txt)."""

from __future__ import annotations

import collections
import signal
import time

import pytest

from gastown_tui.agents.sling import sling
from gastown_tui.events import iter_events
from gastown_tui.records import LABEL_MERGE_REQUEST
from gastown_tui.town.config import load_town_config
from gastown_tui.town.rigs import add_rig
from tests.agents.conftest import EngineProcess, gated_bead, make_source, wait_until

pytestmark = pytest.mark.slow
AGENTS = 30
UNGATED = 10


def starts(town) -> list:
    """Every session.start event so far."""
    return list(iter_events(town.events, {"session.start"}))


def merge_requests(ledger) -> list:
    """All merge-request beads, open or closed."""
    return ledger.list(labels=[LABEL_MERGE_REQUEST], include_closed=True)


def test_sigkill_engine_mid_run_loses_nothing(town, ledger, tmp_path) -> None:
    config = load_town_config(town)
    config.set("scheduler.max_polecats", AGENTS + 5)
    config.save()
    add_rig(town, "web", str(make_source(tmp_path / "src-web")), prefix="wb")
    beads = [ledger.create(f"Quick {n}", prefix=("ap", "wb")[n % 2],
                           description=f"```sh\necho {n} > quick.txt\n```\n") for n in range(UNGATED)]
    for n in range(AGENTS - UNGATED):
        gated = gated_bead(ledger, f"Gated {n}", output="gated.txt")
        if n % 2:  # gated_bead makes `ap` beads; move every other one to the web rig with the same script
            gated = ledger.create(gated.title, prefix="wb", description=gated.description)
        beads.append(gated)
    rig_of = {b.id: "app" if b.id.startswith("ap-") else "web" for b in beads}
    engine = EngineProcess(town, tmp_path / "engine1.log").start()
    try:
        holders = {b.id: sling(town, ledger, b.id, rig_of[b.id], actor="overseer").address for b in beads}
        # A polecat that already finished a quick bead is free and may be given a later one (by design).
        assert len(holders) == AGENTS
        wait_until(lambda: {e.data["address"] for e in starts(town)} >= set(holders.values()), 120)
        wait_until(lambda: len(merge_requests(ledger)) >= 3, 120)  # some agents are done, others mid-flight
        engine.kill(signal.SIGKILL)
    finally:
        engine.stop()
    killed_at = time.time()
    hooked_at_kill = {b.id: b.assignee for b in (ledger.get(x) for x in holders) if b.status == "hooked"}
    assert hooked_at_kill, "the kill came too late to test resumption"
    for bead_id, agent in hooked_at_kill.items():
        assert agent == holders[bead_id]  # the hook survived the crash, on the same agent

    engine = EngineProcess(town, tmp_path / "engine2.log").start()
    try:
        def resumed() -> set[str]:
            return {e.data["address"] for e in starts(town) if e.ts >= killed_at and e.data.get("resumed")}

        wait_until(lambda: resumed() >= set(hooked_at_kill.values()), 120)
        (town.runtime / "go").touch()
        wait_until(lambda: {m.metadata.get("source_issue") for m in merge_requests(ledger)} >= set(holders), 240)
    finally:
        engine.stop()

    mrs = merge_requests(ledger)
    per_bead = collections.Counter(m.metadata["source_issue"] for m in mrs)
    assert per_bead == {b: 1 for b in holders}, per_bead  # no bead lost, none merge-requested twice
    assert {m.metadata["source_issue"]: m.metadata["worker"] for m in mrs} == holders  # none reassigned
    for bead_id in holders:
        bead = ledger.get(bead_id)
        assert bead.status != "hooked" and bead.metadata.get("merge_request"), (bead_id, bead.status)
    for agent in holders.values():
        assert not ledger.list(status="hooked", assignee=agent)
