"""Which patrols a town has, how they are built, and how they attach to the engine's scheduler.

Names: `deacon`, `witness:<rig>`, `refinery:<rig>`; intervals from town.toml `[patrols]` (witness, refinery,
deacon). `register_patrols(engine)` is what the Engine calls at start; `run_once(town, name)` is what
`gt patrol run` uses when no engine is running (same specs, same wisps, no sessions).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gastown_tui.clock import Clock, SystemClock
from gastown_tui.scheduler import RunReport
from gastown_tui.errors import NotFound
from gastown_tui.patrols import deacon, refinery, witness
from gastown_tui.patrols.context import PatrolContext
from gastown_tui.patrols.dispatch import LedgerDispatch
from gastown_tui.patrols.runs import PatrolSpec, execute_run
from gastown_tui.patrols.state import LedgerStateStore
from gastown_tui.town.paths import TownPaths


@dataclass
class PatrolEntry:
    """A patrol ready to schedule: its spec (handlers bound to a context) and interval."""

    spec: PatrolSpec
    interval: float
    kind: str


def _rig_names(town: TownPaths) -> list[str]:
    """The town's rigs."""
    return list(_rig_branches(town))


def _rig_branches(town: TownPaths) -> dict[str, str]:
    """rig name -> default branch."""
    from gastown_tui.town.rigs import list_rigs  # noqa: PLC0415

    return {rig.name: rig.config.default_branch for rig in list_rigs(town)}


def patrol_intervals(town: TownPaths) -> dict[str, float]:
    """Patrol intervals from town.toml (defaults when the file has none)."""
    from gastown_tui.town.config import load_town_config  # noqa: PLC0415

    return load_town_config(town).patrol_intervals


def build_patrols(ctx: PatrolContext) -> list[PatrolEntry]:
    """Every patrol of the town, bound to `ctx`."""
    intervals = patrol_intervals(ctx.town)
    entries = [PatrolEntry(PatrolSpec("deacon", "mol-deacon-patrol", deacon.STEPS,
                                      deacon.DeaconPatrol(ctx).handlers(), ctx, actor=deacon.ACTOR),
                           intervals.get("deacon", 300.0), "deacon")]
    for rig, branch in _rig_branches(ctx.town).items():
        w = witness.WitnessPatrol(ctx, rig)
        entries.append(PatrolEntry(PatrolSpec(f"witness:{rig}", "mol-witness-patrol", witness.STEPS, w.handlers(),
                                              ctx, actor=w.actor, variables={"rig": rig}),
                                   intervals.get("witness", 60.0), "witness"))
        r = refinery.RefineryPatrol(ctx, rig)
        entries.append(PatrolEntry(PatrolSpec(f"refinery:{rig}", "mol-refinery-patrol", refinery.STEPS,
                                              r.handlers(), ctx, actor=r.actor,
                                              variables={"rig": rig, "default_branch": branch}),
                                   intervals.get("refinery", 30.0), "refinery"))
    return entries


def _runner(ledger: Any, spec: PatrolSpec) -> Callable[[], Any]:
    """The scheduler's run callable for one spec."""

    async def run() -> RunReport:
        ctx = spec.context
        return await execute_run(ledger, spec, events=ctx.events if ctx else None,
                                 lock_dir=ctx.town.runtime if ctx else None)

    return run


def register_patrols(engine: Any) -> list[str]:
    """Called by the Engine at start: bind the ledger-backed state store and schedule every patrol."""
    from gastown_tui.patrols.engine_views import EngineSessions, engine_sling_fn, engine_wake_fn  # noqa: PLC0415

    loop = asyncio.get_running_loop()
    dispatch = LedgerDispatch(engine.ledger, sling_fn=engine_sling_fn(engine, loop),
                              wake_fn=engine_wake_fn(engine, loop))
    ctx = PatrolContext(town=engine.paths, ledger=engine.ledger, clock=engine.clock, dispatch=dispatch,
                        engine=engine)
    ctx.sessions = EngineSessions(engine, ctx.clock_time)
    engine.scheduler.set_store(LedgerStateStore(engine.ledger))
    names = []
    for entry in build_patrols(ctx):
        engine.scheduler.register(entry.spec.name, entry.interval, _runner(engine.ledger, entry.spec))
        names.append(entry.spec.name)
    engine.patrol_context = ctx
    return names


def offline_context(town: TownPaths, ledger: Any, clock: Clock | None = None) -> PatrolContext:
    """A context for running patrols in-process without an engine: slings queue their start in the ledger."""

    def sling_fn(bead_id: str, rig: str) -> str:
        from gastown_tui.agents.sling import sling  # noqa: PLC0415

        return str(sling(town, ledger, bead_id, rig, actor=deacon.ACTOR).address)

    def wake_fn(address: str, bead_id: str) -> None:
        from gastown_tui.agents.sling import start_agent  # noqa: PLC0415
        from gastown_tui.records import parse_address  # noqa: PLC0415

        start_agent(town, ledger, parse_address(address), bead_id, actor=f"{parse_address(address).rig}/refinery")

    return PatrolContext(town=town, ledger=ledger, clock=clock or SystemClock(),
                         dispatch=LedgerDispatch(ledger, sling_fn=sling_fn, wake_fn=wake_fn))


def patrol_names(town: TownPaths) -> list[str]:
    """Names of the town's patrols."""
    return ["deacon", *[f"{kind}:{rig}" for rig in _rig_names(town) for kind in ("witness", "refinery")]]


async def run_once(town: TownPaths, ledger: Any, name: str, *, clock: Clock | None = None) -> RunReport:
    """Run patrol `name` once in this process (no engine), recording the outcome in the shared history."""
    from gastown_tui.scheduler import Scheduler  # noqa: PLC0415

    ctx = offline_context(town, ledger, clock)
    entries = {e.spec.name: e for e in build_patrols(ctx)}
    if name not in entries:
        raise NotFound(f"no patrol {name!r} (patrols: {', '.join(sorted(entries))})")
    scheduler = Scheduler(ctx.clock, LedgerStateStore(ledger))
    entry = entries[name]
    scheduler.register(name, entry.interval, _runner(ledger, entry.spec))
    outcome = await scheduler.run_now(name)
    return RunReport(outcome.result, outcome.summary, outcome.run_id)
