"""The Overseer's typed view (backlog, needs you, stable numbers) and the port methods that provide it.

`OverseerPortMixin` gives a port built on `engine.api` (EnginePort) `overseer_view()` and `answer_permission()`;
the app falls back to an empty view for ports without them. UI-side rows are the widgets' own dataclasses.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import gastown_tui.engine.api as api
from widgets.backlog import BacklogItem

NEEDS_YOU_STATES = ("permission-prompt", "waiting-input", "waiting", "errored", "rate-limited")
"""Agent states that put an agent on the "needs you" list (agents.state.NEEDS_YOU plus the costs' rate-limited)."""
ANSWERABLE = ("scripted", "claude")
"""Runtimes with approve/deny keys in screen_rules.yaml (the engine refuses others with one clear line)."""


@dataclass(frozen=True)
class Waiting:
    """An agent that needs the Overseer, with when its state began (epoch seconds, None if unknown)."""

    address: str
    name: str
    state: str
    why: str
    since: float | None
    runtime: str = ""


@dataclass(frozen=True)
class OverseerView:
    """What the backlog tab, the needs-you list and the agent numbers show."""

    backlog: tuple[BacklogItem, ...] = ()
    waiting: tuple[Waiting, ...] = ()
    """Oldest first."""
    numbers: Mapping[str, int] = field(default_factory=dict)
    askable: frozenset[str] | None = None
    """Agents with an earlier session a séance can ask (None: this port does not say)."""


def overseer_view_of(snap: api.TownSnapshot | None) -> OverseerView:
    """The view from an API snapshot."""
    if snap is None:
        return OverseerView()
    backlog = tuple(BacklogItem(r.id, r.title, r.rig, r.priority, r.status, r.assignee, r.kind, r.description,
                                r.convoys, r.created_at) for r in snap.backlog)
    waiting = tuple(sorted((Waiting(a.address, a.name, a.state, a.why, a.since, a.runtime) for a in snap.agents
                            if a.state in NEEDS_YOU_STATES), key=lambda w: (w.since is None, w.since or 0.0)))
    askable = frozenset(a.address for a in snap.agents if a.has_previous_session)
    return OverseerView(backlog, waiting, {n.address: n.number for n in snap.agent_numbers}, askable)


class OverseerPortMixin:
    """For a port that keeps the last `api.TownSnapshot` in `_api_snapshot` and calls commands with `_call`."""

    _api_snapshot: api.TownSnapshot
    _call: Callable[..., Any]

    def overseer_view(self) -> OverseerView:
        """Backlog, needs-you and numbers from the last snapshot."""
        return overseer_view_of(getattr(self, "_api_snapshot", None))

    async def answer_permission(self, address: str, approve: bool) -> str:
        """Approve or deny an agent's permission prompt; returns the keys sent."""
        result = await self._call(api.AnswerPermission(address, approve))
        return str(result.keys)
