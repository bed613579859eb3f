"""Patrols: witness, refinery and deacon as wisps of their formulas, executed by Python step handlers.

Public API:

    register_patrols(engine) -> list[str]          # called by the Engine at start; schedules every patrol
    patrol_names(town) -> list[str]                # deacon, witness:<rig>, refinery:<rig>
    run_once(town, ledger, name, *, clock=None)    # async; one run in-process, no engine (`gt patrol run`)
    build_patrols(ctx) -> list[PatrolEntry]        # specs bound to a PatrolContext (tests, custom engines)
    LedgerStateStore(ledger)                       # pause flags, next runs, history (shared with the engine)
    PatrolContext, SessionsView, Dispatch          # what handlers may use (patrols.context)
    execute_run(ledger, spec, *, events=None)      # one run: pour/resume the wisp, run open steps, close them
    dispatch_dog(town, ledger, formula, ...)       # maintenance formula for a Dog agent (patrols.dogs)
"""

from __future__ import annotations

from typing import Any


def register_patrols(engine: Any) -> list[str]:
    """Schedule the town's patrols on `engine.scheduler` (imported lazily to keep `gt` start-up small)."""
    from gastown_tui.patrols.registry import register_patrols as _register  # noqa: PLC0415

    return _register(engine)


def __getattr__(name: str) -> Any:
    """Lazy access to the rest of the public API."""
    if name in ("patrol_names", "run_once", "build_patrols", "PatrolEntry", "offline_context"):
        from gastown_tui.patrols import registry  # noqa: PLC0415

        return getattr(registry, name)
    if name == "LedgerStateStore":
        from gastown_tui.patrols.state import LedgerStateStore  # noqa: PLC0415

        return LedgerStateStore
    if name in ("PatrolContext", "SessionsView", "Dispatch"):
        from gastown_tui.patrols import context  # noqa: PLC0415

        return getattr(context, name)
    if name in ("execute_run", "PatrolSpec", "Run"):
        from gastown_tui.patrols import runs  # noqa: PLC0415

        return getattr(runs, name)
    if name == "dispatch_dog":
        from gastown_tui.patrols.dogs import dispatch_dog  # noqa: PLC0415

        return dispatch_dog
    raise AttributeError(name)
