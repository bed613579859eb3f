"""The engine: live agent sessions, the patrol scheduler, the control socket, and the domain event stream.

No Textual here. The UI attaches through `gastown_tui.ui.bridge`, which subscribes to `Engine.bus` and turns
domain events into Textual messages; commands from the UI are plain method calls on the engine (message-shaped,
so the engine can later live in its own process behind the control socket).

Public API:

    engine = Engine(town_paths, clock=SystemClock())   # options: ledger=, recover=True, patrols=True, control=True
    await engine.start() / await engine.stop()
    engine.bus.subscribe(callback) -> unsubscribe     # callback(DomainEvent) called on the engine's loop
    engine.sessions                                   # AgentSessions
        .spawn(address, topic="assigned", resume=True) -> AgentSession   (returns the live one if running)
        .restart(address, topic="restart") ; .kill(address) ; .get(address) ; .live(address) ; .all()
    AgentSession: .address .session_id .alive .screen (TerminalScreen) .display() .write(bytes) .resize(c, r)
                  .verdict (Verdict: state, source, detail, ts; .explain(now)) .plan (SpawnPlan: argv, env, cwd)
    engine.note_user_typing(address)                  # the UI calls this on every keystroke into a pane
    await engine.nudge(target, text, sender=)         # deliver when idle and not typing, else queue
    engine.status() -> [dict] ; engine.explain(target) -> dict ; engine.peek(target, lines) -> [str]
    await engine.sling_start(address, bead_id)        # start the agent for slung work (or nudge a live one)
    engine.scheduler                                  # Scheduler: patrols (register, pause, resume, run_now, history)
    engine.ledger                                     # the Ledger
    engine.paths, engine.clock

Bus events (gastown_tui.engine.events): AgentStateChanged(address, state, previous, source, detail),
SessionStarted(address, session_id, argv, cwd), SessionOutput(address) (coalesced), SessionExited(address,
session_id, exit_status), BeadChanged(bead_id, kind), FeedEvent(kind, ts, actor, data), MailArrived(recipient,
message_id, sender, subject), NudgeQueued(address, nudge_id, reason), NudgeDelivered(address, verified, attempts),
EngineStatus(running, detail). Every event has `.to_dict()`.

Control socket client: `gastown_tui.engine.client.request(paths, op, **args)`; ops: ping, status, spawn, restart,
kill, nudge, peek, sling-start, explain, typing. EngineNotRunning when nobody listens.
`client.subscribe(paths, output=False)` streams every bus event as a dict (a UI in another process attaches here).
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
