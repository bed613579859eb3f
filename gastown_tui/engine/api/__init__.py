"""The typed engine API: every command, result and event as a frozen dataclass, one client protocol, one wire format.

This package is all a UI (and every other client) may import from the engine. It holds no engine objects.

Modules
    base.py          Command[R], Result, Event, Done, Created, Failure
    commands.py      core commands (reads, agents, beads/convoys/mail, patrols, engine lifecycle) + small results
    rows.py          read results: TownSnapshot and its rows (AgentRow, ConvoyRow, MailRow, MergeRow, PatrolRow...)
    events.py        domain events (AgentStateChanged, SessionExited, FeedEvent, MailArrived, ...)
    review.py        merge requests (MergeRequestRow on the snapshot), MrDiff/PolecatDiff -> DiffResult, ApproveMr,
                     RejectMr, RunDoctor -> DoctorReport
    panes.py         live terminals: ViewPane -> PaneSnapshot, PaneUpdate events, GetScrollback, TypeKeys, Paste,
                     MouseInput, ResizePane, and the multi-client size policy
    remote_screen.py RemoteScreen: the client's copy of a pane (a widgets ScreenSource)
    client.py        EngineClient protocol, InProcessClient (tests), EngineNotRunning/EngineBusy, EngineLost
    socket_client.py SocketClient (the TUI), call_sync (the CLI), connect rules (retry a full backlog)
    wire.py          the wire format (below), encode/decode, the @wire registry

Wire format (version 1, `wire.WIRE_VERSION`): UTF-8 JSON, one object per line, over `.gastown/engine.sock` (0600).
    request   {"v": 1, "id": 7, "t": "Nudge", "d": {"address": "demo/polecats/nux", "message": "hi"}}
    reply     {"v": 1, "re": 7, "t": "NudgeOutcome", "d": {...}}   or   {"v": 1, "re": 7, "t": "Failure",
              "d": {"kind": "NotFound", "message": "no agent 'nux'"}}
    event     {"v": 1, "t": "PaneUpdate", "d": {...}}              (only after a Subscribe on that connection)
  `t` is the class name; `d` holds the fields (defaults may be left out; bytes are base64; tuples are arrays).
  Replies may come out of order (match `re`); events interleave with replies. A different `v` is refused.
  The legacy `{"op": ...}` requests of older `gt` binaries are still answered on the same socket.

Conventions
  - One frozen dataclass per command, result, row and event, decorated `@wire` (its class name is its tag, unique
    across the package). Commands subclass `Command[ResultType]`; results subclass `Result`; events `Event`.
  - Fields are plain data: str/int/float/bool/None/bytes, tuples (never lists), `dict[str, X]`, nested @wire
    dataclasses. Never an engine object, never `dict[str, Any]` where a row type can say what it holds.
  - Adding a field WITH a default is compatible; changing or removing one bumps WIRE_VERSION.
  - Handlers: one dispatcher in the engine (`gastown_tui.engine.dispatch`). The handler of a command defined in
    `api/<area>.py` lives in `gastown_tui/engine/handlers/<area>.py` (`panes.py` -> `handlers/panes.py`; the core
    `commands.py` is split by topic over handlers/core.py, agents.py, town.py, snapshot.py), registered with
    `@handles(TheCommand)`. A handler is
    `async def f(ctx: HandlerContext, cmd: TheCommand) -> ResultType`; `ctx` gives what handlers use (ledger, paths,
    bus, sessions, scheduler, clock, the calling client id). Raise GastownError subclasses for user errors: the
    client re-raises the same class with the same one-line message.

How another engineer adds a command (e.g. approve a permission prompt)
  1. In `api/overseer.py`: `@wire @dataclass(frozen=True) class ApprovePermission(Command[Done]): address: str`.
  2. In `engine/handlers/overseer.py`: `@handles(ApprovePermission) async def approve(ctx, cmd) -> Done: ...`.
  3. Add "overseer" to `HANDLER_MODULES` in `engine/handlers/__init__.py`, and re-export the new names below.
  4. The UI calls `await client.call(ApprovePermission("demo/polecats/nux"))`. `tests/engine/test_api_wire.py`
     round-trips every registered type automatically; `test_every_command_has_a_handler` fails until step 2.
How to add rows to the snapshot (e.g. backlog rows, "needs you" rows)
  1. Define `@wire` row dataclasses in your API module (`BacklogRow`, `NeedsYouRow`).
  2. Add a defaulted field to `rows.TownSnapshot` (`backlog: tuple[BacklogRow, ...] = ()`): one line.
  3. In your handlers module: `@snapshot_part("backlog") def backlog(paths, ledger) -> tuple[BacklogRow, ...]`
     (from `engine.handlers.snapshot`); it runs in the snapshot's worker thread, off every UI loop.
  4. The UI reads `snapshot.backlog`. Rows other engineers deliver (costs, review/diff, doctor) are wired the same
     way: their dataclasses become @wire rows, one field each.
"""

