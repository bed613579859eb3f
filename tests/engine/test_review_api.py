"""The review API on a real engine, town, ledger and git: MR rows with gate verdicts on the snapshot, MrDiff and
PolecatDiff, ApproveMr landing at once (the refinery runs now), RejectMr as rework, RunDoctor's problems."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import gastown_tui.engine.api as api
from gastown_tui.clock import FakeClock
from gastown_tui.engine import Engine
from gastown_tui.errors import Conflict, GastownError, InvalidInput, NotFound
from gastown_tui.town.config import load_rig_config
from tests.patrols.conftest import Town, build_town, set_gates
from tests.patrols.test_refinery import no_bad_gate, run_refinery


@pytest.fixture
def review_town(tmp_path: Path) -> Iterator[Town]:
    """A one-rig town whose rig reviews by hand, with a real gate."""
    town = build_town(tmp_path)
    set_gates(town.rig("alpha"), {"test": no_bad_gate()})
    config = load_rig_config(town.rig("alpha"))
    config.set("review", "human")
    config.save()
    yield town
    town.ledger.shutdown()


async def awaiting_review(town: Town, files: dict[str, str], title: str = "Add greeting") -> tuple[str, str]:
    """A polecat's committed work, its MR gated green and now awaiting review; returns (mr id, bead id)."""
    bead = town.bead(title, "alpha", acceptance_criteria="hello.txt says hello")
    branch = town.work("alpha", "nux", bead.id, files)
    mr = town.mr("alpha", bead, branch, "alpha/polecats/nux")
    await run_refinery(town)
    return mr.id, bead.id


async def test_queue_rows_diff_and_approve_lands_now(review_town: Town) -> None:
    town = review_town
    mr_id, bead_id = await awaiting_review(town, {"hello.txt": "hello\n"})
    engine = Engine(town.paths, FakeClock(time.time()), ledger=town.ledger, control=False, recover=False)
    await engine.start()
    client = api.InProcessClient(engine.dispatcher)
    try:
        snap = await client.snapshot()
        row = next(r for r in snap.merge_requests if r.id == mr_id)
        assert (row.bead_id, row.bead_title, row.state, row.review) == (bead_id, "Add greeting", "awaiting-review",
                                                                          "human")
        assert row.gates.result == "pass" and row.acceptance == "hello.txt says hello" and row.age_s >= 0

        diff = await client.call(api.MrDiff(mr_id))
        assert [(f.path, f.added, f.removed) for f in diff.files] == [("hello.txt", 1, 0)]
        assert "+hello" in diff.text and diff.mr is not None and diff.mr.id == mr_id
        live = await client.call(api.PolecatDiff("alpha", "nux"))
        assert live.files == diff.files and live.mr is None
        with pytest.raises(NotFound):
            await client.call(api.PolecatDiff("nosuchrig", "nux"))
        with pytest.raises(InvalidInput):
            await client.call(api.PolecatDiff("alpha", "../../etc"))  # never a path outside the town

        done = await client.call(api.ApproveMr(mr_id))
        assert done.id == mr_id and "Approved" in done.text
        deadline = time.monotonic() + 60  # the refinery run started by the approval, not by its interval
        while town.main_file("alpha", "hello.txt") is None and time.monotonic() < deadline:
            await _sleep()
        assert town.main_file("alpha", "hello.txt") == "hello\n"
        snap = await client.snapshot()
        assert next(r for r in snap.merge_requests if r.id == mr_id).state == "merged"
        with pytest.raises(Conflict, match="not awaiting review"):
            await client.call(api.ApproveMr(mr_id))
    finally:
        await client.close()
        await engine.stop()


async def test_reject_is_rework_with_the_note_and_doctor_reports(review_town: Town) -> None:
    town = review_town
    mr_id, bead_id = await awaiting_review(town, {"hello.txt": "hi\n"})
    engine = Engine(town.paths, FakeClock(time.time()), ledger=town.ledger, control=False, recover=False,
                    patrols=False)
    await engine.start()
    client = api.InProcessClient(engine.dispatcher)
    try:
        with pytest.raises(InvalidInput, match="needs a note"):
            await client.call(api.RejectMr(mr_id, "  "))
        done = await client.call(api.RejectMr(mr_id, "Say 'hello', not 'hi'."))
        assert done.state == "rework" and "alpha/polecats/nux" in done.text
        assert town.ledger.get(mr_id).close_reason == "rework: rejected in review"
        assert town.ledger.get(bead_id).status == "hooked"
        with pytest.raises(NotFound):
            await client.call(api.MrDiff("zz-nope"))

        town.paths.runtime.chmod(0o755)  # a real problem doctor must report (and not fix: RunDoctor only looks)
        report = await client.call(api.RunDoctor())
        perms = [p for p in report.problems if p.check == "permissions"]
        assert perms and perms[0].status == "warn" and "not 0o700" in perms[0].line
        assert all(p.status in ("warn", "error") and "\n" not in p.line for p in report.problems)
        assert town.paths.runtime.stat().st_mode & 0o777 == 0o755
    finally:
        await client.close()
        await engine.stop()


