"""Every app action as a Binding with an id and tooltip, and the user keymap that remaps them by id.

The keymap lives in `config.toml` in the platformdirs user config dir (or `$GASTOWN_TUI_CONFIG`):

    [keymap]
    sling = "ctrl+s"        # binding id = key(s), comma-separated for several
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from platformdirs import user_config_path
from textual.binding import Binding

WORK = Binding.Group("Work")
AGENTS = Binding.Group("Agents")
PANES = Binding.Group("Panes")
VIEWS = Binding.Group("Views")
APP = Binding.Group("App")


def _b(key: str, action: str, description: str, id: str, tooltip: str, group: Binding.Group,
       show: bool = False, priority: bool = False, key_display: str | None = None) -> Binding:
    return Binding(key, action, description, show=show, priority=priority, tooltip=tooltip, id=id, group=group,
                   key_display=key_display)


APP_BINDINGS: list[Binding] = [
    _b("s", "sling", "Sling", "sling", "Sling the selected bead to an agent or rig", WORK, show=True),
    _b("b", "new_bead", "New bead", "new-bead", "Create a bead", WORK),
    _b("c", "new_convoy", "New convoy", "new-convoy", "Create a convoy tracking the selected bead", WORK),
    _b("n", "nudge", "Nudge", "nudge", "Send a message to the selected agent when it is idle", AGENTS, show=True),
    _b("S", "seance", "Séance", "seance", "Ask the selected agent's predecessor session a question", AGENTS),
    _b("H", "handoff", "Handoff", "handoff", "Hand the selected agent's hook to a fresh session", AGENTS),
    _b("m", "compose", "Mail", "compose", "Compose mail", AGENTS),
    _b("r", "reply", "Reply", "reply", "Reply to the selected mail", AGENTS),
    # priority: the focus moves while `i` is handled by the app, before the keys typed right after it are
    # forwarded to whatever had focus (they reach the pane, not the app's bindings)
    _b("i", "focus_terminal", "Type", "focus-terminal", "Send keystrokes to the current terminal pane", PANES,
       show=True, priority=True),
    _b("ctrl+g", "release_terminal", "Release", "release-terminal", "Give focus back from a terminal", PANES,
       priority=True),
    _b("slash", "search_scrollback", "Search", "search-scrollback",
       "Search the current pane's scrollback (n/N jump between hits, v selects, y copies)", PANES,
       key_display="/"),
    _b("v", "copy_mode", "Copy mode", "copy-mode",
       "Select lines of the current pane's scrollback with the keyboard and copy them (OSC 52)", PANES),
    _b("z", "zoom", "Zoom", "zoom", "Zoom the current pane to the full screen (again to unzoom)", PANES, show=True),
    _b("x", "split", "Split", "split", "Cycle the pane layout: 1, 2×1, 2×2, 3×3", PANES, show=True),
    _b("right_square_bracket", "cycle(1)", "Next pane", "next-pane", "Show the next agent in the current pane",
       PANES, key_display="]"),
    _b("left_square_bracket", "cycle(-1)", "Previous pane", "previous-pane",
       "Show the previous agent in the current pane", PANES, key_display="["),
    *[_b(str(n), f"jump({n})", f"Agent {n}", f"jump-{n}", f"Show agent {n} in the current pane", PANES)
      for n in range(1, 10)],
    _b("exclamation_mark", "needs_you", "Needs you", "needs-you",
       "Agents waiting on you (permission prompts, questions, errors), oldest first", AGENTS, show=True,
       key_display="!"),
    _b("B", "show_tab('beads')", "Backlog", "tab-beads", "Show every open bead (filter, sort, s slings)", VIEWS),
    _b("g", "show_tab('graph')", "Graph", "tab-graph", "Show the bead graph", VIEWS),
    _b("M", "show_tab('mail')", "Inbox", "tab-mail", "Show the Overseer's inbox", VIEWS),
    _b("a", "show_tab('feed')", "Activity", "tab-feed", "Show the activity feed", VIEWS),
    _b("F", "toggle_feed_noise", "Feed filter", "feed-filter", "Show or hide patrol steps in the activity feed",
       VIEWS),
    _b("Q", "show_tab('queue')", "Queue", "tab-queue", "Show the merge queue", VIEWS),
    _b("d", "open_diff", "Diff", "open-diff",
       "The diff of the Queue row under the cursor (a approves, r rejects), else the selected polecat's live work",
       WORK),
    _b("t", "show_tab('patrols')", "Patrols", "tab-patrols", "Show the patrols", VIEWS),
    _b("p", "toggle_patrol", "Pause patrol", "pause-patrol", "Pause or resume the selected patrol", VIEWS),
    _b("P", "run_patrol", "Run patrol", "run-patrol", "Run the selected patrol now", VIEWS),
    _b("f1,question_mark", "help", "Help", "help", "List every key binding", APP, show=True, key_display="?"),
    _b("q", "quit_app", "Quit", "quit", "Quit (asks first while agents are running)", APP, show=True),
]
"""The app's bindings, in help-screen order."""


def config_path() -> Path:
    """The user config file: $GASTOWN_TUI_CONFIG, else <user config dir>/gastown-tui/config.toml."""
    override = os.environ.get("GASTOWN_TUI_CONFIG")
    return Path(override) if override else user_config_path("gastown-tui") / "config.toml"


def read_keymap(path: Path | None = None) -> tuple[dict[str, str], list[str]]:
    """(binding id -> key(s), problems) from the `[keymap]` table; problems name unknown ids or a broken file."""
    path = path or config_path()
    try:
        raw = tomllib.loads(path.read_text())
    except OSError:
        return {}, []  # no config file: nothing to remap
    except tomllib.TOMLDecodeError as exc:
        return {}, [f"{path}: {exc}"]
    table = raw.get("keymap", {})
    if not isinstance(table, dict):
        return {}, [f"{path}: [keymap] must be a table"]
    known = {binding.id for binding in APP_BINDINGS}
    keymap = {str(k): v for k, v in table.items() if k in known and isinstance(v, str)}
    problems = [f"{path}: unknown binding id {k!r}" for k in table if k not in known]
    problems += [f"{path}: keymap.{k} must be a string" for k, v in table.items()
                 if k in known and not isinstance(v, str)]
    return keymap, problems


def load_keymap(path: Path | None = None) -> dict[str, str]:
    """Binding id -> key(s) from the user config (problems ignored; see `read_keymap`)."""
    return read_keymap(path)[0]
