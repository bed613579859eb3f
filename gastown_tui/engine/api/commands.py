"""The engine's core commands: reads, agents, beads/convoys/mail, patrols, engine lifecycle. One dataclass each.

Every command names its result type as `Command[R]`; its handler lives in `gastown_tui.engine.handlers.<module>`
(same module name as the API module that defines the command: `commands` -> `handlers/core.py` by convention for
this file, any other `api/<area>.py` -> `handlers/<area>.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

from gastown_tui.engine.api.base import Command, Created, Done, Result
from gastown_tui.engine.api.rows import (
    AgentRow, AgentRows, BeadGraph, EngineInfo, FeedPage, Lines, Names, TownSnapshot,
)
from gastown_tui.engine.api.wire import wire

OVERSEER = "overseer"


# -- engine and reads --------------------------------------------------------------------------------------------

@wire
@dataclass(frozen=True)
class Ping(Command[EngineInfo]):
    """Is the engine there, and which one."""


@wire
@dataclass(frozen=True)
class Subscribe(Command["Subscribed"]):
    """Start receiving events on this connection (pane updates only for panes viewed with ViewPane)."""

    client: str = "tui"


@wire
@dataclass(frozen=True)
class Subscribed(Result):
    """Events follow on this connection; `client_id` names this client in pane size policy and typing."""

    client_id: int
    pid: int


@wire
@dataclass(frozen=True)
class StopEngine(Command[Done]):
    """Stop every agent and the engine ("Stop all" from a TUI, `gastown engine stop`)."""


@wire
@dataclass(frozen=True)
class GetSnapshot(Command[TownSnapshot]):
    """Agents, convoys, mail, merge queue and patrols, read by the engine off every UI loop."""


@wire
@dataclass(frozen=True)
class GetFeed(Command[FeedPage]):
    """The latest `limit` feed entries."""

    limit: int = 200


@wire
@dataclass(frozen=True)
class GetBeadGraph(Command[BeadGraph]):
    """The DAG around a convoy / epic / molecule bead."""

    bead_id: str


@wire
@dataclass(frozen=True)
class GetSlingTargets(Command[Names]):
    """Rigs and agents a bead can be slung to."""


@wire
@dataclass(frozen=True)
class GetStatus(Command[AgentRows]):
    """Every agent and its live state."""


@wire
@dataclass(frozen=True)
class Explain(Command[AgentRow]):
    """Which signal decided one agent's state."""

    address: str


@wire
@dataclass(frozen=True)
class Peek(Command[Lines]):
    """The last `lines` lines of an agent's screen."""

    address: str
    lines: int = 40


# -- agents ------------------------------------------------------------------------------------------------------

@wire
@dataclass(frozen=True)
class StartAgent(Command["SessionInfo"]):
    """Start an agent's session (no-op if it runs)."""

    address: str
    topic: str = "assigned"
    sender: str = OVERSEER


@wire
@dataclass(frozen=True)
class RestartAgent(Command["SessionInfo"]):
    """Restart an agent with its hook; with `delay` > 0 the reply comes first (the caller may be that session)."""

    address: str
    topic: str = "restart"
    delay: float = 0.0


@wire
@dataclass(frozen=True)
class StopAgent(Command[Done]):
    """Stop an agent's session (its hook stays)."""

    address: str


@wire
@dataclass(frozen=True)
class SessionInfo(Result):
    """The session a start/restart produced (empty session_id when only scheduled)."""

    address: str
    session_id: str = ""
    pid: int | None = None
    scheduled_in: float = 0.0


@wire
@dataclass(frozen=True)
class Sling(Command["Slung"]):
    """Hook a bead onto a target (an agent, or a rig: a free polecat is picked) and start it."""

    bead_id: str
    target: str
    sender: str = OVERSEER
    runtime: str = ""
    """A runtime preset name (TownSnapshot.runtimes); blank: the bead's, else the town's default."""


@wire
@dataclass(frozen=True)
class Slung(Result):
    """Where the bead went."""

    address: str
    bead_id: str


@wire
@dataclass(frozen=True)
class SlingStart(Command["SessionInfo"]):
    """Start the agent that just got `bead_id` slung onto its hook (or tell a running one)."""

    address: str
    bead_id: str
    sender: str = OVERSEER


@wire
@dataclass(frozen=True)
class Nudge(Command["NudgeOutcome"]):
    """A message for an agent: typed now if it is idle and nobody types in its pane, else queued."""

    address: str
    message: str
    sender: str = OVERSEER


@wire
@dataclass(frozen=True)
class NudgeOutcome(Result):
    """Delivered now (and verified?) or queued (with the reason)."""

    address: str
    delivered: bool
    verified: bool = False
    nudge_id: str = ""
    reason: str = ""


@wire
@dataclass(frozen=True)
class Handoff(Command[Done]):
    """Pin handoff notes and give the agent's hook to a fresh session."""

    address: str
    notes: str = "Handoff requested by the Overseer."
    session_id: str = ""
    sender: str = OVERSEER


@wire
@dataclass(frozen=True)
class Seance(Command[Done]):
    """Ask an agent's predecessor session a question; the answer arrives as mail."""

    address: str
    question: str


# -- beads, convoys, mail ----------------------------------------------------------------------------------------

@wire
@dataclass(frozen=True)
class NewBead(Command[Created]):
    """Create a bead in a rig (its prefix) or in the town."""

    title: str
    description: str = ""
    rig: str = ""


@wire
@dataclass(frozen=True)
class NewConvoy(Command[Created]):
    """Create a convoy tracking beads."""

    title: str
    bead_ids: tuple[str, ...] = ()


@wire
@dataclass(frozen=True)
class SendMail(Command[Created]):
    """Mail from the Overseer."""

    to: str
    subject: str
    body: str = ""


@wire
@dataclass(frozen=True)
class ReplyMail(Command[Created]):
    """Reply in a thread of the Overseer's inbox."""

    mail_id: str
    body: str


@wire
@dataclass(frozen=True)
class MarkRead(Command[Done]):
    """Mark one message read."""

    mail_id: str


# -- patrols -----------------------------------------------------------------------------------------------------

@wire
@dataclass(frozen=True)
class PausePatrol(Command[Done]):
    """Pause (True) or resume (False) a patrol."""

    name: str
    paused: bool = True


@wire
@dataclass(frozen=True)
class RunPatrol(Command[Done]):
    """Run a patrol now (the reply comes when the run ends)."""

    name: str
