"""Where formulas come from: rig (`<town>/<rig>/formulas/`) -> town (`<town>/formulas/`) -> shipped (`formulas/`).

Earlier directories shadow later ones, so a rig can override a shipped formula by writing one with the same name.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import gastown_tui
from gastown_tui.errors import NotFound
from gastown_tui.formulas.parser import parse_formula_file
from gastown_tui.formulas.schema import SUFFIX, Formula
from gastown_tui.town.paths import TownPaths, find_town

SHIPPED_DIR = Path(gastown_tui.__file__).resolve().parent.parent / "formulas"


@dataclass(frozen=True)
class FormulaEntry:
    """One formula file found on the search path; `shadowed` if an earlier directory has the same name."""

    name: str
    path: Path
    origin: str  # "rig", "town" or "shipped"
    shadowed: bool = False


def _rig_from_cwd(town: TownPaths) -> str | None:
    """The rig whose directory contains the cwd, if any."""
    try:
        rel = Path.cwd().resolve().relative_to(town.root.resolve())
    except ValueError:
        return None
    first = rel.parts[0] if rel.parts else ""
    return first if first and (town.root / first / "rig.toml").is_file() else None


def search_path(town: TownPaths | None = None, rig: str | None = None) -> list[tuple[str, Path]]:
    """The (origin, directory) list searched in order; town/rig default to $GT_TOWN/$GT_RIG or the cwd."""
    if town is None:
        try:
            town = find_town()
        except NotFound:
            town = None
    dirs: list[tuple[str, Path]] = []
    if town is not None:
        rig = rig or os.environ.get("GT_RIG") or _rig_from_cwd(town)
        if rig:
            dirs.append(("rig", town.root / rig / "formulas"))
        dirs.append(("town", town.root / "formulas"))
    dirs.append(("shipped", SHIPPED_DIR))
    return dirs


def _is_file(path: Path) -> bool:
    """`path.is_file()`, but False (not OSError) for names the OS refuses, e.g. longer than NAME_MAX."""
    try:
        return path.is_file()
    except OSError:
        return False


class FormulaLibrary:
    """Finds, parses and caches formulas along a search path; its `load` is the loader cook() uses."""

    def __init__(self, dirs: list[tuple[str, Path]] | list[Path] | None = None) -> None:
        raw = search_path() if dirs is None else dirs
        self.dirs: list[tuple[str, Path]] = [d if isinstance(d, tuple) else ("dir", Path(d)) for d in raw]
        self._cache: dict[Path, Formula] = {}

    def entries(self) -> list[FormulaEntry]:
        """Every formula file on the path, first occurrence of a name unshadowed."""
        seen: set[str] = set()
        out: list[FormulaEntry] = []
        for origin, directory in self.dirs:
            if not directory.is_dir():
                continue
            for path in sorted(directory.glob(f"*{SUFFIX}")):
                name = path.name[: -len(SUFFIX)]
                out.append(FormulaEntry(name, path, origin, shadowed=name in seen))
                seen.add(name)
        return out

    def find(self, name: str) -> Path:
        """Path of formula `name` (or `name` itself when it is a formula file path); NotFound otherwise."""
        if name.endswith(".toml") or os.sep in name:
            path = Path(name)
            if _is_file(path):
                return path
            raise NotFound(f"formula file {name} not found")
        for _, directory in self.dirs:
            path = directory / f"{name}{SUFFIX}"
            if _is_file(path):
                return path
        searched = ", ".join(str(d) for _, d in self.dirs)
        raise NotFound(f"formula {name!r} not found (searched {searched})")

    def load(self, name: str) -> Formula:
        """Parse (once) and return formula `name`."""
        path = self.find(name)
        if path not in self._cache:
            self._cache[path] = parse_formula_file(path)
        return self._cache[path]


def load_formula(name: str, search: FormulaLibrary | list[tuple[str, Path]] | list[Path] | None = None) -> Formula:
    """Load formula `name` (or a `.formula.toml` path) from the search path (default: rig -> town -> shipped)."""
    library = search if isinstance(search, FormulaLibrary) else FormulaLibrary(search)
    return library.load(name)


def sibling_first(formula: Formula, loader: Callable[[str], Formula]) -> Callable[[str], Formula]:
    """A loader that finds `extends` / `expand` names in `formula`'s own directory before the search path.

    So `gt formula check ./dir/child.formula.toml` finds `./dir/base.formula.toml`, as the original does.
    """
    if formula.source is None:
        return loader
    directory = formula.source.parent

    def load(name: str) -> Formula:
        path = directory / f"{name}{SUFFIX}"
        if name.endswith(".toml") or os.sep in name or not _is_file(path):
            return loader(name)
        try:
            return loader(str(path))
        except NotFound:  # a loader that knows no files at all (cook without a library)
            return parse_formula_file(path)

    return load
