"""Must-show: the Overseer's flow in the real TUI in tmux, keyboard only, at 80x24 and 200x50.

Real town (gastown install + rig add, real git), real engine daemon, scripted polecat made to raise a permission
prompt (`permission:` line in the bead): backlog (B) -> sling (s, rig) -> the header says an agent needs you ->
the list (!) -> approve (y) without opening the pane -> the MR waits in the Queue (Q; the rig has review = "human")
-> its diff (Enter) names greeting.txt with +1 -0 -> approve from the diff (a) -> the refinery merges the work (the
bead is closed). Checks are on the captured screen text and on the town's ledger and event feed.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from tests.agents.conftest import make_source, make_town
from tests.conftest import REPO_ROOT
from tests.ui.test_tmux_smoke import Tmux, stop_engine

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")]

BEAD = ("Add a greeting file\n\npermission: Bash(echo hello > greeting.txt)\n\n"
        "```sh\necho hello > greeting.txt\n```\n")


def bead_status(town: Path, bead_id: str) -> str:
    from gastown_tui.ledger import Ledger

    with Ledger.open(town) as ledger:
        return ledger.get(bead_id).status


@pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])
def test_backlog_sling_permission_approve_merged(size: tuple[int, int], tmp_path: Path) -> None:
    width, height = size
    source = make_source(tmp_path / "src")
    town = make_town(tmp_path / "town", source)
    from gastown_tui.ledger import Ledger
    from gastown_tui.town import load_town_config
    from gastown_tui.town.config import load_rig_config

    config = load_town_config(town)
    config.set("patrols.refinery", 3)  # merge soon after `gt done` (the default waits a minute)
    config.save()
    # The MR waits for the Overseer, so the flow reaches its diff reliably (it would otherwise land in seconds).
    rig_config = load_rig_config(town.rig("app"))
    rig_config.set("review", "human")
    rig_config.save()
    with Ledger.open(town) as ledger:
        bead = ledger.create("Greeting file", prefix="ap", description=BEAD, priority=1)
    env = dict(os.environ, GASTOWN_TUI_CONFIG=str(tmp_path / "none.toml"), TERM="xterm-256color",
               TEXTUAL_ANIMATIONS="none")
    env.pop("GT_TOWN", None)
    gastown = f"{sys.executable} -c 'from gastown_tui.cli.main import gastown_main; gastown_main()'"
    command = f"cd {REPO_ROOT} && {gastown} --town {town.root} tui; sleep 60"
    tmux = Tmux(width, height, command, env)
    try:
        tmux.wait_for(lambda s: "Gas Town" in s, "the dashboard", 120)
        tmux.keys("B")
        tmux.wait_for(lambda s: bead.id in s and "Greeting" in s, "the bead in the backlog", 60)
        tmux.keys("s")
        tmux.wait_for(lambda s: "Sling a bead" in s and bead.id in s, "the sling dialog with the bead", 30)
        tmux.type("app")
        tmux.keys("Enter")
        tmux.wait_for(lambda s: "Sling a bead" not in s, "the dialog to close", 30)
        tmux.wait_for(lambda s: "need" in s and "you" in s and "⚑" in s, "the needs-you counter", 180)
        tmux.keys("!")
        tmux.wait_for(lambda s: "permission-prompt" in s and "y approve" in s, "the needs-you list", 30)
        tmux.keys("y")
        tmux.wait_for(lambda s: "Nobody needs you" in s or "approved" in s, "the approval", 60)
        tmux.keys("Escape")
        deadline_screen = tmux.wait_for(lambda s: "⚑" not in s.splitlines()[0], "the counter to clear", 60)
        assert "Gas Town" in deadline_screen

        tmux.keys("Q")  # the Queue tab, its table focused
        tmux.wait_for(lambda s: any(bead.id in line and "review" in line for line in s.splitlines()),
                      "the MR awaiting review in the Queue", 240)
        tmux.keys("Enter")
        diff = tmux.wait_for(lambda s: "greeting.txt" in s and "+1 -0" in s and "awaiting-review" in s,
                             "the MR's diff with greeting.txt +1 -0", 60)
        assert "1 file(s) +1 -0" in diff and "+hello" in diff, diff
        assert bead_status(town.root, bead.id) != "closed"  # nothing lands before the review
        tmux.keys("a")
        tmux.wait_for(lambda s: "awaiting-review" not in s and "Gas Town" in s, "the diff to close", 30)

        def merged(_screen: str) -> bool:
            return bead_status(town.root, bead.id) == "closed"

        tmux.wait_for(merged, "the refinery to merge and close the bead", 240)
        from gastown_tui.events import iter_events

        merges = [e for e in iter_events(town.events) if e.kind.startswith("merge") and bead.id in str(e.data)]
        assert merges, "no merge event for the bead in the feed"
        answered = [e for e in iter_events(town.events) if e.kind == "overseer.permission"]
        assert [e.data.get("approved") for e in answered] == [True]
    finally:
        tmux.kill()
        stop_engine(town.root)
