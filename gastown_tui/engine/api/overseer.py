"""The Overseer's rows and commands: the backlog, stable agent numbers, answering a permission prompt.

Rows ride on `TownSnapshot` (`backlog`, `agent_numbers`); their snapshot parts and the command's handler live in
`gastown_tui.engine.handlers.overseer`.
"""

from __future__ import annotations

from dataclasses import dataclass

from gastown_tui.engine.api.base import Command, Result
from gastown_tui.engine.api.wire import wire


@wire
@dataclass(frozen=True)
class BacklogRow:
    """One open work bead (task, bug, feature, epic, chore), whether or not a convoy tracks it."""

    id: str
    title: str
    rig: str = ""
    """The rig whose prefix the id carries ('' for town beads)."""
    priority: int = 2
    """0 (critical) .. 4 (backlog), the beads convention."""
    status: str = "open"
    assignee: str = ""
    kind: str = "task"
    created_at: float | None = None
    description: str = ""
    """The first 2,000 characters (the details view shows them)."""
    convoys: tuple[str, ...] = ()
    """Ids of the open convoys that track it."""


@wire
@dataclass(frozen=True)
class AgentNumber:
    """An agent's stable number: its rank in order of first appearance in the town (agent bead creation)."""

    address: str
    number: int


@wire
@dataclass(frozen=True)
class PermissionAnswered(Result):
    """Which keys were sent to answer a permission prompt."""

    address: str
    approved: bool
    keys: str


@wire
@dataclass(frozen=True)
class AnswerPermission(Command[PermissionAnswered]):
    """Approve (or deny) the permission prompt an agent is showing, with its runtime's keys (screen_rules.yaml).

    Refused (Conflict) unless the agent's state is permission-prompt right now, so a stale list never types
    '1' into an agent that moved on; refused (InvalidInput) when the runtime has no known keys.
    """

    address: str
    approve: bool = True
