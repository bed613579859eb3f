"""Fake engine with the Overseer's view (backlog, needs-you, stable numbers): for tests about the UI only."""

from __future__ import annotations

import dataclasses

from gastown_tui.errors import Conflict
from gastown_tui.ui.overseer_port import OverseerView, Waiting
from tests.ui.fake_engine import NOW, FakeEngine
from widgets.backlog import BacklogItem

BACKLOG = (
    BacklogItem("de-d4m", "Update component styles", "demo", 1, "open", "", "task", "Restyle buttons.\n[b]x[/b]",
                ("hq-cv1",), NOW - 3600),
    BacklogItem("de-g7p", "Fix flaky login test", "demo", 0, "open", "", "bug", "It fails 1 in 20.", (), NOW - 600),
    BacklogItem("de-e5n", "Add theme toggle", "demo", 2, "blocked", "demo/polecats/slit", "feature", "",
                ("hq-cv1",), NOW - 7200),
    BacklogItem("hq-h8q", "Write the release notes", "", 3, "open", "", "chore", "", (), NOW - 60),
)
NUMBERS = {"demo/polecats/slit": 1, "demo/polecats/nux": 2, "mayor": 3, "demo/witness": 4, "demo/refinery": 5,
           "demo/polecats/furiosa": 6}
"""Order of first appearance: not alphabetical, not list order."""


class OverseerFake(FakeEngine):
    """FakeEngine plus overseer_view/answer_permission; nux waits on a permission prompt, slit on a question."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting = [Waiting("demo/polecats/nux", "nux", "permission-prompt",
                                "screen: scripted.permission (Bash(make test))", NOW - 300, "scripted"),
                        Waiting("demo/polecats/slit", "slit", "waiting-input", "hook: notification (question)",
                                NOW - 30, "claude")]
        self.backlog = BACKLOG
        self._sync_states()

    def _sync_states(self) -> None:
        states = {w.address: w.state for w in self.waiting}
        self.agents = [dataclasses.replace(a, state=states.get(a.address, "idle" if a.state in (
            "permission-prompt", "waiting-input") else a.state)) for a in self.agents]

    def overseer_view(self) -> OverseerView:
        return OverseerView(tuple(self.backlog), tuple(sorted(self.waiting, key=lambda w: w.since or 0.0)), NUMBERS)

    def answer_permission(self, address: str, approve: bool) -> str:
        self._record("answer_permission", address, approve)
        if not any(w.address == address and w.state == "permission-prompt" for w in self.waiting):
            raise Conflict(f"{address} is not at a permission prompt")
        self.waiting = [w for w in self.waiting if w.address != address]
        self.agents = [dataclasses.replace(a, state="working") if a.address == address else a for a in self.agents]
        return "1\r" if approve else "\x1b\r"
