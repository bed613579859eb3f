"""The engine: live agent sessions, the patrol scheduler, the control socket, and the domain event stream.

No Textual here. The UI attaches through `gastown_tui.ui.bridge`, which subscribes to `Engine.bus` and turns
domain events into Textual messages; commands from the UI are plain method calls on the engine (message-shaped,
so the engine can later live in its own process behind the control socket).

Public API:

    engine = Engine(town_paths, clock=SystemClock())
    await engine.start() / await engine.stop()
    engine.bus.subscribe(callback)           # callback(DomainEvent) called on the engine's loop
    engine.sessions                          # AgentSessions: spawn/restart/kill/get by agent address
    engine.scheduler                         # Scheduler: patrols (register, pause, resume, run_now, history)
    engine.ledger                            # the Ledger
"""
