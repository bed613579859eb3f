"""Rigs: add (bare clone + refinery worktree + committed rig.toml), list, inspect and remove git projects."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from typing import Any

from gastown_tui import gitops
from gastown_tui.errors import Conflict, InvalidInput, NotFound
from gastown_tui.names import validate_prefix, validate_rig_name
from gastown_tui.town import land_mode
from gastown_tui.town.config import RigConfig, load_rig_config, load_town_config, new_rig_config
from gastown_tui.town.paths import RigPaths, TownPaths
from gastown_tui.town.repo import commit_paths


@dataclass(frozen=True)
class Rig:
    """One rig: its paths and its loaded rig.toml."""

    paths: RigPaths
    config: RigConfig
    note: str = ""  # said once by `rig add`, e.g. why it lands locally although there is an upstream

    @property
    def name(self) -> str:
        """The rig's name."""
        return self.paths.name

    def summary(self) -> dict[str, Any]:
        """The short JSON form used by `rig list`."""
        return {"name": self.name, "prefix": self.config.prefix, "source": self.config.source,
                "default_branch": self.config.default_branch, "path": str(self.paths.root),
                "land": self.config.land, "upstream": self.config.upstream, "review": self.config.review,
                "lands": land_mode.describe(self.paths, self.config)}


def list_rigs(town: TownPaths) -> list[Rig]:
    """Every rig of the town (directories with a rig.toml and a valid rig name), sorted by name."""
    rigs = []
    for child in sorted(town.root.iterdir()):
        if child.is_dir() and (child / "rig.toml").is_file():
            try:
                paths = town.rig(child.name)
            except InvalidInput:
                continue  # not a name we could have created; leave it alone
            rigs.append(Rig(paths, load_rig_config(paths)))
    return rigs


def get_rig(town: TownPaths, name: str) -> Rig:
    """The rig `name`, or NotFound listing the rigs there are."""
    paths = town.rig(name)
    if not paths.rig_toml.is_file():
        known = ", ".join(r.name for r in list_rigs(town)) or "none"
        raise NotFound(f"no rig named {name!r} (rigs: {known})")
    return Rig(paths, load_rig_config(paths))


def derive_prefix(name: str, taken: set[str]) -> str:
    """A bead prefix from a rig name: initials of its words ('my-app' -> 'ma'), else its first two letters, made
    unique against `taken` by a number suffix."""
    words = [w for w in re.split(r"[-_]+", name) if w]
    base = "".join(w[0] for w in words) if len(words) > 1 else name[:2]
    base = re.sub(r"[^a-z0-9]", "", base) or "r"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}{n}", n + 1
    return validate_prefix(candidate)


def _taken_prefixes(town: TownPaths) -> set[str]:
    """The town prefix and every rig prefix: bead ids must say unambiguously where they belong."""
    return {load_town_config(town).prefix, *(r.config.prefix for r in list_rigs(town))}


def add_rig(town: TownPaths, name: str, source: str, prefix: str | None = None, branch: str | None = None,
            land: str | None = None) -> Rig:
    """Bare-clone `source` into `<town>/<name>/repo.git`, add the refinery worktree, write and commit rig.toml.

    The landing mode is `land`, else push when the source has an upstream, else local (town.land_mode).

    On any failure the partly created rig directory is removed, so a retry starts clean.
    """
    validate_rig_name(name)
    paths = town.rig(name)
    if paths.root.exists():
        what = "a rig" if paths.rig_toml.exists() else "a directory"
        raise Conflict(f"cannot add rig {name!r}: {what} named {name!r} already exists in the town")
    taken = _taken_prefixes(town)
    if prefix is None:
        prefix = derive_prefix(name, taken)
    elif validate_prefix(prefix) in taken:
        raise Conflict(f"prefix {prefix!r} is already used in this town; pick another with --prefix")
    url = gitops.normalize_source(source)  # a missing local path is refused before anything is created
    choice = land_mode.choose(url, land)
    paths.root.mkdir()
    try:
        default = gitops.clone_bare(paths, url, branch)
        if choice.upstream and choice.upstream != url:  # a working clone: land where its owner pushes
            gitops.set_upstream(paths, choice.upstream)
        choice, note = land_mode.confirm(paths, choice, default, requested=land)
        gitops.add_worktree(paths, paths.refinery, default)
        for sub in (paths.polecats, paths.crews):
            sub.mkdir()
        config = new_rig_config(paths, prefix=prefix, source=url, default_branch=default, land=choice.land,
                                upstream=choice.upstream)
        config.save()
        commit_paths(town, [paths.rig_toml], f"Add rig {name} ({url}, {default})")
    except BaseException:
        shutil.rmtree(paths.root, ignore_errors=True)
        raise
    return Rig(paths, config, note)


def rig_details(town: TownPaths, name: str) -> dict[str, Any]:
    """Everything `rig show` prints: config, paths, worktrees and unmerged polecat branches."""
    rig = get_rig(town, name)
    cfg = rig.config.validate()
    p = rig.paths
    has_repo = p.bare_repo.is_dir()
    return {
        **rig.summary(),
        "gates": cfg.gates, "gate_timeout": cfg.gate_timeout,
        "paths": {"root": str(p.root), "rig_toml": str(p.rig_toml), "repo": str(p.bare_repo),
                  "refinery": str(p.refinery), "polecats": str(p.polecats), "crew": str(p.crews)},
        "worktrees": [w.to_dict() for w in gitops.list_worktrees(p)] if has_repo else [],
        "unmerged_branches": gitops.unmerged_branches(p, "polecat/*", cfg.default_branch) if has_repo else [],
    }


def unmerged_work(rig: Rig) -> list[str]:
    """Human descriptions of work that removing the rig would lose: unmerged polecat branches, dirty worktrees."""
    p = rig.paths
    if not p.bare_repo.is_dir():
        return []
    found = [f"branch {b}" for b in gitops.unmerged_branches(p, "polecat/*", rig.config.default_branch)]
    for tree in gitops.list_worktrees(p):
        if tree.path.is_dir() and gitops.has_uncommitted(tree.path):
            found.append(f"uncommitted changes in {tree.path.relative_to(p.root.resolve())}")
    return found


def remove_rig(town: TownPaths, name: str, force: bool = False) -> None:
    """Remove a rig: its worktrees (properly, via git), its clone and its committed rig.toml.

    Refuses while there is unmerged work (see `unmerged_work`) unless `force`.
    """
    rig = get_rig(town, name)
    lost = unmerged_work(rig)
    if lost and not force:
        raise Conflict(f"rig {name!r} has unmerged work ({'; '.join(lost)}); use --force to remove it anyway")
    if rig.paths.bare_repo.is_dir():
        for tree in gitops.list_worktrees(rig.paths):
            if tree.path.resolve().is_relative_to(rig.paths.root.resolve()):
                gitops.remove_worktree(rig.paths, tree.path, force=True)
    rig.paths.rig_toml.unlink()
    commit_paths(town, [rig.paths.rig_toml], f"Remove rig {name}")
    shutil.rmtree(rig.paths.root)
