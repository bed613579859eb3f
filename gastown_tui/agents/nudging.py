"""Command-side operations that need the engine — nudge, handoff restart, peek, agent states — with the fallback
used when no engine runs (queue in the ledger, or read the recorded state / transcript instead).
"""

from __future__ import annotations

import os
import time
from typing import Any

from gastown_tui import events as feed
from gastown_tui.agents.handoff import write_handoff
from gastown_tui.agents.hooks import hooked_bead
from gastown_tui.agents.nudges import queue_nudge, sanitize
from gastown_tui.agents.pending import queue_op
from gastown_tui.agents.registry import agent_address, agent_meta, find_agent, get_agent, list_agents
from gastown_tui.errors import InvalidInput, NotFound
from gastown_tui.records import Address
from gastown_tui.town.paths import TownPaths


def nudge(town: TownPaths, ledger: Any, target: str, message: str, *, sender: str) -> dict[str, Any]:
    """Nudge through the engine (delivered if idle, else queued); with no engine, queue it in the ledger."""
    from gastown_tui.control_socket import EngineNotRunning, request

    address = find_agent(ledger, target)
    if not sanitize(message).strip():
        raise InvalidInput("a nudge needs a message")
    try:
        result = request(town, "nudge", address=str(address), message=message, sender=sender)
    except EngineNotRunning:
        nudge_id = queue_nudge(ledger, address, message, sender=sender)
        feed.emit(town.events, "nudge.queued", actor=sender, address=str(address), nudge=nudge_id,
                  reason="engine not running")
        result = {"delivered": False, "queued": True, "nudge_id": nudge_id, "reason": "engine not running"}
    return {"address": str(address), **result}


def handoff(town: TownPaths, ledger: Any, address: Address, notes: str) -> dict[str, Any]:
    """Pin handoff notes, then have the engine restart the session with the same hook (or queue the restart)."""
    from gastown_tui.control_socket import EngineNotRunning, engine_running, request
    from gastown_tui.faults import fault_point

    get_agent(ledger, address)
    work = hooked_bead(ledger, address)
    running = engine_running(town)
    # Notes and (with no engine) the queued restart commit together: a kill leaves both or neither.
    with ledger.transaction():
        bead = write_handoff(ledger, address, notes, hook=work.id if work else None,
                             session_id=os.environ.get("GT_SESSION", ""))
        fault_point("handoff:written")
        if not running:
            queue_op(ledger, "restart", str(address), actor=str(address), topic="handoff")
    feed.emit(town.events, "handoff", actor=str(address), address=str(address), bead=bead.id,
              hook=work.id if work else "", session=os.environ.get("GT_SESSION", ""))
    restart = "queued for the engine's next start"
    if running:
        try:
            # a delay lets this command (running inside the session being replaced) finish and print first
            request(town, "restart", address=str(address), topic="handoff", delay=1.0)
            restart = "scheduled by the engine"
        except EngineNotRunning:
            queue_op(ledger, "restart", str(address), actor=str(address), topic="handoff")
    return {"handoff": bead.id, "hook": work.id if work else "", "restart": restart}


def _offline_row(bead: Any) -> dict[str, Any]:
    """An agent's state as last recorded in the ledger (no engine to ask)."""
    meta = agent_meta(bead)
    hook = meta.get("last_hook") or {}
    address = agent_address(bead)
    detail = (f"engine not running; last hook event {hook.get('event')} at "
              f"{time.strftime('%H:%M:%S', time.localtime(hook['ts']))}" if hook.get("ts")
              else "engine not running; no hook events recorded")
    state = "off"
    if meta.get("agent_state") == "failed":  # its runtime could not start (agents/spawn.py)
        state, detail = "failed", str(meta.get("failure", ""))
    return {"address": str(address), "role": address.role, "rig": address.rig, "runtime": meta.get("runtime", ""),
            "hook": meta.get("hook_bead") or "", "state": state, "source": "ledger", "detail": detail,
            "recorded_state": meta.get("agent_state", ""), "last_activity": meta.get("last_activity"),
            "session_id": meta.get("session_id", ""), "explain": f"{state}: {detail}"}


def agent_rows(town: TownPaths, ledger: Any) -> list[dict[str, Any]]:
    """Every agent with its state (from the engine when it runs)."""
    from gastown_tui.control_socket import EngineNotRunning, request

    try:
        return list(request(town, "status"))
    except EngineNotRunning:
        return [_offline_row(b) for b in list_agents(ledger)]


def explain(town: TownPaths, ledger: Any, target: str) -> dict[str, Any]:
    """Which signal decided the agent's state, and when."""
    from gastown_tui.control_socket import EngineNotRunning, request

    address = find_agent(ledger, target)
    try:
        return dict(request(town, "explain", address=str(address)))
    except EngineNotRunning:
        return _offline_row(get_agent(ledger, address))


def transcript_screen(town: TownPaths, address: Address, lines: int) -> list[str]:
    """The screen rebuilt from the agent's newest transcript (raw PTY bytes through the emulator)."""
    from gastown_tui.terminal import TerminalScreen

    files = sorted(town.transcripts.glob(f"{address.agent_id}-*.log"), key=lambda p: p.stat().st_mtime)
    if not files:
        raise NotFound(f"no live session and no transcript for {address}")
    screen = TerminalScreen(100, 30, scrollback=1000)
    screen.feed(files[-1].read_bytes()[-200_000:])
    display = [line.rstrip() for line in screen.display]
    while display and not display[-1]:
        display.pop()
    return display[-lines:]


def peek(town: TownPaths, ledger: Any, target: str, lines: int = 40) -> dict[str, Any]:
    """The agent's recent screen from the engine, else from its transcript."""
    from gastown_tui.control_socket import EngineNotRunning, request

    address = find_agent(ledger, target)
    try:
        result = request(town, "peek", address=str(address), lines=lines)
        return {"address": str(address), "source": "engine", "lines": list(result["lines"])}
    except (EngineNotRunning, NotFound):
        return {"address": str(address), "source": "transcript", "lines": transcript_screen(town, address, lines)}
