"""Handlers: beads, convoys, the Overseer's mail, and patrols."""

from __future__ import annotations

import asyncio

from gastown_tui.engine.api.base import Created, Done
from gastown_tui.engine.api.commands import (
    OVERSEER, MarkRead, NewBead, NewConvoy, PausePatrol, ReplyMail, RunPatrol, SendMail,
)
from gastown_tui.engine.dispatch import HandlerContext, handles
from gastown_tui.errors import NotFound
from gastown_tui.records import TOWN_PREFIX


@handles(NewBead)
async def new_bead(ctx: HandlerContext, cmd: NewBead) -> Created:
    """A bead in a rig (its prefix) or in the town."""
    from gastown_tui.town import list_rigs

    prefix = TOWN_PREFIX
    if cmd.rig:
        found = [r for r in list_rigs(ctx.paths) if r.name == cmd.rig]
        if not found:
            raise NotFound(f"no rig {cmd.rig!r}")
        prefix = found[0].config.prefix
    bead = await asyncio.to_thread(ctx.ledger.create, cmd.title, prefix=prefix, description=cmd.description,
                                   actor=OVERSEER)
    return Created(str(bead.id))


@handles(NewConvoy)
async def new_convoy(ctx: HandlerContext, cmd: NewConvoy) -> Created:
    """A convoy tracking the beads."""
    from gastown_tui.convoys import create_convoy

    resolved = [ctx.ledger.resolve(b) for b in cmd.bead_ids]
    return Created(str(create_convoy(ctx.ledger, cmd.title, resolved, actor=OVERSEER).id))


@handles(SendMail)
async def send_mail(ctx: HandlerContext, cmd: SendMail) -> Created:
    """Mail from the Overseer."""
    from gastown_tui.mail.mailbox import send
    from gastown_tui.town import list_rigs

    message = send(ctx.ledger, cmd.to, cmd.subject, cmd.body, sender=OVERSEER, events_file=ctx.paths.events,
                   known_rigs={rig.name for rig in list_rigs(ctx.paths)})
    return Created(str(getattr(message, "id", "")))


@handles(ReplyMail)
async def reply_mail(ctx: HandlerContext, cmd: ReplyMail) -> Created:
    """Reply in the thread."""
    from gastown_tui.mail.mailbox import reply

    message = reply(ctx.ledger, cmd.mail_id, cmd.body, sender=OVERSEER, events_file=ctx.paths.events)
    return Created(str(getattr(message, "id", "")))


@handles(MarkRead)
async def mark_read(ctx: HandlerContext, cmd: MarkRead) -> Done:
    """Reading marks read."""
    from gastown_tui.mail.mailbox import read

    read(ctx.ledger, cmd.mail_id, reader=OVERSEER)
    return Done()


@handles(PausePatrol)
async def pause_patrol(ctx: HandlerContext, cmd: PausePatrol) -> Done:
    """Pause or resume."""
    if cmd.paused:
        ctx.engine.scheduler.pause(cmd.name)
    else:
        ctx.engine.scheduler.resume(cmd.name)
    return Done()


@handles(RunPatrol)
async def run_patrol(ctx: HandlerContext, cmd: RunPatrol) -> Done:
    """Run now; the reply comes when the run ends."""
    await ctx.engine.scheduler.run_now(cmd.name)
    return Done()
