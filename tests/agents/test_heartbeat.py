"""Any `gt` call an agent makes is a heartbeat the witness can read (not only the agent commands)."""

from __future__ import annotations

from gastown_tui.records import parse_address
from gastown_tui.town.paths import TownPaths
from tests.agents.conftest import cli


def test_plain_bd_call_by_an_agent_records_a_heartbeat(town: TownPaths) -> None:
    from gastown_tui.agents.registry import agent_meta, ensure_agent
    from gastown_tui.ledger import Ledger

    address = parse_address("app/polecats/nux")
    with Ledger.open(town) as ledger:
        bead = ensure_agent(ledger, address, runtime="scripted")
        before = agent_meta(ledger.get(bead.id)).get("last_activity")

    result = cli(town, "bd", "list", agent=str(address))
    assert result.returncode == 0, result.stderr

    with Ledger.open(town) as ledger:
        after = agent_meta(ledger.get(bead.id)).get("last_activity")
    assert after is not None and after != before

    # The Overseer's calls are not heartbeats of anyone.
    result = cli(town, "bd", "list")
    assert result.returncode == 0, result.stderr
    with Ledger.open(town) as ledger:
        assert agent_meta(ledger.get(bead.id)).get("last_activity") == after
