"""The one surface the UI needs from the engine (`TownPort`), and the plain snapshot rows it returns.

The app talks to the engine only through this protocol: `engine_port.ClientPort` speaks the typed engine API
(`gastown_tui.engine.api`) to the town's engine daemon, and UI-only tests pass an in-memory fake.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from gastown_tui.engine.api import MergeRequestRow as MergeRow
from widgets.activity_feed import FeedEntry
from widgets.agent_list import AgentInfo
from widgets.convoy_tree import ConvoyInfo
from widgets.dag_layout import DagNode
from widgets.mail_list import MailItem

__all__ = ["AgentInfo", "ConvoyInfo", "DagNode", "FeedEntry", "MailItem", "MergeRow", "PatrolRow", "TownPort",
           "TownSnapshot"]


@dataclass(frozen=True)
class PatrolRow:
    """One patrol as the patrols tab shows it; times are epoch seconds, formatted by the app's clock."""

    name: str
    interval: float
    next_run: float | None
    last_result: str = ""
    last_summary: str = ""
    last_finished: float | None = None
    paused: bool = False


@dataclass(frozen=True)
class TownSnapshot:
    """Everything the screen shows that is not a live terminal, read in one go."""

    agents: Sequence[AgentInfo] = ()
    convoys: Sequence[ConvoyInfo] = ()
    mail: Sequence[MailItem] = ()
    merge_queue: Sequence[MergeRow] = ()
    """Every merge request (the engine's typed MergeRequestRow: gates, land mode, review, PR)."""
    patrols: Sequence[PatrolRow] = ()
    open_breakers: Sequence[str] = ()
    """One line per open budget breaker (the header shows a badge while any is open)."""
    extra: dict[str, Any] = field(default_factory=dict)


class TownPort(Protocol):
    """Reads, commands and the event subscription the UI uses.

    Commands are coroutines (the app awaits them in a worker) and raise GastownError on user errors; reads
    return what the port holds in memory (the engine computes it), so they never block the UI loop.
    """

    town_name: str

    async def start(self) -> None:
        """Attach to the engine; called once when the app mounts."""
        ...

    async def stop(self) -> None:
        """Detach (never stops the engine's agents); called when the app exits."""
        ...

    def subscribe(self, callback: Callable[[object], None]) -> None:
        """Call `callback(domain_event)` for every engine event (on the app's loop or any thread)."""
        ...

    def snapshot(self) -> TownSnapshot:
        """Current agents, convoys, mail, merge queue and patrols."""
        ...

    def recent_feed(self, limit: int = 200) -> list[FeedEntry]:
        """The latest feed entries, oldest first (to fill the feed on start)."""
        ...

    def bead_graph(self, bead_id: str) -> tuple[list[DagNode], list[tuple[str, str]]]:
        """The DAG around a convoy / epic / molecule bead: nodes and (before, after) edges."""
        ...

    def sling_targets(self) -> list[str]:
        """Names a bead can be slung to (agent addresses and rig names)."""
        ...

    def screen(self, address: str) -> Any | None:
        """The live terminal screen of an agent's session (a TerminalView ScreenSource), or None."""
        ...

    def live_sessions(self) -> int:
        """How many agent sessions are running (quitting asks first when > 0)."""
        ...

    def write(self, address: str, data: bytes) -> None:
        """Send keystrokes from the Overseer to an agent's terminal."""
        ...

    def resize(self, address: str, cols: int, rows: int) -> None:
        """Tell a session its pane size."""
        ...

    def focus_pane(self, address: str) -> None:
        """The current pane changed (its screen updates fastest)."""
        ...

    async def sling(self, bead_id: str, target: str) -> None:
        """Hook a bead onto a target and start it."""
        ...

    async def nudge(self, address: str, message: str) -> None:
        """Queue a message for an agent, delivered when it is idle."""
        ...

    async def seance(self, address: str, question: str) -> None:
        """Ask an agent's predecessor session a question (the answer arrives as mail)."""
        ...

    async def handoff(self, address: str) -> None:
        """Hand the agent's hook to a fresh session."""
        ...

    async def new_bead(self, title: str, description: str = "", rig: str = "") -> str:
        """Create a bead; return its id."""
        ...

    async def new_convoy(self, title: str, bead_ids: Sequence[str]) -> str:
        """Create a convoy tracking `bead_ids`; return its id."""
        ...

    async def send_mail(self, to: str, subject: str, body: str) -> None:
        """Send mail from the Overseer."""
        ...

    async def reply_mail(self, mail_id: str, body: str) -> None:
        """Reply to a message in the Overseer's inbox."""
        ...

    async def mark_read(self, mail_id: str) -> None:
        """Mark one message read."""
        ...

    async def pause_patrol(self, name: str, paused: bool) -> None:
        """Pause (True) or resume (False) a patrol."""
        ...

    async def run_patrol(self, name: str) -> None:
        """Run a patrol now."""
        ...
