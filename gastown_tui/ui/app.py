"""GastownApp: convoys and agents on the left, live terminals in the centre, graph/mail/feed/queue/patrols right."""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Callable
from typing import Any

from textual import on, work
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Footer, Static, TabbedContent, TabPane

from gastown_tui.errors import GastownError
from gastown_tui.gc_tuning import freeze_startup_heap
from gastown_tui.ui.actions import ActionsMixin
from gastown_tui.ui.detach import EngineLinkMixin
from gastown_tui.ui.bindings import APP_BINDINGS, read_keymap
from gastown_tui.ui.bridge import Bridge, TimeFormat, local_hms
from gastown_tui.ui.commands import ActionsProvider, AgentsProvider
from gastown_tui.ui.messages import (
    AgentOutput,
    FeedAppended,
    MailNotice,
    Notice,
    SessionEnded,
    TownChanged,
)
from gastown_tui.ui.panels.status import StatusHeader
from gastown_tui.ui.panels.tables import MergeQueueTable, PatrolsTable
from gastown_tui.ui.panels.terminals import TerminalDeck
from gastown_tui.ui.port import TownPort, TownSnapshot
from gastown_tui.ui.review_actions import ReviewMixin
from widgets.activity_feed import ActivityFeed
from widgets.backlog import BacklogView
from widgets.agent_list import AgentInfo, AgentList
from widgets.convoy_tree import ConvoyTree
from widgets.dag_view import DagView
from widgets.mail_list import MailList
from widgets.terminal_view import TerminalView

_log = logging.getLogger(__name__)




