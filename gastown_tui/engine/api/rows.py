"""Read results: the town snapshot and its rows, computed by the engine and sent whole (no live objects)."""

from __future__ import annotations

from dataclasses import dataclass
from gastown_tui.engine.api.base import Result
from gastown_tui.engine.api.costs import CostsView
from gastown_tui.engine.api.overseer import AgentNumber, BacklogRow
from gastown_tui.engine.api.review import MergeRequestRow
from gastown_tui.engine.api.wire import wire


@wire
@dataclass(frozen=True)
class EngineInfo(Result):
    """Who answers: the engine's pid, town root, wire version and start time (epoch seconds)."""

    pid: int
    town: str
    town_name: str = ""
    wire_version: int = 1
    started_at: float = 0.0


@wire
@dataclass(frozen=True)
class AgentRow(Result):
    """One agent as the agent list shows it; `why` is the state verdict explained."""

    address: str
    name: str
    rig: str
    role: str
    state: str = "off"
    why: str = ""
    hook: str = ""
    runtime: str = ""
    session_id: str = ""
    pid: int | None = None
    source: str = ""
    since: float | None = None
    """When the signal that decided `state` was observed (the "needs you" list is oldest first)."""
    has_previous_session: bool = False
    """A séance can ask it: the feed records a session of this agent other than the live one."""


@wire
@dataclass(frozen=True)
class TrackedRow:
    """A bead a convoy tracks, with its landing state."""

    id: str
    title: str
    status: str = "open"
    assignee: str = ""


@wire
@dataclass(frozen=True)
class ConvoyRow:
    """A convoy and its tracked beads."""

    id: str
    title: str
    status: str = "open"
    beads: tuple[TrackedRow, ...] = ()


@wire
@dataclass(frozen=True)
class MailRow:
    """One message in the Overseer's inbox; `when` is the engine's short local time label."""

    id: str
    sender: str
    subject: str
    body: str = ""
    unread: bool = True
    when: str = ""
    created_at: float | None = None


@wire
@dataclass(frozen=True)
class MergeRow:
    """One merge request in a rig's queue."""

    id: str
    rig: str
    branch: str
    bead: str
    status: str
    """queued, merging, ..."""
    agent: str = ""


@wire
@dataclass(frozen=True)
class PatrolRow:
    """One patrol as the patrols tab shows it; times are epoch seconds."""

    name: str
    interval: float
    next_run: float | None
    last_result: str = ""
    last_summary: str = ""
    last_finished: float | None = None
    paused: bool = False


@wire
@dataclass(frozen=True)
class FeedRow:
    """One activity-feed line: epoch seconds, short actor, kind, text."""

    ts: float | None
    actor: str
    kind: str
    text: str


@wire
@dataclass(frozen=True)
class TownSnapshot(Result):
    """Everything the screen shows that is not a live terminal, read by the engine in one go.

    New panels add a typed, defaulted field here and fill it with `@snapshot_part("field")` in their handlers
    module (see the package docstring).
    """

    town_name: str = ""
    agents: tuple[AgentRow, ...] = ()
    convoys: tuple[ConvoyRow, ...] = ()
    mail: tuple[MailRow, ...] = ()
    merge_queue: tuple[MergeRow, ...] = ()
    patrols: tuple[PatrolRow, ...] = ()
    live_sessions: int = 0
    backlog: tuple[BacklogRow, ...] = ()
    agent_numbers: tuple[AgentNumber, ...] = ()
    runtimes: tuple[str, ...] = ()
    """Runtime preset names the sling dialog offers (built-in and town.toml), the town's default first."""
    merge_requests: tuple[MergeRequestRow, ...] = ()
    """Every MR with gates, land mode and review state (api.review); `merge_queue` is the older short form."""
    costs: CostsView = CostsView()
    """Agent usage, convoy spend and open budget breakers (api.costs)."""


@wire
@dataclass(frozen=True)
class FeedPage(Result):
    """The tail of the activity feed, oldest first."""

    entries: tuple[FeedRow, ...] = ()


@wire
@dataclass(frozen=True)
class GraphNode:
    """A node of the bead graph: id, label, and ready/blocked/in_progress/done."""

    id: str
    label: str
    state: str = "ready"


@wire
@dataclass(frozen=True)
class GraphEdge:
    """A `blocks` edge: `before` must finish before `after`."""

    before: str
    after: str


@wire
@dataclass(frozen=True)
class BeadGraph(Result):
    """The DAG around a convoy, epic or molecule."""

    root: str
    nodes: tuple[GraphNode, ...] = ()
    edges: tuple[GraphEdge, ...] = ()


@wire
@dataclass(frozen=True)
class Names(Result):
    """A list of names (sling targets, ...)."""

    items: tuple[str, ...] = ()


@wire
@dataclass(frozen=True)
class Lines(Result):
    """Plain text lines (peek)."""

    lines: tuple[str, ...] = ()


@wire
@dataclass(frozen=True)
class AgentRows(Result):
    """Every agent's row (`gastown engine status`)."""

    agents: tuple[AgentRow, ...] = ()
