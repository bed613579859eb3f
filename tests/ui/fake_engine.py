"""Fake engine: an in-memory TownPort with fixed, deterministic data. Tests that use it are about the UI only.

Every command is recorded in `calls`, so a test can assert that a refused dialog sent nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import gastown_tui.engine.api as api
from gastown_tui.errors import GastownError, NotFound
from gastown_tui.terminal import TerminalScreen
from gastown_tui.ui.port import (
    AgentInfo, ConvoyInfo, DagNode, FeedEntry, MailItem, PatrolRow, TownSnapshot,
)
from widgets.convoy_tree import TrackedBead

NOW = 1_700_000_000.0

AGENTS = [
    AgentInfo("mayor", "mayor", "", "mayor", "idle", "Stop hook 40s ago"),
    AgentInfo("demo/witness", "witness", "demo", "witness", "working", "patrol step 'survey' running"),
    AgentInfo("demo/refinery", "refinery", "demo", "refinery", "idle", "merge queue empty"),
    AgentInfo("demo/polecats/nux", "nux", "demo", "polecat", "working", "output 2s ago", "de-c3l"),
    AgentInfo("demo/polecats/slit", "slit", "demo", "polecat", "stuck", "no output for 12m; hook de-e5n",
              "de-e5n"),
    AgentInfo("demo/polecats/furiosa", "furiosa", "demo", "polecat", "idle", "no hook"),
]

BEADS = [
    TrackedBead("de-b2k", "Design theme colours", "closed", "nux"),
    TrackedBead("de-c3l", "Implement CSS variables", "in_progress", "nux"),
    TrackedBead("de-d4m", "Update component styles", "open"),
    TrackedBead("de-e5n", "Add theme toggle", "blocked", "slit"),
]
EDGES = [("de-b2k", "de-c3l"), ("de-b2k", "de-d4m"), ("de-c3l", "de-e5n"), ("de-d4m", "de-e5n")]
STATE_OF = {"closed": "done", "in_progress": "in_progress", "open": "ready", "blocked": "blocked"}

SCREENS: dict[str, bytes] = {
    "demo/polecats/nux": (b"\x1b[1;32m\xe2\x97\x8f nux\x1b[0m on \x1b[36mde-c3l\x1b[0m Implement CSS variables\r\n"
                          b"$ pytest -q tests/test_theme.py\r\n"
                          b"\x1b[32m....\x1b[0m\r\n4 passed in 0.02s\r\n$ git commit -am 'css vars'\r\n"
                          b"[polecat/nux/de-c3l 1a2b3c4] css vars\r\n$ "),
    "demo/polecats/slit": (b"\x1b[1;33m\xe2\x97\x8f slit\x1b[0m on \x1b[36mde-e5n\x1b[0m Add theme toggle\r\n"
                           b"Waiting for de-c3l to land...\r\n\x1b[31mblocked\x1b[0m\r\n"),
    "demo/witness": b"witness patrol\r\n  survey polecats... 3 alive\r\n  nux ok, slit stalled (12m)\r\n",
    "mayor": b"\x1b[1mMayor\x1b[0m ready. 2 convoys open.\r\n> ",
    "demo/refinery": b"refinery: queue empty\r\n",
    "demo/polecats/furiosa": b"furiosa: no hook, idle\r\n$ ",
}

MERGE_REQUESTS = (
    api.MergeRequestRow("hq-mr1", "de-c3l", "Implement CSS variables", "Every colour comes from a CSS variable",
                        "demo", "polecat/nux/de-c3l", "main", "demo/polecats/nux", "awaiting-review", 300.0,
                        api.GateRow("pass", "test", "pytest -q"), "push", "human"),
    api.MergeRequestRow("hq-mr2", "de-e5n", "Add theme toggle", "", "demo", "polecat/slit/de-e5n", "main",
                        "demo/polecats/slit", "queued", 1500.0,
                        api.GateRow("fail", "test", "pytest -q", "collected 12 items\nFAILED test_toggle - KeyError"),
                        "push", "human"),
    api.MergeRequestRow("hq-mr0", "de-f6o", "Fix login redirect", "", "demo", "polecat/furiosa/de-f6o", "main",
                        "demo/polecats/furiosa", "pr-open", 7200.0, api.GateRow("pass", "test"), "pr", "none",
                        "https://github.com/acme/demo/pull/42", 42),
)
DIFF_TEXT = (
    "diff --git a/theme.css b/theme.css\nindex 1111111..2222222 100644\n--- a/theme.css\n+++ b/theme.css\n"
    "@@ -1,3 +1,5 @@\n :root {\n-  --bg: white;\n+  --bg: var(--surface, white);\n+  --fg: var(--text, black);\n"
    "+  --accent: #3366ff;\n }\n"
    "diff --git a/app.js b/app.js\nindex 3333333..4444444 100644\n--- a/app.js\n+++ b/app.js\n"
    "@@ -10,2 +10,2 @@\n-document.body.style.background = 'white';\n+document.body.classList.add('themed');\n"
)
DIFF_FILES = (api.FileStatRow("theme.css", 3, 1), api.FileStatRow("app.js", 1, 1))


class FakeEngine:
    """Fake engine: this is for tests about the UI. Fixed town, recorded commands, no processes."""

    town_name = "demo-town"

    def __init__(self, *, fail: dict[str, str] | None = None, live: int = 4) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.subscribers: list[Callable[[object], None]] = []
        self.fail = dict(fail or {})
        self.live = live
        self.started = self.stopped = False
        self.agents = list(AGENTS)
        self.merge_requests = list(MERGE_REQUESTS)
        self.doctor: tuple[api.DoctorRow, ...] = ()
        self.mail = [
            MailItem("hq-m1", "witness", "slit is stuck on de-e5n", "No output for 12 minutes.\nRestarted once.", True,
                     "10:02"),
            MailItem("hq-m2", "mayor", "Convoy hq-cv2 landed", "Fix login: all beads merged to main.", True, "09:51"),
            MailItem("hq-m3", "refinery", "Merged de-b2k", "Gate 'pytest -q' green; fast-forwarded main.", False,
                     "09:40"),
        ]
        self.patrols = [
            PatrolRow("deacon", 300, NOW + 120, "ok", "3 convoys checked", NOW - 180),
            PatrolRow("demo/refinery", 60, NOW + 42, "ok", "merged de-b2k", NOW - 18),
            PatrolRow("demo/witness", 120, None, "error", "slit stalled", NOW - 60, paused=True),
        ]
        self.screens: dict[str, TerminalScreen] = {}
        for address, data in SCREENS.items():
            screen = TerminalScreen(60, 14, scrollback=100, clock=lambda: 0.0)
            screen.feed(data)
            self.screens[address] = screen

    # -- lifecycle / events ----------------------------------------------------------------------------------
    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.stopped = True

    async def stop_all(self) -> None:
        self._record("stop_all")

    def subscribe(self, callback: Callable[[object], None]) -> None:
        self.subscribers.append(callback)

    def emit(self, event: object) -> None:
        """Test helper: deliver a domain event to the bridge."""
        for callback in self.subscribers:
            callback(event)

    # -- reads ----------------------------------------------------------------------------------------------------
    def snapshot(self) -> TownSnapshot:
        return TownSnapshot(
            agents=list(self.agents),
            convoys=[ConvoyInfo("hq-cv1", "Add dark mode", "open", tuple(BEADS)),
                     ConvoyInfo("hq-cv2", "Fix login", "closed", (TrackedBead("de-f6o", "Fix login redirect",
                                                                              "closed", "furiosa"),))],
            mail=list(self.mail),
            merge_queue=list(self.merge_requests),
            patrols=list(self.patrols),
        )

    def recent_feed(self, limit: int = 200) -> list[FeedEntry]:
        return [
            FeedEntry("09:40:00", "refinery", "merge.done", "de-b2k merged to main"),
            FeedEntry("09:51:10", "deacon", "convoy.landed", "hq-cv2 Fix login"),
            FeedEntry("10:01:30", "overseer", "sling", "de-c3l → demo/polecats/nux"),
            FeedEntry("10:02:05", "witness", "warn.stalled", "slit: no output for 12m"),
        ][-limit:]

    def bead_graph(self, bead_id: str) -> tuple[list[DagNode], list[tuple[str, str]]]:
        if bead_id == "hq-cv1":
            return [DagNode(b.id, b.title, STATE_OF[b.status]) for b in BEADS], list(EDGES)
        if bead_id == "hq-cv2":
            return [DagNode("de-f6o", "Fix login redirect", "done")], []
        raise NotFound(f"no bead {bead_id}")

    def sling_targets(self) -> list[str]:
        return ["demo", *(a.address for a in self.agents if a.role in ("polecat", "crew"))]

    def screen(self, address: str) -> Any | None:
        return self.screens.get(address)

    def live_sessions(self) -> int:
        return self.live

    # -- commands -------------------------------------------------------------------------------------------------
    def _record(self, name: str, *args: Any) -> None:
        self.calls.append((name, args))
        if name in self.fail:
            raise GastownError(self.fail[name])

    def write(self, address: str, data: bytes) -> None:
        self._record("write", address, data)

    def resize(self, address: str, cols: int, rows: int) -> None:
        self._record("resize", address, cols, rows)

    def focus_pane(self, address: str) -> None:
        self.focused = address

    async def sling(self, bead_id: str, target: str, *runtime: str) -> None:
        self._record("sling", bead_id, target, *runtime)  # a runtime only when the dialog picked one

    async def nudge(self, address: str, message: str) -> None:
        self._record("nudge", address, message)

    async def seance(self, address: str, question: str) -> None:
        self._record("seance", address, question)

    async def handoff(self, address: str) -> None:
        self._record("handoff", address)

    async def new_bead(self, title: str, description: str = "", rig: str = "") -> str:
        self._record("new_bead", title, description, rig)
        return "de-new"

    async def new_convoy(self, title: str, bead_ids: Sequence[str]) -> str:
        self._record("new_convoy", title, tuple(bead_ids))
        return "hq-cv3"

    async def send_mail(self, to: str, subject: str, body: str) -> None:
        self._record("send_mail", to, subject, body)

    async def reply_mail(self, mail_id: str, body: str) -> None:
        self._record("reply_mail", mail_id, body)

    async def mark_read(self, mail_id: str) -> None:
        self._record("mark_read", mail_id)

    async def pause_patrol(self, name: str, paused: bool) -> None:
        self._record("pause_patrol", name, paused)

    async def run_patrol(self, name: str) -> None:
        self._record("run_patrol", name)

    async def mr_diff(self, mr_id: str) -> api.DiffResult:
        self._record("mr_diff", mr_id)
        mr = next((m for m in self.merge_requests if m.id == mr_id), None)
        if mr is None:
            raise NotFound(f"no merge request {mr_id}")
        return api.DiffResult("main", mr.branch, DIFF_FILES, DIFF_TEXT, False, mr)

    async def polecat_diff(self, rig: str, name: str) -> api.DiffResult:
        self._record("polecat_diff", rig, name)
        text = DIFF_TEXT.split("diff --git a/app.js")[0]
        return api.DiffResult("main", f"{rig}/polecats/{name} (worktree)", DIFF_FILES[:1], text)

    async def approve_mr(self, mr_id: str) -> str:
        self._record("approve_mr", mr_id)
        return f"Approved {mr_id}"

    async def reject_mr(self, mr_id: str, note: str) -> str:
        self._record("reject_mr", mr_id, note)
        return f"Rejected {mr_id}"

    async def doctor_problems(self) -> tuple[api.DoctorRow, ...]:
        self.doctor_asked = getattr(self, "doctor_asked", 0) + 1  # not in `calls`: it is a read, not a command
        return self.doctor

    def command_calls(self) -> list[tuple[str, tuple[Any, ...]]]:
        """Calls other than keystrokes/resizes (what dialogs sent)."""
        return [call for call in self.calls if call[0] not in ("write", "resize", "mark_read")]
