"""Rigs: add (bare clone + refinery worktree + committed rig.toml), list, inspect and remove git projects.

`rig add` is all or nothing: it refuses unsafe git transports before anything is made, marks the new directory
with `.adding` (its pid) until rig.toml is committed, and removes everything on failure. A rig whose `.adding`
names a dead process was killed half-way: it is not listed, a retry or the engine's start removes it.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from typing import Any

from gastown_tui import gitops
from gastown_tui.errors import Conflict, InvalidInput, NotFound
from gastown_tui.faults import fault_point, pid_alive
from gastown_tui.names import validate_prefix, validate_rig_name
from gastown_tui.town import land_mode
from gastown_tui.town.config import (
    RigConfig,
    load_rig_config,
    load_town_config,
    new_rig_config,
)
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


ADDING = ".adding"
# Transports git may use for a rig source. `ext::`/`fd::` (and any other `<helper>::`) run programs: refused.
SAFE_SCHEMES = ("https", "http", "ssh", "git", "file")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def check_transport(source: str) -> None:
    """InvalidInput unless `source` is a local path, an scp-like `host:path` or a URL with a safe git transport."""
    from gastown_tui.errors import clip

    scheme = _SCHEME.match(source)
    if "::" in source or (scheme and scheme.group(1).lower() not in SAFE_SCHEMES):
        raise InvalidInput(f"rig source {clip(source, 80)!r} uses an unsafe git transport; use a local path, "
                           f"{', '.join(s + '://' for s in SAFE_SCHEMES)} or user@host:path")


def half_made(paths: RigPaths) -> bool:
    """True if `rig add` is (or was, until killed) still making this rig."""
    return (paths.root / ADDING).exists()


def adding_pid(paths: RigPaths) -> int:
    """The pid recorded by the `rig add` making this rig (0 if unreadable)."""
    try:
        return int((paths.root / ADDING).read_text().strip() or 0)
    except (OSError, ValueError):
        return 0


def remove_half_made(town: TownPaths) -> list[str]:
    """Remove rigs whose `rig add` was killed (its pid is gone); returns their names."""
    removed = []
    for child in sorted(town.root.iterdir()):
        if (child / ADDING).exists() and not pid_alive(adding_pid(town.rig(child.name))):
            _finish_or_remove(town, town.rig(child.name))
            removed.append(child.name)
    return removed


def _finish_or_remove(town: TownPaths, paths: RigPaths) -> None:
    """A killed `rig add`: complete if its rig.toml was already committed (only the marker was left), else remove
    the directory."""
    if paths.rig_toml.is_file() and _committed(town, paths):
        (paths.root / ADDING).unlink(missing_ok=True)
    else:
        shutil.rmtree(paths.root, ignore_errors=True)


def list_rigs(town: TownPaths) -> list[Rig]:
    """Every rig of the town (directories with a rig.toml and a valid rig name), sorted by name."""
    rigs = []
    for child in sorted(town.root.iterdir()):
        if child.is_dir() and (child / "rig.toml").is_file() and not (child / ADDING).exists():
            try:
                paths = town.rig(child.name)
            except InvalidInput:
                continue  # not a name we could have created; leave it alone
            rigs.append(Rig(paths, load_rig_config(paths)))
    return rigs


def get_rig(town: TownPaths, name: str) -> Rig:
    """The rig `name`, or NotFound listing the rigs there are."""
    paths = town.rig(name)
    if not paths.rig_toml.is_file() or half_made(paths):
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
    check_transport(source)
    paths = town.rig(name)
    if half_made(paths) and not pid_alive(adding_pid(paths)):
        _finish_or_remove(town, paths)  # a killed earlier `rig add` of the same name
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
        (paths.root / ADDING).write_text(str(os.getpid()))
        fault_point("rig-add:dir")
        default = gitops.clone_bare(paths, url, branch)
        fault_point("rig-add:cloned")
        if choice.upstream and choice.upstream != url:  # a working clone: land where its owner pushes
            gitops.set_upstream(paths, choice.upstream)
        choice, note = land_mode.confirm(paths, choice, default, requested=land)
        gitops.add_worktree(paths, paths.refinery, default)
        for sub in (paths.polecats, paths.crews):
            sub.mkdir()
        config = new_rig_config(paths, prefix=prefix, source=url, default_branch=default, land=choice.land,
                                upstream=choice.upstream)
        config.save()
        fault_point("rig-add:configured")
        commit_paths(town, [paths.rig_toml], f"Add rig {name} ({url}, {default})")
        fault_point("rig-add:committed")
        (paths.root / ADDING).unlink()
    except BaseException:
        shutil.rmtree(paths.root, ignore_errors=True)
        if _committed(town, paths):  # failed after the commit: take the rig back out of the town repository
            commit_paths(town, [paths.rig_toml], f"Undo half-made rig {name}")
        raise
    return Rig(paths, config, note)


def _committed(town: TownPaths, paths: RigPaths) -> bool:
    """True if the town repository tracks this rig's rig.toml."""
    import subprocess

    proc = subprocess.run(["git", "ls-files", "--error-unmatch", str(paths.rig_toml)], cwd=town.root,
                          capture_output=True, check=False)
    return proc.returncode == 0


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
