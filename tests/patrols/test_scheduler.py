"""Scheduler with FakeClock: intervals, pause/resume (persisted), run-now, history, crash resume at the open step."""

from __future__ import annotations

import asyncio

from gastown_tui.clock import FakeClock
from gastown_tui.engine.scheduler import RunReport, Scheduler
from gastown_tui.patrols.runs import PatrolSpec, execute_run
from gastown_tui.patrols.state import LedgerStateStore
from gastown_tui.patrols.wisp import find_open_run, ordered_steps, step_id_of

from .conftest import Town


async def settle() -> None:
    """Let woken tasks run (no real time passes)."""
    for _ in range(20):
        await asyncio.sleep(0)


async def test_runs_on_interval() -> None:
    clock = FakeClock()
    sched = Scheduler(clock)
    runs: list[float] = []

    async def run() -> RunReport:
        runs.append(clock.now())
        return RunReport(summary="ok")

    sched.register("p", 60, run)
    await sched.start()
    await clock.advance(59)
    assert runs == []
    await clock.advance(1)
    await settle()
    assert len(runs) == 1
    await clock.advance(60 * 3)
    await settle()
    assert len(runs) == 4
    assert [round(b - a) for a, b in zip(runs, runs[1:])] == [60, 60, 60]
    await sched.stop()


async def test_pause_resume_and_run_now_with_persisted_state(town: Town) -> None:
    clock = town.clock
    sched = Scheduler(clock, LedgerStateStore(town.ledger))
    count = 0

    async def run() -> RunReport:
        nonlocal count
        count += 1
        return RunReport(summary=f"run {count}")

    sched.register("witness:alpha", 30, run)
    await sched.start()
    # another process (the CLI) pauses through its own store on the same ledger
    LedgerStateStore(town.ledger).set_paused("witness:alpha", True)
    await clock.advance(100)
    await settle()
    assert count == 0
    assert sched.status()[0].paused
    outcome = await sched.run_now("witness:alpha")  # run-now works while paused
    assert count == 1 and outcome.summary == "run 1"
    sched.resume("witness:alpha")
    await clock.advance(30)
    await settle()
    assert count == 2
    history = LedgerStateStore(town.ledger).history("witness:alpha")
    assert [h.summary for h in history] == ["run 1", "run 2"]
    row = sched.status()[0]
    assert row.last_result == "ok" and not row.paused and row.next_run == clock.now() + 30
    await sched.stop()


async def test_failing_run_is_recorded_and_scheduler_goes_on() -> None:
    clock = FakeClock()
    sched = Scheduler(clock)
    calls = 0

    async def run() -> RunReport:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("boom")
        return RunReport()

    sched.register("p", 10, run)
    await sched.start()
    await settle()  # let the loop task reach its first sleep
    await clock.advance(20)
    await settle()
    assert [h.result for h in sched.history("p")] == ["error", "ok"]
    assert "boom" in sched.history("p")[0].summary
    await sched.stop()


async def test_crash_mid_run_resumes_at_open_step(town: Town) -> None:
    calls: list[str] = []
    gate = asyncio.Event()

    def first(run) -> str:
        calls.append("first")
        run.data["found"] = 3
        return "found 3"

    async def second(run) -> str:
        calls.append("second")
        if not gate.is_set():
            await asyncio.Event().wait()  # hangs: the engine is killed here
        return f"used {run.data['found']}"

    def third(run) -> str:
        calls.append("third")
        return "done"

    spec = PatrolSpec("deacon", "mol-test-patrol", ["a", "b", "c"], {"a": first, "b": second, "c": third},
                      None)
    sched = Scheduler(town.clock, LedgerStateStore(town.ledger))
    sched.register("deacon", 60, lambda: execute_run(town.ledger, spec, use_formulas=False))
    await sched.start()
    await town.clock.advance(60)
    for _ in range(200):
        await asyncio.sleep(0.01)
        if calls == ["first", "second"]:
            break
    await sched.stop()  # the "crash": the run is cancelled inside step b
    root = find_open_run(town.ledger, "deacon")
    assert root is not None
    states = {step_id_of(s): s.status for s in ordered_steps(town.ledger, root.id)}
    assert states == {"a": "closed", "b": "in_progress", "c": "open"}

    gate.set()
    sched2 = Scheduler(town.clock, LedgerStateStore(town.ledger))
    sched2.register("deacon", 60, lambda: execute_run(town.ledger, spec, use_formulas=False))
    outcome = await sched2.run_now("deacon")
    assert calls == ["first", "second", "second", "third"]  # a was not repeated
    assert outcome.run_id == root.id and outcome.result == "ok"
    assert town.ledger.get(root.id).status == "closed"
    assert "used 3" in town.ledger.get(ordered_steps(town.ledger, root.id)[1].id).close_reason
    assert find_open_run(town.ledger, "deacon") is None
