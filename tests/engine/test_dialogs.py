"""Start-up dialogs: a known screen is answered when town policy allows it, otherwise the agent waits."""

from __future__ import annotations

from gastown_tui.agents.registry import ensure_agent
from gastown_tui.engine import Engine
from gastown_tui.events import iter_events
from gastown_tui.records import parse_address
from tests.agents.conftest import async_wait_until

DIALOG_RUNTIME = """
[runtimes.asker]
command = ["{python}", "-c", "print('{question}'); print('1. Yes  2. No'); input(); print('answered'); input()"]
prompt_mode = "none"
screen = "claude"
"""


async def _run(town, ledger, question: str) -> tuple[object, object]:  # noqa: ANN001
    with town.town_toml.open("a") as fh:
        fh.write(DIALOG_RUNTIME.replace("{question}", question))
    address = parse_address("mayor/")
    ensure_agent(ledger, address, runtime="asker")
    engine = Engine(town, ledger=ledger, patrols=False, control=False)
    await engine.start()
    return engine, await engine.sessions.spawn(address)


async def test_trust_dialog_is_answered(town, ledger) -> None:
    engine, session = await _run(town, ledger, "Do you trust the files in this folder?")
    try:
        await async_wait_until(lambda: any("answered" in line for line in session.display()), 40)
        assert any(e.kind == "agent.dialog" and e.data["dialog"] == "trust" for e in iter_events(town.events))
    finally:
        await engine.stop()


async def test_api_key_dialog_waits_for_the_overseer(town, ledger) -> None:
    engine, session = await _run(town, ledger, "Detected a custom API key in your environment")
    try:
        await async_wait_until(lambda: session.verdict is not None and session.verdict.state == "waiting", 40)
        assert "api-key" in session.verdict.detail
        await async_wait_until(lambda: True, 1.0)
        assert not any("answered" in line for line in session.display())
    finally:
        await engine.stop()
