"""Witness patrol logic: classification, restart with respawn limit, spawn grace, nudges, safe cleanup.

These tests are about the patrol's decisions, so sessions are a small fake `SessionsView` (the real engine is
exercised by the integration test); git, worktrees and the ledger are real.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from gastown_tui import gitops
from gastown_tui.patrols.polecats import DEAD, IDLE, STALLED, WORKING, ZOMBIE, PolecatFacts, Thresholds, classify
from gastown_tui.patrols.runs import PatrolSpec, execute_run
from gastown_tui.patrols.witness import STEPS, WitnessPatrol

from .conftest import Town

T = Thresholds(spawn_grace=60, idle=300, stall=900, respawn_limit=3)


@dataclass
class FakeSessions:
    """Sessions by address: alive flag, start and last-output times on the test clock; records actions."""

    clock: object
    live: dict[str, float] = field(default_factory=dict)      # address -> started_at
    output: dict[str, float] = field(default_factory=dict)
    restarts: list[str] = field(default_factory=list)
    nudges: list[tuple[str, str]] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    dialog_answers: bool = False

    def alive(self, address: str) -> bool:
        return address in self.live

    def started_at(self, address: str) -> float | None:
        return self.live.get(address)

    def last_output_at(self, address: str) -> float | None:
        return self.output.get(address)

    async def restart(self, address: str, *, reason: str) -> None:
        self.restarts.append(address)
        self.live[address] = self.clock.now()

    async def nudge(self, address: str, text: str) -> None:
        self.nudges.append((address, text))

    async def dismiss_dialogs(self, address: str) -> bool:
        self.dialogs.append(address)
        return self.dialog_answers


def facts(**kw) -> PolecatFacts:
    """Facts with defaults for a polecat 'nux'."""
    base = dict(name="nux", address="alpha/polecats/nux", alive=True)
    base.update(kw)
    return PolecatFacts(**base)


def test_classification_table() -> None:
    now = 10_000.0
    assert classify(facts(alive=False, hook="a-1", hook_since=now - 10), now, T)[0] == WORKING  # spawn grace
    assert classify(facts(alive=False, hook="a-1", hook_since=now - 600), now, T)[0] == DEAD
    assert classify(facts(alive=False, dirty=True), now, T)[0] == ZOMBIE
    assert classify(facts(alive=False, branch="polecat/nux/a-1"), now, T)[0] == ZOMBIE
    assert classify(facts(alive=False, branch="polecat/nux/a-1", mr_pending=True), now, T)[0] == IDLE
    assert classify(facts(alive=False, branch="polecat/nux/a-1", merged=True), now, T)[0] == IDLE
    assert classify(facts(started_at=now - 30, hook="a-1"), now, T)[0] == WORKING
    assert classify(facts(started_at=now - 1000, hook="a-1", last_output_at=now - 5), now, T)[0] == WORKING
    # a heartbeat (any gt call) counts as activity even when the screen is quiet
    assert classify(facts(started_at=now - 2000, hook="a-1", last_heartbeat=now - 100), now, T)[0] == WORKING
    assert classify(facts(started_at=now - 2000, hook="a-1", last_output_at=now - 400), now, T)[0] == IDLE
    assert classify(facts(started_at=now - 2000, hook="a-1", last_output_at=now - 1000), now, T)[0] == STALLED
    assert classify(facts(started_at=now - 2000), now, T)[0] == IDLE
    state, reason = classify(facts(alive=None, hook="a-1"), now, T)
    assert "no engine" in reason


async def run_witness(town: Town, sessions: FakeSessions | None) -> None:
    """One witness run."""
    town.ctx.sessions = sessions
    patrol = WitnessPatrol(town.ctx, "alpha", T)
    spec = PatrolSpec("witness:alpha", "mol-witness-patrol", STEPS, patrol.handlers(), town.ctx,
                      actor="alpha/witness", variables={"rig": "alpha"})
    report = await execute_run(town.ledger, spec, events=town.paths.events)
    assert report.result == "ok", report.summary


async def test_dead_polecat_restarted_with_limit_then_escalated(town: Town) -> None:
    sessions = FakeSessions(town.clock)
    bead = town.bead("Work", "alpha")
    town.ledger.update(bead.id, status="hooked", assignee="alpha/polecats/nux")
    await run_witness(town, sessions)
    assert sessions.restarts == []  # just hooked: spawn grace
    for round_ in range(1, 4):
        await town.clock.advance(120)
        sessions.live.clear()  # it crashed again
        await run_witness(town, sessions)
        assert len(sessions.restarts) == round_
    assert town.ledger.get(bead.id).metadata["respawns"] == 3
    await town.clock.advance(120)
    sessions.live.clear()
    await run_witness(town, sessions)
    assert len(sessions.restarts) == 3
    assert "RESPAWN_LIMIT" in town.dispatch.escalations[-1][0]


async def test_idle_with_hook_is_nudged_once_per_window(town: Town) -> None:
    sessions = FakeSessions(town.clock)
    bead = town.bead("Work", "alpha")
    town.ledger.update(bead.id, status="hooked", assignee="alpha/polecats/nux")
    sessions.live["alpha/polecats/nux"] = town.clock.now()
    sessions.output["alpha/polecats/nux"] = town.clock.now()
    await town.clock.advance(400)
    await run_witness(town, sessions)
    assert [a for a, _ in sessions.nudges] == ["alpha/polecats/nux"] and bead.id in sessions.nudges[0][1]
    await town.clock.advance(60)
    await run_witness(town, sessions)
    assert len(sessions.nudges) == 1  # not again so soon
    sessions.dialog_answers = True
    await town.clock.advance(2000)  # now stalled: a start-up dialog gets answered instead
    await run_witness(town, sessions)
    assert sessions.dialogs == ["alpha/polecats/nux"] and len(sessions.nudges) == 1


async def test_cleanup_only_removes_merged_work(town: Town) -> None:
    sessions = FakeSessions(town.clock)
    rig = town.rig("alpha")
    merged_bead = town.bead("Merged", "alpha")
    merged_branch = town.work("alpha", "ace", merged_bead.id, {"a.txt": "a\n"})
    town.mr("alpha", merged_bead, merged_branch, "alpha/polecats/ace")
    # the refinery merged it (fast-forward main) and closed the bead
    sha = gitops.head_sha(rig.polecat("ace"))
    gitops.fast_forward(rig.refinery, "main", sha)
    town.ledger.close(merged_bead.id, reason="merged")
    for mr in town.ledger.list(labels=["gt:merge-request"]):
        town.ledger.close(mr.id, reason="merged")
    unmerged_bead = town.bead("Unmerged", "alpha")
    town.work("alpha", "nux", unmerged_bead.id, {"n.txt": "n\n"})
    town.ledger.update(unmerged_bead.id, status="open", assignee=None)
    dirty_bead = town.bead("Dirty", "alpha")
    town.work("alpha", "rex", dirty_bead.id, {"r.txt": "r\n"})
    (rig.polecat("rex") / "scratch.txt").write_text("uncommitted\n")
    await run_witness(town, sessions)
    assert not rig.polecat("ace").exists()
    assert not gitops.branch_exists(rig, merged_branch)
    assert rig.polecat("nux").exists() and rig.polecat("rex").exists()
    subjects = [s for s, _ in town.dispatch.escalations]
    assert any("ZOMBIE: alpha/polecats/nux" in s for s in subjects)
    assert any("ZOMBIE: alpha/polecats/rex" in s for s in subjects)


async def test_without_engine_nothing_is_touched(town: Town) -> None:
    bead = town.bead("Work", "alpha")
    town.work("alpha", "nux", bead.id, {"n.txt": "n\n"})
    town.ledger.update(bead.id, status="hooked", assignee="alpha/polecats/nux")
    await town.clock.advance(10_000)
    await run_witness(town, None)
    assert town.rig("alpha").polecat("nux").exists()
    assert town.dispatch.escalations == []


def test_wall_timestamps_follow_the_engine_clock(town: Town) -> None:
    wall = time.time()
    assert abs(town.ctx.clock_time(wall) - town.clock.now()) < 5


async def test_hung_session_is_restarted_after_twice_the_stall(town: Town) -> None:
    sessions = FakeSessions(town.clock)
    bead = town.bead("Work", "alpha")
    town.ledger.update(bead.id, status="hooked", assignee="alpha/polecats/nux")
    sessions.live["alpha/polecats/nux"] = town.clock.now()
    await town.clock.advance(1000)  # stalled: nudged, not restarted
    await run_witness(town, sessions)
    assert sessions.restarts == [] and len(sessions.nudges) == 1
    await town.clock.advance(900)  # silent for 2x the stall threshold: hung
    await run_witness(town, sessions)
    assert sessions.restarts == ["alpha/polecats/nux"]
    assert town.ledger.get(bead.id).metadata["respawns"] == 1
