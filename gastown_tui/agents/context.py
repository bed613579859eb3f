"""Opening the town and ledger for one command, with the caller's heartbeat recorded (the witness reads it)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from gastown_tui.agents.identity import address_from_env
from gastown_tui.agents.registry import heartbeat
from gastown_tui.town.paths import TownPaths, find_town


@contextmanager
def town_and_ledger(*, beat: bool = True) -> Iterator[tuple[TownPaths, Any]]:
    """The town found from --town / $GT_TOWN / the cwd and its ledger; records a heartbeat for an agent caller."""
    from gastown_tui.ledger import Ledger

    town = find_town()
    ledger = Ledger.open(town)
    try:
        if beat:
            address = address_from_env()
            if address is not None:
                heartbeat(ledger, address)
        yield town, ledger
    finally:
        ledger.shutdown()


def record_heartbeat() -> None:
    """Heartbeat for any `gt` command run by an agent (cli/main.py may call this once per command); a no-op for the
    Overseer, and never an error: a failed heartbeat must not fail the command."""
    address = address_from_env()
    if address is None:
        return
    try:
        from gastown_tui.ledger import Ledger

        with Ledger.open(find_town()) as ledger:
            heartbeat(ledger, address)
    except Exception:  # noqa: BLE001 - best effort by design
        pass
