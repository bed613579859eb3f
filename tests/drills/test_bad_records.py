"""A malformed record in the ledger must not take the engine down: a bead labelled `gt:agent` whose title is not an
agent address (a user's label, or a beads JSONL imported from elsewhere) is skipped, and the engine starts."""

from __future__ import annotations


from gastown_tui.engine import Engine


async def test_engine_starts_despite_a_bogus_agent_record(town, ledger) -> None:
    """A gt:agent bead naming no valid address is skipped, not fatal (it used to stop the engine starting)."""
    from gastown_tui.agents.registry import list_agents

    ledger.create("Synthetic bead 11", prefix="ap", labels=["gt:agent"])
    engine = Engine(town, ledger=ledger, patrols=False, control=False)
    try:
        await engine.start()
        assert engine.running
    finally:
        await engine.stop()
    assert all(b.title != "Synthetic bead 11" for b in list_agents(ledger))
