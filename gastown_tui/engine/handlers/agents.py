"""Handlers: starting, stopping, slinging to, nudging, handing off and questioning agents."""

from __future__ import annotations

import asyncio

from gastown_tui import events as feed
from gastown_tui.engine.api.base import Done
from gastown_tui.engine.api.commands import (
    Handoff, Nudge, NudgeOutcome, RestartAgent, Seance, SessionInfo, Sling, SlingStart, Slung, StartAgent, StopAgent,
)
from gastown_tui.engine.dispatch import HandlerContext, handles
from gastown_tui.errors import NotFound
from gastown_tui.records import parse_address


@handles(StartAgent)
async def start_agent(ctx: HandlerContext, cmd: StartAgent) -> SessionInfo:
    """Spawn (no-op if it runs)."""
    address = ctx.engine.resolve(cmd.address)
    session = await ctx.engine.sessions.spawn(address, topic=cmd.topic, sender=cmd.sender)
    return SessionInfo(str(address), session.session_id, session.pty.pid)


@handles(RestartAgent)
async def restart_agent(ctx: HandlerContext, cmd: RestartAgent) -> SessionInfo:
    """Restart now, or after `delay` (answering first: the caller may run inside that session)."""
    address = ctx.engine.resolve(cmd.address)
    if cmd.delay > 0:
        async def later() -> None:
            await asyncio.sleep(cmd.delay)
            await ctx.engine.sessions.restart(address, topic=cmd.topic)
        ctx.engine.spawn_task(later(), f"restart {address}")
        return SessionInfo(str(address), scheduled_in=cmd.delay)
    session = await ctx.engine.sessions.restart(address, topic=cmd.topic)
    return SessionInfo(str(address), session.session_id, session.pty.pid)


@handles(StopAgent)
async def stop_agent(ctx: HandlerContext, cmd: StopAgent) -> Done:
    """Stop the session; the hook stays in the ledger."""
    await ctx.engine.sessions.kill(ctx.engine.resolve(cmd.address))
    return Done()


@handles(Sling)
async def sling(ctx: HandlerContext, cmd: Sling) -> Slung:
    """Hook and prepare in a thread (git worktree work), then start the agent on the engine's loop."""
    from gastown_tui.agents.sling import sling as do_sling

    result = await asyncio.to_thread(do_sling, ctx.paths, ctx.ledger, cmd.bead_id, cmd.target, actor=cmd.sender,
                                     runtime=cmd.runtime or None, start=False)
    await ctx.engine.sling_start(result.address, result.bead_id, sender=cmd.sender)
    return Slung(str(result.address), result.bead_id)


@handles(SlingStart)
async def sling_start(ctx: HandlerContext, cmd: SlingStart) -> SessionInfo:
    """Start (or tell) the agent that just got work on its hook."""
    answer = await ctx.engine.sling_start(cmd.address, cmd.bead_id, sender=cmd.sender)
    return SessionInfo(cmd.address, str(answer.get("session_id") or ""), answer.get("pid"))


@handles(Nudge)
async def nudge(ctx: HandlerContext, cmd: Nudge) -> NudgeOutcome:
    """Deliver when idle and nobody types in the pane (from any client), else queue."""
    answer = await ctx.engine.nudge(cmd.address, cmd.message, sender=cmd.sender)
    return NudgeOutcome(str(ctx.engine.resolve(cmd.address)), bool(answer.get("delivered")),
                        bool(answer.get("verified")), str(answer.get("nudge_id") or ""),
                        str(answer.get("reason") or ""))


@handles(Handoff)
async def handoff(ctx: HandlerContext, cmd: Handoff) -> Done:
    """Pin handoff notes (with the session that wrote them) and restart the session with the same hook."""
    from gastown_tui.agents.handoff import write_handoff
    from gastown_tui.agents.hooks import hooked_bead

    address = ctx.engine.resolve(cmd.address)
    work = hooked_bead(ctx.ledger, address)
    live = ctx.engine.sessions.get(address)
    session_id = cmd.session_id or (live.session_id if live is not None else "")
    bead = write_handoff(ctx.ledger, address, cmd.notes, hook=work.id if work else None, session_id=session_id)
    feed.emit(ctx.paths.events, "handoff", actor=cmd.sender, address=str(address), bead=bead.id,
              hook=work.id if work else "", session=session_id)
    await ctx.engine.sessions.restart(address, topic="handoff")
    return Done()


@handles(Seance)
async def seance(ctx: HandlerContext, cmd: Seance) -> Done:
    """Ask the latest earlier session of the agent; its answer arrives as mail from that agent."""
    from gastown_tui.agents.seance import past_sessions, talk
    from gastown_tui.mail.mailbox import send

    parsed = parse_address(cmd.address)
    live = ctx.engine.sessions.get(cmd.address)
    current = live.session_id if live is not None else ""
    past = [s for s in past_sessions(ctx.paths, parsed) if s.session_id != current]
    if not past:
        raise NotFound(f"{cmd.address} has no earlier session to ask")
    answer = await asyncio.to_thread(talk, ctx.paths, parsed, past[-1].session_id, cmd.question)
    send(ctx.ledger, "overseer", f"Séance: {cmd.question[:80]}", answer.strip() or "(no answer)",
         sender=cmd.address, events_file=ctx.paths.events)
    return Done()
