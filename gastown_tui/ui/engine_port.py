"""EnginePort: the TownPort over a real in-process `Engine` (reads from the ledger, commands through the engine).

The engine runs on the app's own event loop, so nothing here may call the engine's control socket (that would wait
on the loop it is running on); commands that block on git or subprocesses run in a thread (the ledger is
thread-safe), and session work is awaited on the loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

from gastown_tui import events as feed
from gastown_tui.errors import NotFound
from gastown_tui.records import TOWN_PREFIX, parse_address
from gastown_tui.ui.bridge import TimeFormat, feed_entry, local_hms
from gastown_tui.ui.port import (
    AgentInfo, ConvoyInfo, DagNode, FeedEntry, MailItem, MergeRow, PatrolRow, TownSnapshot,
)
from widgets.convoy_tree import TrackedBead

OVERSEER = "overseer"
CONVOY_STATE_TO_NODE = {"landed": "done", "merging": "in_progress", "working": "in_progress", "ready": "ready",
                        "blocked": "blocked", "closed-unmerged": "in_progress"}
"""Convoy tracking states -> DagView node states."""


def agent_name(address: str) -> str:
    """'demo/polecats/nux' -> 'nux'; 'mayor/' -> 'mayor'."""
    return address.rstrip("/").rsplit("/", 1)[-1]


class EnginePort:
    """Adapts `Engine` (and the ledger, mail, convoys, scheduler behind it) to what the UI needs."""

    def __init__(self, engine: Any, *, town_name: str | None = None, time_format: TimeFormat = local_hms,
                 on_started: Callable[[], Any] | None = None) -> None:
        self.engine = engine
        self.paths = engine.paths
        self.time_format = time_format
        self.on_started = on_started
        """Called (awaited if a coroutine) once the engine is up: the demo slings its first beads here."""
        if town_name is None:
            from gastown_tui.town import load_town_config

            town_name = load_town_config(self.paths).name or self.paths.root.name
        self.town_name = town_name

    @property
    def ledger(self) -> Any:
        """The engine's ledger (opened by `engine.start`, or opened here for reads before that)."""
        if self.engine.ledger is None:
            from gastown_tui.ledger import Ledger

            self.engine.ledger = Ledger.open(self.paths)
        return self.engine.ledger

    # -- lifecycle and events ---------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the engine, then the optional on-start hook."""
        await self.engine.start()
        if self.on_started is not None:
            result = self.on_started()
            if asyncio.iscoroutine(result):
                await result

    async def stop(self) -> None:
        """Stop the engine (sessions end; hooks stay in the ledger)."""
        await self.engine.stop()

    def subscribe(self, callback: Callable[[object], None]) -> None:
        """Engine bus events go straight to the bridge."""
        self.engine.bus.subscribe(callback)

    # -- reads ----------------------------------------------------------------------------------------------

    def _rigs(self) -> list[Any]:
        from gastown_tui.town import list_rigs

        return list_rigs(self.paths)

    def _agents(self) -> list[AgentInfo]:
        rows = self.engine.status() if self.engine.running else []
        agents = []
        for row in rows:
            if row.get("role") == OVERSEER:
                continue
            state = str(row.get("state") or "off")
            why = str(row.get("explain") or row.get("detail") or "")
            agents.append(AgentInfo(str(row["address"]), agent_name(str(row["address"])), str(row.get("rig") or ""),
                                    str(row.get("role") or ""), state, why, str(row.get("hook") or "")))
        return agents

    def _convoys(self) -> list[ConvoyInfo]:
        from gastown_tui.convoys import convoy_status, list_convoys, open_mrs_by_source

        # The two ledger-wide queries are shared by every convoy: per convoy they cost ~13 ms each at 10k beads,
        # which made one snapshot of 30 convoys take ~0.5 s on the UI loop.
        convoys = list_convoys(self.ledger, include_closed=True)
        open_mrs = open_mrs_by_source(self.ledger) if convoys else {}
        ready = set(self.ledger.ready_ids()) if convoys else set()
        out = []
        for bead in convoys:
            status = convoy_status(self.ledger, bead.id, open_mrs=open_mrs, ready_ids=ready)
            tracked = tuple(TrackedBead(t.id, t.title, "done" if t.state == "landed" else t.state, t.assignee or "")
                            for t in status.tracked)
            out.append(ConvoyInfo(status.id, status.title, status.status, tracked))
        # open convoys first, newest closed ones after
        return sorted(out, key=lambda c: (c.status == "closed", c.id))

    def _when(self, iso: str | None) -> str:
        from gastown_tui.convoys.progress import parse_ts

        ts = parse_ts(iso)
        return self.time_format(ts)[:5] if ts is not None else ""

    def _mail(self) -> list[MailItem]:
        from gastown_tui.mail.mailbox import inbox

        return [MailItem(m.id, m.sender, m.subject, m.body, m.unread, self._when(m.created_at))
                for m in inbox(self.ledger, OVERSEER, include_read=True)[:200]]

    def _merge_queue(self) -> list[MergeRow]:
        from gastown_tui.patrols.merge_queue import queue

        rows = []
        for rig in self._rigs():
            for mr in queue(self.ledger, rig.name):
                status = "merging" if mr.status == "in_progress" else "queued"
                rows.append(MergeRow(mr.id, mr.rig, mr.branch, mr.source_issue, status, agent_name(mr.worker)))
        return rows

    def _patrols(self) -> list[PatrolRow]:
        return [PatrolRow(p.name, p.interval, p.next_run, p.last_result or "", p.last_summary, p.last_finished,
                          p.paused) for p in self.engine.scheduler.status()]

    def snapshot(self) -> TownSnapshot:
        """One consistent-enough read of everything outside the terminals."""
        return TownSnapshot(agents=self._agents(), convoys=self._convoys(), mail=self._mail(),
                            merge_queue=self._merge_queue(), patrols=self._patrols())

    def recent_feed(self, limit: int = 200) -> list[FeedEntry]:
        """The tail of the town's activity feed."""
        events = list(feed.iter_events(self.paths.events))[-limit:]
        return [feed_entry(event, self.time_format) for event in events]

    def bead_graph(self, bead_id: str) -> tuple[list[DagNode], list[tuple[str, str]]]:
        """A convoy's tracked beads, or an epic's/molecule's children, with the `blocks` edges among them."""
        from gastown_tui.convoys import convoy_status, is_convoy

        root = self.ledger.get(bead_id)
        if is_convoy(root):
            tracked = convoy_status(self.ledger, bead_id).tracked
            nodes = [DagNode(t.id, f"{t.id} {t.title}", CONVOY_STATE_TO_NODE.get(t.state, "ready")) for t in tracked]
        else:
            blocked = {b.bead.id for b in self.ledger.blocked()}
            children = self.ledger.children(bead_id) or [root]
            nodes = [DagNode(c.id, f"{c.id} {c.title}", self._node_state(c, blocked)) for c in children]
        ids = {node.id for node in nodes}
        edges = []
        for node in nodes:
            for dep in self.ledger.get(node.id).dependencies or []:
                if dep.type == "blocks" and dep.depends_on_id in ids:
                    edges.append((dep.depends_on_id, node.id))
        return nodes, edges

    @staticmethod
    def _node_state(bead: Any, blocked: set[str]) -> str:
        if bead.status == "closed":
            return "done"
        if bead.status in ("in_progress", "hooked"):
            return "in_progress"
        return "blocked" if bead.id in blocked else "ready"

    def sling_targets(self) -> list[str]:
        """Rigs (a free polecat is picked) and the agents that can take work."""
        rigs = [rig.name for rig in self._rigs()]
        agents = [a.address for a in self._agents() if a.role in ("polecat", "crew", "mayor")]
        return list(dict.fromkeys([*rigs, *agents]))

    def screen(self, address: str) -> Any | None:
        """The live session's TerminalScreen."""
        session = self.engine.sessions.get(address)
        return session.screen if session is not None else None

    def live_sessions(self) -> int:
        """Running sessions."""
        return sum(1 for session in self.engine.sessions.all() if session.alive)

    # -- commands ---------------------------------------------------------------------------------------------

    def write(self, address: str, data: bytes) -> None:
        """The Overseer typed into a pane: forward it, and hold nudges off while they type."""
        session = self.engine.sessions.live(address)
        if session is None:
            raise NotFound(f"{address} has no running session")
        self.engine.note_user_typing(address)
        session.write(data)

    def resize(self, address: str, cols: int, rows: int) -> None:
        """Pane size -> PTY and screen size."""
        session = self.engine.sessions.live(address)
        if session is not None:
            session.resize(cols, rows)

    async def sling(self, bead_id: str, target: str) -> None:
        """Hook and prepare in a thread (git worktree work), then start the agent on this loop."""
        from gastown_tui.agents.sling import sling

        result = await asyncio.to_thread(sling, self.paths, self.ledger, bead_id, target, actor=OVERSEER,
                                         start=False)
        await self.engine.sling_start(result.address, result.bead_id, sender=OVERSEER)

    async def nudge(self, address: str, message: str) -> None:
        """Deliver when idle (the engine queues it otherwise)."""
        await self.engine.nudge(address, message, sender=OVERSEER)

    async def seance(self, address: str, question: str) -> None:
        """Ask the latest earlier session of the agent; its answer arrives as mail from that agent."""
        from gastown_tui.agents.seance import past_sessions, talk
        from gastown_tui.mail.mailbox import send

        parsed = parse_address(address)
        live = self.engine.sessions.get(address)
        current = live.session_id if live is not None else ""
        past = [s for s in past_sessions(self.paths, parsed) if s.session_id != current]
        if not past:
            raise NotFound(f"{address} has no earlier session to ask")
        answer = await asyncio.to_thread(talk, self.paths, parsed, past[-1].session_id, question)
        send(self.ledger, OVERSEER, f"Séance: {question[:80]}", answer.strip() or "(no answer)", sender=address,
             events_file=self.paths.events)

    async def handoff(self, address: str) -> None:
        """Pin handoff notes and restart the session with the same hook."""
        from gastown_tui.agents.handoff import write_handoff
        from gastown_tui.agents.hooks import hooked_bead

        parsed = parse_address(address)
        work = hooked_bead(self.ledger, parsed)
        write_handoff(self.ledger, parsed, "Handoff requested by the Overseer.", hook=work.id if work else None)
        feed.emit(self.paths.events, "handoff", actor=OVERSEER, address=address, hook=work.id if work else "")
        await self.engine.sessions.restart(address, topic="handoff")

    def new_bead(self, title: str, description: str = "", rig: str = "") -> str:
        """Create a bead in a rig (its prefix) or in the town."""
        prefix = TOWN_PREFIX
        if rig:
            found = [r for r in self._rigs() if r.name == rig]
            if not found:
                raise NotFound(f"no rig {rig!r}")
            prefix = found[0].config.prefix
        return str(self.ledger.create(title, prefix=prefix, description=description, actor=OVERSEER).id)

    def new_convoy(self, title: str, bead_ids: Sequence[str]) -> str:
        """Create a convoy tracking the beads."""
        from gastown_tui.convoys import create_convoy

        resolved = [self.ledger.resolve(b) for b in bead_ids]
        return str(create_convoy(self.ledger, title, resolved, actor=OVERSEER).id)

    def send_mail(self, to: str, subject: str, body: str) -> None:
        """Mail from the Overseer."""
        from gastown_tui.mail.mailbox import send

        send(self.ledger, to, subject, body, sender=OVERSEER, events_file=self.paths.events,
             known_rigs={rig.name for rig in self._rigs()})

    def reply_mail(self, mail_id: str, body: str) -> None:
        """Reply in the thread."""
        from gastown_tui.mail.mailbox import reply

        reply(self.ledger, mail_id, body, sender=OVERSEER, events_file=self.paths.events)

    def mark_read(self, mail_id: str) -> None:
        """Reading marks read."""
        from gastown_tui.mail.mailbox import read

        read(self.ledger, mail_id, reader=OVERSEER)

    def pause_patrol(self, name: str, paused: bool) -> None:
        """Pause or resume."""
        if paused:
            self.engine.scheduler.pause(name)
        else:
            self.engine.scheduler.resume(name)

    async def run_patrol(self, name: str) -> None:
        """Run now (waits for the run; the feed shows its steps)."""
        await self.engine.scheduler.run_now(name)