async def _sleep() -> None:
    import asyncio

    await asyncio.sleep(0.1)


def test_graph_shows_a_bead_closed_with_no_changes_as_done(review_town: Town) -> None:
    from gastown_tui.convoys import create_convoy
    from gastown_tui.engine.handlers.snapshot import bead_graph

    ledger = review_town.ledger
    spike, after = ledger.create("Investigate"), ledger.create("Build on it")
    convoy = create_convoy(ledger, "Spike", [spike.id, after.id])
    ledger.close(spike.id, reason="no code changes")
    states = {node.id: node.state for node in bead_graph(ledger, convoy.id).nodes}
    assert states == {spike.id: "done", after.id: "ready"}  # not "ready" (the unknown-state fallback)


async def test_runtimes_on_the_snapshot_and_sling_on_a_chosen_runtime(review_town: Town) -> None:
    town = review_town
    engine = Engine(town.paths, FakeClock(time.time()), ledger=town.ledger, control=False, recover=False,
                    patrols=False)
    await engine.start()
    client = api.InProcessClient(engine.dispatcher)
    try:
        snap = await client.snapshot()
        assert snap.runtimes[0] == "claude" and {"scripted", "shell", "codex"} <= set(snap.runtimes)
        bead = town.bead("Say hi", "alpha")
        with pytest.raises(GastownError, match="nope"):
            await client.call(api.Sling(bead.id, "alpha", runtime="nope"))
        assert town.ledger.get(bead.id).status == "open"  # refused before touching anything
        slung = await client.call(api.Sling(bead.id, "alpha", runtime="shell"))
        rows = {row.address: row for row in (await client.snapshot()).agents}
        assert rows[slung.address].runtime == "shell"
    finally:
        await client.close()
        await engine.stop()


async def test_the_tui_port_reaches_the_review_commands(review_town: Town) -> None:
    """ClientPort (what the TUI holds) over a client of a real engine: queue rows, diff, doctor, reject."""
    from gastown_tui.ui.engine_port import ClientPort

    town = review_town
    mr_id, _bead_id = await awaiting_review(town, {"hello.txt": "hi\n"})
    engine = Engine(town.paths, FakeClock(time.time()), ledger=town.ledger, control=False, recover=False,
                    patrols=False)
    await engine.start()

    async def connect() -> api.EngineClient:
        return api.InProcessClient(engine.dispatcher)

    port = ClientPort(connect, time_format=lambda _ts: "12:00:00")
    try:
        await port.start()
        assert [mr.id for mr in port.snapshot().merge_queue] == [mr_id]
        assert (await port.mr_diff(mr_id)).files[0].path == "hello.txt"
        started = time.monotonic()
        problems = await port.doctor_problems()
        assert time.monotonic() - started < 20 and all(p.line for p in problems)
        assert "re-hooked" in await port.reject_mr(mr_id, "Say hello.")
    finally:
        await port.stop()
        await engine.stop()


async def test_an_agent_whose_runtime_cannot_start_is_failed_with_its_reason(review_town: Town) -> None:
    from gastown_tui.agents.registry import ensure_agent
    from gastown_tui.agents.spawn import mark_failed
    from gastown_tui.records import parse_address

    town = review_town
    address = parse_address("alpha/polecats/nux")
    ensure_agent(town.ledger, address, runtime="claude")
    mark_failed(town.ledger, address, "runtime 'claude': program 'claude' not found on PATH")
    engine = Engine(town.paths, FakeClock(time.time()), ledger=town.ledger, control=False, recover=False,
                    patrols=False)
    await engine.start()
    client = api.InProcessClient(engine.dispatcher)
    try:
        row = next(a for a in (await client.snapshot()).agents if a.address == str(address))
        assert row.state == "failed" and row.why == "runtime 'claude': program 'claude' not found on PATH"
    finally:
        await client.close()
        await engine.stop()
