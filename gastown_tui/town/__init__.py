"""The town on disk: layout, discovery, install, settings files, rigs.

Public API (imported lazily, so `gt` start-up and `gitops` -> `town.paths` stay cheap and free of import cycles):

    # layout and discovery (paths.py)
    TownPaths(root) ; RigPaths(root) ; find_town(start=None) -> TownPaths
    # install (install.py)
    install_town(root, name: str | None = None, prefix: str = "hq") -> InstallResult   # .town, .created, .changed
    # settings (config.py; toml_file.TomlFile is the base: raw/set/string/integer/seconds/table, save())
    load_town_config(town: TownPaths | Path) -> TownConfig
        .name .prefix .default_runtime .max_polecats .patrol_interval(patrol) .patrol_intervals .runtimes
        .validate() .set("scheduler.max_polecats", 12) .save()       # comments are kept
    load_rig_config(rig: RigPaths) -> RigConfig
        .name .prefix .source .default_branch .gate_timeout .gates .gate_commands .validate() .set() .save()
    # rigs (rigs.py)
    list_rigs(town) -> list[Rig] ; get_rig(town, name) -> Rig                          # Rig(paths, config)
    add_rig(town, name, source, prefix=None, branch=None) -> Rig
    remove_rig(town, name, force=False) -> None ; rig_details(town, name) -> dict ; unmerged_work(rig) -> list[str]
    derive_prefix(name, taken: set[str]) -> str
    # the town's git repository (repo.py)
    commit_paths(town, paths, message) -> str | None ; is_clean(town, paths=()) -> bool

Errors are GastownError subclasses with one-line messages: InvalidInput names the file and field of a bad value
(`town.toml: scheduler.max_polecats: expected an integer, got "x"`), NotFound, Conflict.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # not typing's: importing typing costs ~4 ms of every `gt` call, and only checkers need it
if TYPE_CHECKING:
    from typing import Any

_EXPORTS: dict[str, str] = {
    "TownPaths": "paths", "RigPaths": "paths", "find_town": "paths",
    "install_town": "install", "InstallResult": "install",
    "TownConfig": "config", "RigConfig": "config", "load_town_config": "config", "load_rig_config": "config",
    "TomlFile": "toml_file",
    "Rig": "rigs", "list_rigs": "rigs", "get_rig": "rigs", "add_rig": "rigs", "remove_rig": "rigs",
    "rig_details": "rigs", "unmerged_work": "rigs", "derive_prefix": "rigs",
    "commit_paths": "repo", "is_clean": "repo",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Import the submodule that defines `name` on first use (PEP 562)."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'gastown_tui.town' has no attribute {name!r}")
    return getattr(importlib.import_module(f"gastown_tui.town.{_EXPORTS[name]}"), name)
