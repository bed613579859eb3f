"""Where everything in a town lives on disk (see DESIGN.md "The town on disk"), and how to find the town."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from gastown_tui.errors import NotFound
from gastown_tui.names import validate_name, validate_rig_name

TOWN_FILE = "town.toml"
RUNTIME_DIR = ".gastown"


@dataclass(frozen=True)
class TownPaths:
    """Every path of one town, derived from its root; the single source of truth for the layout."""

    root: Path

    @property
    def town_toml(self) -> Path:
        """The town's settings file."""
        return self.root / TOWN_FILE

    @property
    def beads_dir(self) -> Path:
        """Directory of the committed JSONL ledger files."""
        return self.root / ".beads"

    def jsonl_for_prefix(self, prefix: str) -> Path:
        """The JSONL file holding persistent beads whose id starts with `prefix`."""
        return self.beads_dir / f"{prefix}.jsonl"

    @property
    def runtime(self) -> Path:
        """Git-ignored runtime directory (state.db, socket, logs, transcripts)."""
        return self.root / RUNTIME_DIR

    @property
    def state_db(self) -> Path:
        """The live SQLite store."""
        return self.runtime / "state.db"

    @property
    def events(self) -> Path:
        """The activity feed, one JSON object per line."""
        return self.runtime / "events.jsonl"

    @property
    def engine_sock(self) -> Path:
        """The engine's control socket (mode 0600)."""
        return self.runtime / "engine.sock"

    @property
    def logs(self) -> Path:
        """Engine and patrol logs."""
        return self.runtime / "logs"

    @property
    def transcripts(self) -> Path:
        """One raw PTY transcript per session."""
        return self.runtime / "transcripts"

    @property
    def agent_settings(self) -> Path:
        """Town-owned runtime settings files (e.g. Claude --settings with our hooks)."""
        return self.runtime / "settings"

    @property
    def mayor_dir(self) -> Path:
        """The Mayor's working directory."""
        return self.root / "mayor"

    def rig(self, name: str) -> "RigPaths":
        """Paths of the rig `name` (validated, so it cannot escape the town)."""
        return RigPaths(self.root / validate_rig_name(name))


@dataclass(frozen=True)
class RigPaths:
    """Every path of one rig."""

    root: Path

    @property
    def name(self) -> str:
        """The rig's name (its directory name)."""
        return self.root.name

    @property
    def rig_toml(self) -> Path:
        """The rig's settings file."""
        return self.root / "rig.toml"

    @property
    def bare_repo(self) -> Path:
        """The bare clone that every worktree of the rig shares."""
        return self.root / "repo.git"

    @property
    def refinery(self) -> Path:
        """The refinery's worktree, on the default branch."""
        return self.root / "refinery"

    @property
    def polecats(self) -> Path:
        """Parent of the polecat worktrees."""
        return self.root / "polecats"

    def polecat(self, name: str) -> Path:
        """Worktree of polecat `name`."""
        return self.polecats / validate_name("polecat", name)

    @property
    def crews(self) -> Path:
        """Parent of the crew worktrees."""
        return self.root / "crew"

    def crew(self, name: str) -> Path:
        """Worktree of crew member `name`."""
        return self.crews / validate_name("crew", name)


def private_dir(path: Path, mode: int = 0o700) -> Path:
    """Create `path` (and missing parents) with `mode` set explicitly: mkdir's mode is filtered by the umask and
    parents made by `parents=True` ignore it, so a umask of 000 would leave runtime directories world-writable."""
    missing = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=mode)
        except FileExistsError:
            continue  # made by a concurrent caller a moment ago
        os.chmod(directory, mode)
    return path


def find_town(start: Path | str | None = None) -> TownPaths:
    """Find the town from `start` (default: $GT_TOWN, else the cwd) by walking up to a directory with town.toml."""
    if start is None:
        env = os.environ.get("GT_TOWN")
        start = Path(env) if env else Path.cwd()
    here = Path(start).resolve()
    for candidate in (here, *here.parents):
        if (candidate / TOWN_FILE).is_file():
            return TownPaths(candidate)
    raise NotFound(f"no town found at or above {here} (run 'gastown install DIR' or pass --town)")