class GastownApp(EngineLinkMixin, ReviewMixin, ActionsMixin, App[None]):
    """The Overseer's screen. Everything it shows comes from a TownPort; every command goes back through it."""

    CSS_PATH = "app.tcss"
    TITLE = "Gas Town"
    BINDINGS = APP_BINDINGS
    COMMANDS = App.COMMANDS | {ActionsProvider, AgentsProvider}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]

    def __init__(self, port: TownPort, *, now: Callable[[], float] = time.time, time_format: TimeFormat = local_hms,
                 keymap: dict[str, str] | None = None, layout: str | None = None, blink: bool = True,
                 start_engine: bool = True, freeze_heap: bool = False) -> None:
        super().__init__()
        self.freeze_heap = freeze_heap
        """Move the heap to the GC's permanent generation once the engine is up (set by `run_tui`, not tests)."""
        self.port = port
        self.now = now
        self.time_format = time_format
        self.keymap_problems: list[str] = []
        if keymap is None:
            keymap, self.keymap_problems = read_keymap()
        self.keymap = dict(keymap)
        self.blink = blink
        self.start_engine = start_engine
        self.initial_layout = layout
        self.snapshot = TownSnapshot()
        self.selected_bead: str | None = None
        self.selected_agent: str | None = None
        self.graph_root: str | None = None
        self._focus_before_zoom: Widget | None = None
        self.bridge = Bridge(self, port, time_format)
        self.snapshots_taken = 0
        """How many times the snapshot was re-read (tests check events are coalesced)."""

    # -- layout ---------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        """Header, the three columns, footer."""
        yield StatusHeader(self.time_format, id="status")
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield ConvoyTree(id="convoys")
                yield AgentList(id="agents")
            # Default layout by width: a grid only where panes stay wide enough to read an agent's screen.
            # (until the first snapshot says how many agents are live: then apply_default_layout decides once)
            layout = self.initial_layout or "1"
            yield TerminalDeck(self.port.screen, self.write_to_agent, layout=layout, id="deck")
            with TabbedContent(id="right", initial="graph"):
                with TabPane("Graph", id="graph"):
                    yield Static("Select a convoy or bead.", id="dag-caption")
                    yield DagView(column_width=18, id="dag")
                with TabPane("Mail", id="mail"):
                    yield MailList(id="inbox")
                with TabPane("Feed", id="feed"):
                    yield ActivityFeed(id="activity")
                with TabPane("Queue", id="queue"):
                    yield MergeQueueTable(id="merge-queue")
                with TabPane("Patrols", id="patrols"):
                    yield PatrolsTable(self.now, time_format=self.time_format, id="patrol-table")
                with TabPane("Beads", id="beads"):
                    yield BacklogView(blink=self.blink, id="backlog")
        yield Footer()

    async def on_mount(self) -> None:
        """Apply the keymap, attach the bridge, show the town, start the engine."""
        if self.keymap:
            self.set_keymap(self.keymap)
        for problem in self.keymap_problems:
            self.notify(problem, title="Keymap", severity="warning", timeout=10)
        self.bridge.shown = self.query_one(TerminalDeck).shows  # hidden agents' output never reaches the app
        self.bridge.attach()
        self.refresh_town()
        self.query_one(ActivityFeed).add_entries(self.port.recent_feed())
        self.query_one(ConvoyTree).focus()
        if self.start_engine:
            self.start_port()  # attaching is cheap (the engine runs elsewhere): overlap it with the first paint

    @work(exit_on_error=False, group="engine", description="attach to the engine")
    async def start_port(self) -> None:
        """Attach to the engine (connect, subscribe, first snapshot) without blocking the first paint."""
        try:
            await self.port.start()
        except Exception as exc:  # the UI stays up so the Overseer can read why
            self.notify(str(exc), title="Could not attach to the engine", severity="error", timeout=30)
        else:
            self.show_doctor_problems()  # once, off the UI loop: the engine runs the checks
        if self.freeze_heap:
            # Everything alive now (modules, ledger, widgets, sessions) lives as long as the app. Left in the GC's
            # oldest generation, each full collection walked it all: ~145 ms pauses every ~2 s with 30 agents,
            # the key-latency p99. Frozen, a full collection walks only what came since (~80 ms measured), and
            # run_tui's GC thresholds make those rare.
            freeze_startup_heap()
        self.post_message(TownChanged())

    async def on_unmount(self) -> None:
        """Detach from the engine (the port decides; a TUI never stops the engine by going away)."""
        if self.start_engine:
            try:
                await self.port.stop()
            except Exception:  # noqa: BLE001 - exiting anyway: record it, do not block the exit
                _log.exception("engine did not stop cleanly")

    # -- domain events in -------------------------------------------------------------------------------------

    def refresh_town(self) -> None:
        """Take the port's latest snapshot (memory: the engine computes it) and hand each widget its part."""
        try:
            snap = self.port.snapshot()
        except GastownError as exc:
            self.notify(exc.one_line(), title="Could not read the town", severity="error")
            return
        self.snapshots_taken += 1
        self.snapshot = snap
        self.query_one(StatusHeader).show(self.port.town_name, snap)
        self.query_one(ConvoyTree).set_convoys(snap.convoys)
        agents = self.query_one(AgentList)
        agents.set_agents(snap.agents)
        deck = self.query_one(TerminalDeck)
        deck.set_agents(agents.agents)
        self.port.focus_pane(deck.current_address or "")  # the engine updates this pane fastest
        self.apply_default_layout(snap.agents)
        self.query_one(MailList).set_items(snap.mail)
        self.query_one(MergeQueueTable).set_rows(snap.merge_queue)
        self.query_one(PatrolsTable).set_rows(snap.patrols)
        self.refresh_overseer()
        if self.graph_root is None and snap.convoys:
            self.graph_root = snap.convoys[0].id
        self.refresh_graph()

    def refresh_graph(self) -> None:
        """Redraw the bead graph of the selected convoy/epic (states update in place when the shape is the same)."""
        if self.graph_root is None:
            return
        try:
            nodes, edges = self.port.bead_graph(self.graph_root)
        except GastownError as exc:
            self.query_one("#dag-caption", Static).update(exc.one_line())
            return
        dag = self.query_one(DagView)
        dag.set_graph(nodes, edges)
        if self.selected_bead:
            dag.select_node(self.selected_bead)
        title = next((c.title for c in self.snapshot.convoys if c.id == self.graph_root), "")
        self.query_one("#dag-caption", Static).update(f"{self.graph_root} {title}".strip())

    @on(TownChanged)
    def town_changed(self) -> None:
        """Coalesced change: repaint from the port's latest snapshot."""
        self.bridge.town_handled()
        self.refresh_town()

    @on(AgentOutput)
    def agent_output(self, message: AgentOutput) -> None:
        """Repaint the agent's pane if it is visible (hidden panes cost nothing)."""
        self.bridge.output_handled(message.address)
        self.query_one(TerminalDeck).output(message.address)

    @on(FeedAppended)
    def feed_appended(self, message: FeedAppended) -> None:
        """New activity lines."""
        self.query_one(ActivityFeed).add_entries(message.entries)

    @on(MailNotice)
    def mail_notice(self, message: MailNotice) -> None:
        """A toast for new Overseer mail."""
        self.notify(message.subject, title=f"Mail from {message.sender}" if message.sender else "New mail")

    @on(Notice)
    def notice(self, message: Notice) -> None:
        """A short toast from the engine (nudge queued/delivered …)."""
        self.notify(message.text, title=message.title, severity=message.severity)  # type: ignore[arg-type]

    @on(SessionEnded)
    def session_ended(self, message: SessionEnded) -> None:
        """Tell the Overseer a session exited: a clean exit (a finished or re-slung agent) is news, not an alarm."""
        if message.status in ("", "0", "None") or message.status.startswith("-"):  # clean, or stopped by us
            self.notify(f"{message.address}: session finished", title="Session ended", timeout=4)
        else:
            self.notify(f"{message.address} exited with status {message.status}", title="Session failed",
                        severity="warning")

    # -- selection ----------------------------------------------------------------------------------------------

    @on(ConvoyTree.BeadHighlighted)
    def bead_from_tree(self, message: ConvoyTree.BeadHighlighted) -> None:
        """A tracked bead is selected: it becomes the sling subject; its convoy's graph is shown."""
        self.selected_bead = message.bead_id
        if message.convoy_id != self.graph_root:
            self.graph_root = message.convoy_id
            self.refresh_graph()
        else:
            self.query_one(DagView).select_node(message.bead_id)

    @on(ConvoyTree.ConvoyHighlighted)
    def convoy_from_tree(self, message: ConvoyTree.ConvoyHighlighted) -> None:
        """A convoy is selected: show its graph."""
        if message.convoy_id != self.graph_root:
            self.graph_root = message.convoy_id
            self.refresh_graph()

    @on(DagView.NodeHighlighted)
    def bead_from_graph(self, message: DagView.NodeHighlighted) -> None:
        """Moving in the graph selects that bead."""
        self.selected_bead = message.node_id

    @on(AgentList.AgentHighlighted)
    def agent_highlighted(self, message: AgentList.AgentHighlighted) -> None:
        """The nudge/séance/handoff subject."""
        self.selected_agent = message.address

    @on(AgentList.AgentSelected)
    def agent_chosen(self, message: AgentList.AgentSelected) -> None:
        """Enter on an agent: show it in the current pane and type into it."""
        self.show_agent(message.address)
        self.action_focus_terminal()

    @on(TerminalDeck.PaneChanged)
    def pane_changed(self, message: TerminalDeck.PaneChanged) -> None:
        """The current pane's agent becomes the selected agent (and the pane the engine updates fastest)."""
        self.port.focus_pane(message.address or "")
        if message.address:
            self.selected_agent = message.address
            self.query_one(AgentList).select_address(message.address)

    @on(MailList.Opened)
    def mail_opened(self, message: MailList.Opened) -> None:
        """Reading a message marks it read (in the list now, in the ledger via a worker)."""
        message.mail_list.mark_read(message.mail_id)
        self.run_command("Mark read", self.port.mark_read, message.mail_id, quiet=True)

    def write_to_agent(self, address: str, data: bytes) -> None:
        """Keystrokes from a focused pane go to that agent's session."""
        try:
            self.port.write(address, data)
        except GastownError as exc:
            self.notify(exc.one_line(), title="Could not type", severity="error")

    @on(TerminalView.ReleaseFocus)
    def terminal_released(self) -> None:
        """The terminal's own release chord gives focus back."""
        self.action_release_terminal()

    @on(TerminalView.Resized)
    def terminal_resized(self, message: TerminalView.Resized) -> None:
        """A pane's size is the session's size (PTY and screen resize together)."""
        for pane in self.query_one(TerminalDeck).panes:
            if pane.body is message.control and pane.address and message.cols > 0 and message.rows > 0:
                try:
                    self.port.resize(pane.address, message.cols, message.rows)
                except GastownError as exc:  # a session that just exited: the next snapshot shows it
                    _log.debug("resize of %s skipped: %s", pane.address, exc.one_line())

    def agent_order(self) -> tuple[AgentInfo, ...]:
        """Agents in list order (1-9 jump numbers follow it)."""
        return self.query_one(AgentList).agents

    def show_agent(self, address: str) -> None:
        """Show an agent in the current pane and select it."""
        self.query_one(TerminalDeck).show(address)
        self.selected_agent = address
        self.query_one(AgentList).select_address(address)

    # -- commands out ---------------------------------------------------------------------------------------------

    @work(exit_on_error=False, group="commands", description="engine command")
    async def run_command(self, label: str, fn: Callable[..., Any], *args: Any, success: str = "",
                          quiet: bool = False) -> None:
        """Call one engine command (awaiting it if it is a coroutine); report failure as an error toast."""
        try:
            result = fn(*args)
            if inspect.isawaitable(result):
                await result
        except GastownError as exc:
            self.notify(exc.one_line(), title=f"{label} failed", severity="error", timeout=10)
            return
        except Exception as exc:  # an engine bug must not kill the Overseer's screen
            self.notify(f"{type(exc).__name__}: {exc}", title=f"{label} failed", severity="error", timeout=10)
            return
        if success and not quiet:
            self.notify(success, title=label)
        self.post_message(TownChanged())
