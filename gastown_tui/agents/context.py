"""Opening the town and ledger for one command, with the caller's heartbeat recorded (the witness reads it)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from gastown_tui.agents.identity import address_from_env
from gastown_tui.agents.registry import heartbeat
from gastown_tui.errors import GastownError
from gastown_tui.town.paths import TownPaths, find_town

TYPE_CHECKING = False  # not typing's: importing typing costs ~4 ms of every `gt` call, and only checkers need it
if TYPE_CHECKING:
    from typing import Any
    import logging


def _log() -> logging.Logger:
    """This module's logger. `logging` is imported on first use: it costs ~4 ms of CPU on every `gt` call, and
    the messages here are rare."""
    import logging

    return logging.getLogger(__name__)


@contextmanager
def town_and_ledger(*, record_beat: bool = True) -> Iterator[tuple[TownPaths, Any]]:
    """The town found from --town / $GT_TOWN / the cwd and its ledger; records a heartbeat for an agent caller."""
    from gastown_tui.ledger import Ledger

    town = find_town()
    ledger = Ledger.open(town)
    try:
        if record_beat:
            beat(ledger)
        yield town, ledger
    finally:
        ledger.shutdown()


def beat(ledger: Any) -> None:
    """Record the calling agent's heartbeat on an open ledger (every `gt` command that opens the ledger does this,
    so the witness sees any activity); a no-op for the Overseer, and a failure never fails the command."""
    address = address_from_env()
    if address is None:
        return
    try:
        heartbeat(ledger, address)
    except GastownError as exc:  # e.g. a store that is read-only right now: the command itself still runs
        _log().warning("heartbeat of %s not recorded: %s", address, exc.one_line())
