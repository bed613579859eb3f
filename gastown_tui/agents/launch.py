"""`gt agents start ADDRESS`: bring up a long-lived agent (Mayor, Crew, Dog, ...) with no work slung to it.

Polecats are started by `gt sling` (they exist for their hook); everyone else may simply be started: the agent
record is created if missing, its working directory made, and the engine asked to spawn it (or the start queued
in the ledger when no engine runs, delivered at its next start, like every live-session command).
"""

from __future__ import annotations

from typing import Any

from gastown_tui.agents.pending import queue_op
from gastown_tui.agents.polecats import ensure_workdir
from gastown_tui.agents.registry import ensure_agent
from gastown_tui.errors import InvalidInput
from gastown_tui.records import Address
from gastown_tui.town.paths import TownPaths


def start_agent(town: TownPaths, ledger: Any, address: Address, *, actor: str,
                runtime: str | None = None) -> tuple[str, dict[str, Any]]:
    """Ensure the agent exists and has its working directory, then spawn it; returns ("started"|"queued", info)."""
    from gastown_tui.agents.runtimes import get_runtime
    from gastown_tui.control_socket import EngineNotRunning, request
    from gastown_tui.town import load_town_config

    if address.role == "overseer":
        raise InvalidInput("the overseer is you: nothing to start")
    if address.role == "polecat":
        raise InvalidInput(f"polecats start with work: use `gt sling BEAD {address.rig}` instead of starting "
                           f"{address}")
    name = runtime or load_town_config(town).default_runtime
    get_runtime(name, town.town_toml)  # an unknown runtime fails before anything is created
    ensure_agent(ledger, address, runtime=name, actor=actor)
    ensure_workdir(town, address)
    try:
        result = request(town, "spawn", address=str(address), topic="start", sender=actor)
    except EngineNotRunning:
        return "queued", {"pending_op": queue_op(ledger, "start", str(address), actor=actor, topic="start",
                                                 sender=actor)}
    return "started", dict(result)
