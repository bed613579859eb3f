"""ClientPort: the TownPort over an EngineClient (the town's engine, usually another process on the socket).

Reads never block the UI loop: the port keeps the latest snapshot, feed and graph, refreshed in the background
after engine events (one read in flight, one queued at most), and tells the app through the event callback
(`SnapshotReady`) so the app repaints from memory. Terminals are RemoteScreens fed by PaneUpdates; keys, pastes
and resizes go out at once, in order, without waiting for replies. Detaching (stop) never stops the engine;
`stop_all` does.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from gastown_tui.engine import api
from gastown_tui.errors import GastownError
from gastown_tui.ui.port import (
    AgentInfo, ConvoyInfo, DagNode, FeedEntry, MailItem, PatrolRow, TownSnapshot,
)
from gastown_tui.ui.costs_view import with_costs
from gastown_tui.ui.overseer_port import OverseerPortMixin
from gastown_tui.ui.review_port import ReviewPortMixin
from widgets.convoy_tree import TrackedBead

log = logging.getLogger(__name__)
TimeFormat = Callable[[float], str]
Connect = Callable[[], Awaitable[api.EngineClient]]


@dataclass(frozen=True)
class SnapshotReady:
    """Client-side event: a fresh snapshot (and graph) is in the port's memory."""


@dataclass(frozen=True)
class PaneReady:
    """Client-side event: a pane's screen arrived or was replaced (the deck re-reads `screen`)."""

    address: str


@dataclass(frozen=True)
class FeedLoaded:
    """Client-side event: the feed's tail, read when attaching."""

    entries: tuple[FeedEntry, ...]


@dataclass(frozen=True)
class CommandFailed:
    """Client-side event: a fire-and-forget command (keys, resize) failed."""

    text: str


def to_ui(snap: api.TownSnapshot, fmt: TimeFormat) -> TownSnapshot:
    """API rows -> the widgets' data types (costs joined on by address / convoy id)."""
    return with_costs(TownSnapshot(
        agents=[AgentInfo(a.address, a.name, a.rig, a.role, a.state, a.why, a.hook) for a in snap.agents],
        convoys=[ConvoyInfo(c.id, c.title, c.status, tuple(TrackedBead(t.id, t.title, t.status, t.assignee)
                                                           for t in c.beads)) for c in snap.convoys],
        mail=[MailItem(m.id, m.sender, m.subject, m.body, m.unread,
                       fmt(m.created_at)[:5] if m.created_at is not None else "") for m in snap.mail],
        merge_queue=list(snap.merge_requests),
        patrols=[PatrolRow(p.name, p.interval, p.next_run, p.last_result, p.last_summary, p.last_finished,
                           p.paused) for p in snap.patrols]), snap.costs)


def feed_entry(row: api.FeedRow, fmt: TimeFormat) -> FeedEntry:
    """One feed row as the activity widget's entry."""
    return FeedEntry(fmt(row.ts) if row.ts is not None else "", row.actor, row.kind, row.text)


