"""The town-owned `--settings` file that gives Claude Code sessions our command hooks.

Written under `.gastown/settings/` (TownPaths.agent_settings), one per agent, and passed with `--settings`, so the
user's `~/.claude` and the project's own `.claude/` are never edited. Each hook calls `gt hookevent <event>`,
which records the event on the agent bead (state detection layer 1) and prints what Claude should see.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
from pathlib import Path

from gastown_tui.records import Address
from gastown_tui.town.paths import TownPaths

# Claude hook event -> our hookevent name.
HOOK_EVENTS = {
    "SessionStart": "session-start",
    "UserPromptSubmit": "user-prompt-submit",
    "Stop": "stop",
    "Notification": "notification",
}


def gt_command() -> list[str]:
    """argv prefix that runs this installation's `gt` (the console script next to the interpreter, else -m)."""
    candidate = Path(sys.executable).parent / "gt"
    if candidate.exists():
        return [str(candidate)]
    found = shutil.which("gt")
    return [found] if found else [sys.executable, "-m", "gastown_tui.cli.main"]


def settings_document() -> dict[str, object]:
    """The settings JSON: one command hook per event, each a quoted `gt hookevent <event>` line."""
    prefix = " ".join(shlex.quote(part) for part in gt_command())
    hooks = {
        claude_event: [{"hooks": [{"type": "command", "command": f"{prefix} hookevent {ours}", "timeout": 30}]}]
        for claude_event, ours in HOOK_EVENTS.items()
    }
    return {"hooks": hooks, "skipDangerousModePermissionPrompt": True}


def write_settings(town: TownPaths, address: Address) -> Path:
    """Write (atomically, mode 0600) the settings file for `address` and return its path."""
    from gastown_tui.town.paths import private_dir

    directory = private_dir(town.agent_settings)
    path = directory / f"{address.agent_id}.claude.json"
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(settings_document(), fh, indent=2)
    os.replace(tmp, path)
    return path