from __future__ import annotations

from gastown_tui.engine.api.base import Command, Created, Done, Event, Failure, Result
from gastown_tui.engine.api.client import (
    EngineBusy, EngineClient, EngineLost, EngineNotRunning, InProcessClient, Server,
)
from gastown_tui.engine.api.commands import (
    OVERSEER, Explain, GetBeadGraph, GetFeed, GetSlingTargets, GetSnapshot, GetStatus, Handoff, MarkRead, NewBead,
    NewConvoy, Nudge, NudgeOutcome, PausePatrol, Peek, Ping, ReplyMail, RestartAgent, RunPatrol, Seance, SendMail,
    SessionInfo, Sling, SlingStart, Slung, StartAgent, StopAgent, StopEngine, Subscribe, Subscribed,
)
from gastown_tui.engine.api.events import (
    AgentStateChanged, BeadChanged, DomainEvent, EngineStatus, FeedEvent, MailArrived, NudgeDelivered, NudgeQueued,
    SessionExited, SessionOutput, SessionStarted,
)
from gastown_tui.engine.api.costs import AgentCost, BreakerRow, ConvoyCost, CostsView
from gastown_tui.engine.api.overseer import AgentNumber, AnswerPermission, BacklogRow, PermissionAnswered
from gastown_tui.engine.api.panes import (
    FocusPane, GetScrollback, MouseInput, PaneClosed, PaneModes, PaneRow, PaneSnapshot, PaneUpdate, Paste,
    ResizePane, Run, ScrollbackPage, TypeKeys, UnviewPane, ViewPane,
)
from gastown_tui.engine.api.review import (
    ApproveMr, DiffResult, DoctorReport, DoctorRow, FileStatRow, GateRow, MergeRequestRow, MrDiff, PolecatDiff,
    RejectMr, ReviewDone, RunDoctor,
)
from gastown_tui.engine.api.remote_screen import RemoteScreen, ViewCell
from gastown_tui.engine.api.rows import (
    AgentRow, AgentRows, BeadGraph, ConvoyRow, EngineInfo, FeedPage, FeedRow, GraphEdge, GraphNode, Lines, MailRow,
    MergeRow, Names, PatrolRow, TownSnapshot, TrackedRow,
)
from gastown_tui.engine.api.socket_client import SocketClient, call_sync, connect_socket
from gastown_tui.engine.api.wire import WIRE_VERSION, Envelope, WireError, decode, encode, registered, wire

__all__ = [
    "AgentCost", "BreakerRow", "ConvoyCost", "CostsView",
    "ApproveMr", "DiffResult", "DoctorReport", "DoctorRow", "FileStatRow", "GateRow", "MergeRequestRow", "MrDiff",
    "PolecatDiff", "RejectMr", "ReviewDone", "RunDoctor",
    "AgentNumber", "AnswerPermission", "BacklogRow", "PermissionAnswered",
    "OVERSEER", "WIRE_VERSION", "AgentRow", "AgentRows", "AgentStateChanged", "BeadChanged", "BeadGraph", "Command",
    "ConvoyRow", "Created", "Done", "DomainEvent", "EngineBusy", "EngineClient", "EngineInfo", "EngineLost",
    "EngineNotRunning", "EngineStatus", "Envelope", "Event", "Explain", "Failure", "FeedEvent", "FeedPage", "FeedRow",
    "FocusPane",
    "GetBeadGraph", "GetFeed", "GetScrollback", "GetSlingTargets", "GetSnapshot", "GetStatus", "GraphEdge",
    "GraphNode", "Handoff", "InProcessClient", "Lines", "MailArrived", "MailRow", "MarkRead", "MergeRow",
    "MouseInput", "Names", "NewBead", "NewConvoy", "Nudge", "NudgeDelivered", "NudgeOutcome", "NudgeQueued",
    "PaneClosed", "PaneModes", "PaneRow", "PaneSnapshot", "PaneUpdate", "Paste", "PatrolRow", "PausePatrol", "Peek",
    "Ping", "RemoteScreen", "ReplyMail", "ResizePane", "RestartAgent", "Result", "Run", "RunPatrol", "ScrollbackPage",
    "Seance", "SendMail", "Server", "SessionExited", "SessionInfo", "SessionOutput", "SessionStarted", "Sling",
    "SlingStart", "Slung", "SocketClient", "StartAgent", "StopAgent", "StopEngine", "Subscribe", "Subscribed",
    "TownSnapshot", "TrackedRow", "TypeKeys", "UnviewPane", "ViewCell", "ViewPane", "WireError", "call_sync",
    "connect_socket", "decode", "encode", "registered", "wire",
]
