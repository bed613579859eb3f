"""The Overseer's API on a real engine and town: backlog rows, stable agent numbers, and a scripted polecat that
raises a permission prompt, shown as permission-prompt with its reason, then approved through AnswerPermission."""

from __future__ import annotations

import time

import pytest

import gastown_tui.engine.api as api
from gastown_tui.engine import Engine
from gastown_tui.errors import Conflict
from tests.agents.conftest import async_wait_until

PERMISSION_BEAD = "Add a file\n\npermission: Bash(touch added.txt)\n\n```sh\ntouch added.txt\n```\n"


async def test_backlog_numbers_and_permission_prompt(town, ledger) -> None:
    eng = Engine(town, ledger=ledger, patrols=False, recover=False)
    await eng.start()
    client = await api.SocketClient.connect(town.engine_sock)
    try:
        first = await client.call(api.NewBead("Low one", "", "app"))
        bead = await client.call(api.NewBead("Touch a file", PERMISSION_BEAD, "app"))
        ledger.update(first.id, priority=3)
        ledger.update(bead.id, priority=1)
        snap = await client.snapshot()
        rows = {row.id: row for row in snap.backlog}
        assert [r.id for r in snap.backlog][:2] == [bead.id, first.id]  # priority first
        assert rows[bead.id].rig == "app" and rows[bead.id].status == "open" and rows[bead.id].kind == "task"

        address = (await client.call(api.Sling(bead.id, "app"))).address

        async def prompt_row() -> api.AgentRow | None:
            snap = await client.snapshot()
            return next((a for a in snap.agents if a.address == address and a.state == "permission-prompt"), None)

        row = await until(prompt_row, 60, "the scripted polecat never showed its permission prompt")
        assert "permission" in row.why and row.since is not None
        snap = await client.snapshot()
        numbers = {n.address: n.number for n in snap.agent_numbers}
        assert numbers[address] >= 1 and sorted(numbers.values()) == list(range(1, len(numbers) + 1))

        answered = await client.call(api.AnswerPermission(address, approve=True))
        assert answered.approved and answered.keys == "1\r"
        with pytest.raises(Conflict, match="not at a permission prompt"):
            await client.call(api.AnswerPermission(address, approve=True))  # a second approve types nothing

        async def granted() -> bool:
            peek = await client.call(api.Peek(address, lines=40))
            return any("permission granted" in line for line in peek.lines)

        await until(granted, 30, "the approval never reached the agent")
        await async_wait_until(lambda: _closed_or_done(ledger, bead.id), timeout=60)
        # the numbers do not move when another agent appears
        again = {n.address: n.number for n in (await client.snapshot()).agent_numbers}
        assert again[address] == numbers[address]
    finally:
        await client.close()
        await eng.stop()


def _closed_or_done(ledger, bead_id: str) -> bool:  # type: ignore[no-untyped-def]
    bead = ledger.get(bead_id)
    return bead.status not in ("open", "hooked", "in_progress") or bool((bead.metadata or {}).get("merge_request"))


async def until(predicate, timeout: float, what: str):  # type: ignore[no-untyped-def]
    """Poll an async predicate until it returns something truthy."""
    import asyncio

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await predicate()
        if value:
            return value
        await asyncio.sleep(0.2)
    raise AssertionError(what)
