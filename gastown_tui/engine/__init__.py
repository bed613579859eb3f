"""The engine: one per town, a background daemon owning agent sessions, the patrol scheduler and the control socket.

No Textual here. Clients (the TUI, `gt`, tests) talk to it only through `gastown_tui.engine.api` (typed commands,
results and events over `.gastown/engine.sock`, 0600); `gastown` starts it in the background when none runs
(`engine.api.daemon.ensure_engine`), `gastown engine run` runs it in the foreground. It ignores SIGHUP and stops on
SIGTERM/SIGINT or a StopEngine command. Commands go through one dispatcher (`engine.dispatch`, handlers in
`engine/handlers/`); live screens go to viewing clients as PaneUpdates (`engine.panes.PaneHub`).

Engine object (for the engine's own tests and the runner):

    engine = Engine(town_paths, clock=SystemClock())   # options: ledger=, recover=True, patrols=True, control=True
    await engine.start() / await engine.stop() ; engine.request_stop(reason) ; engine.stopped (asyncio.Event)
    engine.dispatcher                                 # Dispatcher: open_client/close_client/dispatch (api.Server)
    engine.bus.subscribe(callback) -> unsubscribe     # callback(DomainEvent) called on the engine's loop
    engine.sessions                                   # AgentSessions: spawn, restart, kill, get, live, all
    AgentSession: .address .session_id .alive .screen (TerminalScreen) .display() .write(bytes) .resize(c, r)
                  .verdict (Verdict: state, source, detail, ts; .explain(now)) .plan (SpawnPlan: argv, env, cwd)
    engine.note_user_typing(address)                  # every client's keystrokes (TypeKeys/Paste) land here
    await engine.nudge(target, text, sender=)         # deliver when idle and nobody types, else queue
    engine.status() -> [dict] ; engine.explain(target) -> dict ; engine.peek(target, lines) -> [str]
    await engine.sling_start(address, bead_id)        # start the agent for slung work (or nudge a live one)
    engine.scheduler (gastown_tui.scheduler.Scheduler) ; engine.ledger ; engine.paths ; engine.clock

Bus events are the typed `engine.api.events` (re-exported by `engine.events`). The legacy `{"op": ...}` protocol
of `gt` (`engine.client.request`, transport in `gastown_tui.control_socket`) is answered by `engine.ops`, whose
command ops dispatch typed commands.
"""

from __future__ import annotations

from typing import Any

# Imported lazily: `gt` commands import `gastown_tui.engine.client` and must not pay for PTYs and emulators.
_LAZY = {
    "Engine": "gastown_tui.engine.engine", "EventBus": "gastown_tui.engine.bus",
    "AgentSession": "gastown_tui.engine.sessions", "AgentSessions": "gastown_tui.engine.sessions",
    **{name: "gastown_tui.engine.events" for name in (
        "AgentStateChanged", "BeadChanged", "DomainEvent", "EngineStatus", "FeedEvent", "MailArrived",
        "NudgeDelivered", "NudgeQueued", "SessionExited", "SessionOutput", "SessionStarted")},
}


def __getattr__(name: str) -> Any:
    """Resolve the public names on first use."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(name)


__all__ = sorted(_LAZY)