class ClientPort(OverseerPortMixin, ReviewPortMixin):
    """TownPort over an EngineClient (see the module docstring); the mixins add the Overseer's view and review."""

    def __init__(self, connect: Connect, *, town_name: str = "", time_format: TimeFormat,
                 on_started: Callable[[ClientPort], Awaitable[Any]] | None = None,
                 stop_engine_on_exit: bool = False) -> None:
        self._connect = connect
        self.town_name = town_name
        self.time_format = time_format
        self.on_started = on_started
        self.stop_engine_on_exit = stop_engine_on_exit
        """`gastown demo` without --keep: its town is deleted on exit, so its engine must go too."""
        self.client: api.EngineClient | None = None
        self._callbacks: list[Callable[[object], None]] = []
        self._snapshot = TownSnapshot()
        self._api_snapshot = api.TownSnapshot()
        self._feed: list[FeedEntry] = []
        self._targets: list[str] = []
        self._graphs: dict[str, tuple[list[DagNode], list[tuple[str, str]]]] = {}
        self._graph_root: str | None = None
        self._screens: dict[str, api.RemoteScreen] = {}
        self._viewing: set[str] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._refresh_running = False
        self._refresh_again = False
        self._stopping = False
        self._focus = ""
        self.shown: Callable[[str], bool] = lambda _address: True
        """Is this pane on screen? Panes that are not get unviewed (no bytes for hidden agents)."""
        self.lost: str | None = None
        """Why the engine went away (None while attached)."""

    # -- lifecycle -----------------------------------------------------------------------------------------------
    async def start(self) -> None:
        """Attach: connect, subscribe, read everything once, then follow events."""
        self.client = await self._connect()
        self.lost = None
        self._spawn(self._follow(self.client), "engine-events")
        for address in list(self._viewing):  # re-attach after a restart: view what we viewed before
            self._viewing.discard(address)
            self._screens.pop(address, None)
            self._view(address)
        if self._focus:
            self._send(api.FocusPane(self._focus))
        await self._refresh()  # the screen first (agents and their panes), the feed's history after
        feed = await self.client.call(api.GetFeed(200))
        self._feed = [feed_entry(row, self.time_format) for row in feed.entries]
        self._emit(FeedLoaded(tuple(self._feed)))
        if self.on_started is not None:
            hook, self.on_started = self.on_started, None  # once: not again when re-attaching after a restart
            await hook(self)

    async def stop(self) -> None:
        """Detach (the engine and its agents keep running), or stop it for a throwaway demo town."""
        client, self.client = self.client, None
        if client is None:
            return
        if self.stop_engine_on_exit:
            try:
                await client.call(api.StopEngine())
            except GastownError:  # already gone (or going): the throwaway town is deleted next either way
                pass
        await client.close()
        for task in list(self._tasks):
            task.cancel()

    async def stop_all(self) -> None:
        """Stop every agent and the engine ("Stop all"); its going away is then expected, not reported."""
        if self.client is not None:
            self._stopping = True
            await self.client.call(api.StopEngine())

    async def restart_engine(self, ensure: Callable[[], Any]) -> None:
        """After the engine died: start a new one (`ensure` runs in a thread) and attach to it again."""
        await asyncio.to_thread(ensure)
        await self.start()

    def subscribe(self, callback: Callable[[object], None]) -> None:
        """Events (api events plus SnapshotReady/PaneReady) go to `callback` on the app's loop."""
        self._callbacks.append(callback)

    def _emit(self, event: object) -> None:
        for callback in list(self._callbacks):
            callback(event)

    def _spawn(self, coro: Awaitable[Any], name: str) -> None:
        task = asyncio.ensure_future(coro)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            if isinstance(exc, GastownError):
                self._emit(CommandFailed(exc.one_line()))
            else:
                log.error("engine client task %s failed", task.get_name(), exc_info=exc)

    async def _follow(self, client: api.EngineClient) -> None:
        async for event in client.events():
            match event:
                case api.PaneUpdate(address=address):
                    screen = self._screens.get(address)
                    if screen is not None:
                        screen.apply(event)
                        self._emit(api.SessionOutput(address))
                case api.PaneClosed(address=address):
                    self._screens.pop(address, None)
                    self._viewing.discard(address)
                    self._emit(PaneReady(address))
                case api.EngineLost(reason=reason):
                    if client is self.client and not self._stopping:
                        self.client = None
                        self.lost = reason
                        self._emit(event)
                    return
                case _:
                    self._emit(event)
                    if not isinstance(event, (api.SessionOutput, api.NudgeDelivered)):
                        self.schedule_refresh()

    # -- reads (memory only; refreshed in the background) -----------------------------------------------------------
    def schedule_refresh(self) -> None:
        """Read the snapshot again soon (coalesced: one in flight, one queued)."""
        if self._refresh_running:
            self._refresh_again = True
            return
        self._spawn(self._refresh(), "snapshot")

    async def _refresh(self) -> None:
        client = self.client
        if client is None:
            return
        self._refresh_running = True
        try:
            while True:
                self._refresh_again = False
                snap = await client.snapshot()
                self._api_snapshot = snap
                self._snapshot = to_ui(snap, self.time_format)
                self.town_name = self.town_name or snap.town_name
                self._emit(SnapshotReady())  # paint (and view panes) before the slower extras
                self._targets = list((await client.call(api.GetSlingTargets())).items)
                root = self._graph_root
                if root is not None:
                    await self._read_graph(client, root)
                self._emit(SnapshotReady())
                if not self._refresh_again:
                    break
        finally:
            self._refresh_running = False

    async def _read_graph(self, client: api.EngineClient, root: str) -> None:
        try:
            graph = await client.call(api.GetBeadGraph(root))
        except GastownError:
            self._graphs.pop(root, None)
            return
        self._graphs[root] = ([DagNode(n.id, n.label, n.state) for n in graph.nodes],
                              [(e.before, e.after) for e in graph.edges])

    def snapshot(self) -> TownSnapshot:
        """The latest snapshot (memory)."""
        return self._snapshot

    def recent_feed(self, limit: int = 200) -> list[FeedEntry]:
        """The feed read at attach time."""
        return self._feed[-limit:]

    def bead_graph(self, bead_id: str) -> tuple[list[DagNode], list[tuple[str, str]]]:
        """The graph of `bead_id` if read already; otherwise empty now and a SnapshotReady when it arrives."""
        if bead_id != self._graph_root or bead_id not in self._graphs:
            self._graph_root = bead_id
            if self.client is not None and bead_id not in self._graphs:
                client = self.client

                async def read() -> None:
                    await self._read_graph(client, bead_id)
                    self._emit(SnapshotReady())
                self._spawn(read(), "graph")
        return self._graphs.get(bead_id, ([], []))

    def sling_targets(self) -> list[str]:
        """Rigs and agents (memory)."""
        return list(self._targets)

    def live_sessions(self) -> int:
        """Running sessions in the engine (memory)."""
        return self._api_snapshot.live_sessions

    # -- terminals ------------------------------------------------------------------------------------------------
    def screen(self, address: str) -> api.RemoteScreen | None:
        """The pane's RemoteScreen; the first ask starts viewing it (PaneReady follows)."""
        screen = self._screens.get(address)
        if screen is None and address not in self._viewing:
            self._view(address)
        self._unview_hidden()
        return screen

    def _view(self, address: str) -> None:
        client = self.client
        if client is None:
            return
        self._viewing.add(address)

        async def view() -> None:
            try:
                snapshot = await client.call(api.ViewPane(address))
            except GastownError:
                self._viewing.discard(address)  # no session yet: the next screen() asks again
                return
            self._screens[address] = api.RemoteScreen(
                snapshot, lambda start: self._history(address, start),
                on_key=lambda key, char: self._send(api.TypeKeys(address, b"", key, char)))  # kitty keys
            self._emit(PaneReady(address))
        self._spawn(view(), f"view {address}")

    def _unview_hidden(self) -> None:
        client = self.client
        for address in [a for a in self._viewing if not self.shown(a)]:
            self._viewing.discard(address)
            self._screens.pop(address, None)
            if client is not None:
                self._spawn(client.call(api.UnviewPane(address)), f"unview {address}")

    def _history(self, address: str, start: int) -> None:
        client = self.client
        if client is None:
            return

        async def fetch() -> None:
            page = await client.call(api.GetScrollback(address, start, 200))
            screen = self._screens.get(address)
            if screen is not None:
                screen.add_history(page)
                self._emit(api.SessionOutput(address))
        self._spawn(fetch(), f"history {address}")

    def _send(self, command: api.Command[Any]) -> None:
        """Fire and forget, in order (keys must not wait for a reply before the next key)."""
        if self.client is None:
            raise GastownError(f"not attached to the engine ({self.lost or 'not connected'})")
        self._spawn(self.client.call(command), type(command).__name__)

    def write(self, address: str, data: bytes) -> None:
        """Keystrokes for an agent (the engine counts them for the nudge guard)."""
        self._send(api.TypeKeys(address, data))

    def resize(self, address: str, cols: int, rows: int) -> None:
        """This client's pane size (the engine's size policy decides)."""
        self._send(api.ResizePane(address, cols, rows))

    def focus_pane(self, address: str) -> None:
        """The current pane (fast updates); the other visible panes update at the background rate."""
        if address == self._focus:
            return
        self._focus = address
        if self.client is not None:
            self._send(api.FocusPane(address))

    # -- commands (awaited by the app's command worker) ---------------------------------------------------------
    async def _call(self, command: api.Command[Any]) -> Any:
        if self.client is None:
            raise GastownError(f"not attached to the engine ({self.lost or 'not connected'})")
        result = await self.client.call(command)
        self.schedule_refresh()
        return result

    async def sling(self, bead_id: str, target: str, runtime: str = "") -> None:
        """Hook a bead and start its agent (on `runtime`, a preset name, when given)."""
        await self._call(api.Sling(bead_id, target, runtime=runtime))

    def runtimes(self) -> list[str]:
        """Runtime preset names for the sling dialog, the town's default first."""
        return list(self._api_snapshot.runtimes)

    async def nudge(self, address: str, message: str) -> None:
        """Deliver when idle, else queued."""
        await self._call(api.Nudge(address, message))

    async def seance(self, address: str, question: str) -> None:
        """Ask the predecessor session; the answer comes as mail."""
        await self._call(api.Seance(address, question))

    async def handoff(self, address: str) -> None:
        """Fresh session with the same hook."""
        await self._call(api.Handoff(address))

    async def new_bead(self, title: str, description: str = "", rig: str = "") -> str:
        """Create a bead; its id."""
        return str((await self._call(api.NewBead(title, description, rig))).id)

    async def new_convoy(self, title: str, bead_ids: Sequence[str]) -> str:
        """Create a convoy; its id."""
        return str((await self._call(api.NewConvoy(title, tuple(bead_ids)))).id)

    async def send_mail(self, to: str, subject: str, body: str) -> None:
        """Mail from the Overseer."""
        await self._call(api.SendMail(to, subject, body))

    async def reply_mail(self, mail_id: str, body: str) -> None:
        """Reply in the thread."""
        await self._call(api.ReplyMail(mail_id, body))

    async def mark_read(self, mail_id: str) -> None:
        """Mark read."""
        await self._call(api.MarkRead(mail_id))

    async def pause_patrol(self, name: str, paused: bool) -> None:
        """Pause or resume a patrol."""
        await self._call(api.PausePatrol(name, paused))

    async def run_patrol(self, name: str) -> None:
        """Run a patrol now."""
        await self._call(api.RunPatrol(name))


