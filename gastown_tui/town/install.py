"""`gastown install`: make a directory a town (git repo, town.toml, .beads/, mayor/, .gitignore, .gastown/)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from gastown_tui.errors import Conflict, InvalidInput
from gastown_tui.names import validate_prefix
from gastown_tui.town.config import load_town_config, new_town_config
from gastown_tui.town.paths import TownPaths, private_dir
from gastown_tui.town.repo import commit_paths, init_repo

GITIGNORE = """\
# Gas Town runtime state (SQLite store, engine socket, logs, transcripts): local to this machine.
/.gastown/
# Each rig's rig.toml is committed; its bare clone and worktrees are not (they are git repositories themselves).
/*/repo.git/
/*/refinery/
/*/polecats/
/*/crew/
"""


@dataclass(frozen=True)
class InstallResult:
    """What `install_town` did: the town, and which files it created (empty when the town was already complete)."""

    town: TownPaths
    created: list[Path]

    @property
    def changed(self) -> bool:
        """True if anything was created."""
        return bool(self.created)


def _check_target(root: Path) -> bool:
    """True if `root` already is a town; refuse a file, or a non-empty directory that is not a town."""
    if root.exists() and not root.is_dir():
        raise InvalidInput(f"cannot install a town at {root}: it is a file")
    if (root / "town.toml").is_file():
        return True
    if root.is_dir() and any(root.iterdir()):
        raise Conflict(f"cannot install a town at {root}: the directory is not empty and is not a town")
    return False


def _write_if_missing(path: Path, text: str, created: list[Path]) -> None:
    """Create `path` with `text` unless it exists (install never overwrites what a user may have edited)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        created.append(path)


def _init_ledger(town: TownPaths) -> None:
    """Create the ledger's store now, so the first `gt` call of 30 agents does not race to make the schema.
    """
    from gastown_tui.ledger import Ledger

    Ledger.open(town).shutdown()


def install_town(root: Path | str, name: str | None = None, prefix: str = "hq") -> InstallResult:
    """Create a town at `root`, or complete an existing one without changing what is there (idempotent).

    On an existing town an explicit `name` or `prefix` that differs from town.toml is refused, not applied.
    """
    root = Path(os.path.abspath(Path(root).expanduser()))
    validate_prefix(prefix)
    if name is not None and (not name.strip() or "\n" in name):
        raise InvalidInput(f"invalid town name {name!r}")
    town = TownPaths(root)
    existed = _check_target(root)
    created: list[Path] = []
    if existed:
        config = load_town_config(town).validate()
        if name is not None and name != config.name:
            raise Conflict(f"{root} is already the town {config.name!r}; edit town.toml to rename it")
        if prefix != "hq" and prefix != config.prefix:
            raise Conflict(f"{root} already uses town prefix {config.prefix!r}; edit town.toml to change it")
    else:
        root.mkdir(parents=True, exist_ok=True)
        config = new_town_config(town, name or root.name, prefix)
        config.save()
        created.append(town.town_toml)
    fresh_repo = init_repo(town)
    _write_if_missing(root / ".gitignore", GITIGNORE, created)
    _write_if_missing(town.beads_dir / ".gitkeep", "", created)
    _write_if_missing(town.mayor_dir / ".gitkeep", "", created)
    private_dir(town.runtime)
    os.chmod(town.runtime, 0o700)  # also when it existed: the socket, settings and transcripts are private
    tracked = [town.town_toml, root / ".gitignore", town.beads_dir / ".gitkeep", town.mayor_dir / ".gitkeep"]
    _init_ledger(town)
    # commit only what install wrote (or everything on a brand-new repo): never a user's uncommitted edits
    to_commit = tracked if fresh_repo else [p for p in tracked if p in created]
    if to_commit:
        commit_paths(town, to_commit, f"Install town {config.name}" if not existed else "Complete town layout")
    return InstallResult(town, created)
