"""Handlers: engine lifecycle and agent state reads (Ping, Subscribe, StopEngine, GetStatus, Explain, Peek)."""

from __future__ import annotations

import os
from typing import Any

from gastown_tui.engine.api.base import Done
from gastown_tui.engine.api.commands import Explain, GetStatus, Peek, Ping, StopEngine, Subscribe, Subscribed
from gastown_tui.engine.api.rows import AgentRow, AgentRows, EngineInfo, Lines
from gastown_tui.engine.api.wire import WIRE_VERSION
from gastown_tui.engine.dispatch import HandlerContext, handles


def agent_name(address: str) -> str:
    """'demo/polecats/nux' -> 'nux'; 'mayor/' -> 'mayor'."""
    return address.rstrip("/").rsplit("/", 1)[-1]


def agent_row(row: dict[str, Any]) -> AgentRow:
    """The engine's status dict for one agent as a typed row."""
    address = str(row["address"])
    pid = row.get("pid")
    return AgentRow(address, agent_name(address), str(row.get("rig") or ""), str(row.get("role") or ""),
                    str(row.get("state") or "off"), str(row.get("explain") or row.get("detail") or ""),
                    str(row.get("hook") or ""), str(row.get("runtime") or ""), str(row.get("session_id") or ""),
                    pid if isinstance(pid, int) else None, str(row.get("source") or ""),
                    row["since"] if isinstance(row.get("since"), (int, float)) else None)


@handles(Ping)
async def ping(ctx: HandlerContext, _cmd: Ping) -> EngineInfo:
    """Who answers."""
    from gastown_tui.town import load_town_config

    name = load_town_config(ctx.paths).name or ctx.paths.root.name
    return EngineInfo(os.getpid(), str(ctx.paths.root), name, WIRE_VERSION, ctx.engine.started_at)


@handles(Subscribe)
async def subscribe(ctx: HandlerContext, _cmd: Subscribe) -> Subscribed:
    """Domain events flow to this client from now on."""
    ctx.engine.dispatcher.subscribe(ctx.client_id)
    return Subscribed(ctx.client_id, os.getpid())


@handles(StopEngine)
async def stop_engine(ctx: HandlerContext, _cmd: StopEngine) -> Done:
    """Answer first, then stop every agent and the engine."""
    ctx.engine.request_stop(f"StopEngine from client {ctx.client_id}")
    return Done()


@handles(GetStatus)
async def get_status(ctx: HandlerContext, _cmd: GetStatus) -> AgentRows:
    """Every agent's row."""
    return AgentRows(tuple(agent_row(row) for row in ctx.engine.status()))


@handles(Explain)
async def explain(ctx: HandlerContext, cmd: Explain) -> AgentRow:
    """The verdict with its deciding signal."""
    return agent_row(ctx.engine.explain(cmd.address))


@handles(Peek)
async def peek(ctx: HandlerContext, cmd: Peek) -> Lines:
    """The tail of an agent's screen."""
    return Lines(tuple(ctx.engine.peek(cmd.address, cmd.lines)))


__all__ = ["agent_name", "agent_row"]
