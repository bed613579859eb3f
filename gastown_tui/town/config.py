"""town.toml and rig.toml: the commented templates, and typed accessors over them (see toml_file.TomlFile)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tomlkit

from gastown_tui.town.paths import RigPaths, TownPaths
from gastown_tui.town.toml_file import TomlFile, show

DEFAULT_PATROLS: dict[str, int] = {"witness": 60, "refinery": 30, "deacon": 300}
DEFAULT_GATES: tuple[str, ...] = ("test", "lint", "build")
LAND_MODES: tuple[str, ...] = ("push", "pr", "local")
REVIEW_MODES: tuple[str, ...] = ("none", "human")

TOWN_TEMPLATE = """\
# Gas Town settings. Edit by hand or with gastown; comments and layout are kept.

# The town's display name.
name = ""
# Prefix of town-level bead ids (convoys, mail, escalations), e.g. hq-abc12.
prefix = "hq"
# Runtime for agents unless a rig or a sling names another (presets: claude, codex, gemini, opencode, aider, shell).
default_runtime = "claude"

[scheduler]
# Most polecats running at once across all rigs.
max_polecats = 8

[patrols]
# Seconds between two runs of each patrol.
witness = 60
refinery = 30
deacon = 300

[runtimes]
# Add a runtime (or override a preset) as a sub-table, for example:
# [runtimes.my-agent]
# command = ["my-agent", "--yes"]
"""

RIG_TEMPLATE = """\
# Rig settings, committed to the town repository. Edit by hand; comments and layout are kept.

name = ""
# Prefix of this rig's bead ids, e.g. ap-abc12 (unique in the town).
prefix = ""
# Where the project was cloned from: a git URL or a local path.
source = ""
# The branch polecats start from and the refinery merges into.
default_branch = "main"
# Seconds a gate command may run before it counts as failed.
gate_timeout = 600
# Where merged work lands: "push" (rebase on upstream, gate, push to its default branch), "pr" (push the
# branch and open a pull request with `gh`; the bead closes when it merges) or "local" (only this rig's repo.git).
land = "local"
# The remote "push" and "pr" land on (repo.git's origin follows this value).
upstream = ""
# "human": merge requests that passed their gates wait for the Overseer (gt mq approve|reject). "none": no wait.
review = "none"

[gates]
# Commands the refinery runs in its worktree before merging; an empty command is skipped.
# For example: test = "pytest -q", lint = "ruff check .", build = "python -m build"
test = ""
lint = ""
build = ""
"""


class TownConfig(TomlFile):
    """town.toml: name, town prefix, default runtime, scheduler limits, patrol intervals, runtimes."""

    @classmethod
    def for_town(cls, town: TownPaths) -> "TownConfig":
        """Load the town's town.toml."""
        file = TomlFile.load(town.town_toml, "town.toml")
        return cls(file.path, file.doc, file.label)

    @property
    def name(self) -> str:
        """The town's display name."""
        return self.string("name", allow_empty=False)

    @property
    def prefix(self) -> str:
        """Prefix of town-level bead ids."""
        return self.prefix_value("prefix", "hq")

    @property
    def default_runtime(self) -> str:
        """Name of the runtime agents use by default."""
        return self.string("default_runtime", "claude", allow_empty=False)

    @property
    def max_polecats(self) -> int:
        """Most polecats running at once across the town."""
        return self.integer("scheduler.max_polecats", 8, minimum=1)

    def patrol_interval(self, patrol: str) -> float:
        """Seconds between runs of `patrol` (witness, refinery, deacon, or any other patrol named in the file)."""
        return self.seconds(f"patrols.{patrol}", DEFAULT_PATROLS.get(patrol, 60))

    @property
    def patrol_intervals(self) -> dict[str, float]:
        """Every patrol interval: the defaults, overridden by the file."""
        names = dict.fromkeys([*DEFAULT_PATROLS, *self.table("patrols", {})])
        return {name: self.patrol_interval(name) for name in names}

    @property
    def runtimes(self) -> dict[str, dict[str, Any]]:
        """Runtime definitions from [runtimes], each a plain dict (validated as tables only; runtimes own the rest)."""
        result: dict[str, dict[str, Any]] = {}
        for name in self.table("runtimes", {}):
            result[name] = self.table(f"runtimes.{name}")
        return result

    def validate(self) -> "TownConfig":
        """Read every known field so a bad value is reported now, naming the file and field."""
        _ = (self.name, self.prefix, self.default_runtime, self.max_polecats, self.patrol_intervals, self.runtimes)
        return self


class RigConfig(TomlFile):
    """rig.toml: rig name, bead prefix, source, default branch, gate commands and their timeout."""

    @classmethod
    def for_rig(cls, rig: RigPaths) -> "RigConfig":
        """Load `<rig>/rig.toml`."""
        file = TomlFile.load(rig.rig_toml, f"{rig.name}/rig.toml")
        return cls(file.path, file.doc, file.label)

    @property
    def name(self) -> str:
        """The rig's name (matches its directory)."""
        return self.string("name", allow_empty=False)

    @property
    def prefix(self) -> str:
        """Prefix of the rig's bead ids."""
        return self.prefix_value("prefix")

    @property
    def source(self) -> str:
        """Where the rig was cloned from."""
        return self.string("source")

    @property
    def default_branch(self) -> str:
        """The branch the refinery merges into."""
        return self.string("default_branch", "main", allow_empty=False)

    @property
    def gate_timeout(self) -> int:
        """Seconds each gate command may run."""
        return self.integer("gate_timeout", 600, minimum=1)

    @property
    def land(self) -> str:
        """Landing mode: push, pr or local (a rig.toml from before landing modes existed lands locally)."""
        return self._choice("land", LAND_MODES, "local")

    @property
    def upstream(self) -> str:
        """The remote that push and pr land on ('' when the rig has none)."""
        return self.string("upstream", "")

    @property
    def review(self) -> str:
        """Review gate: none, or human (green MRs wait for approve/reject)."""
        return self._choice("review", REVIEW_MODES, "none")

    def _choice(self, field: str, allowed: tuple[str, ...], default: str) -> str:
        """A string field that must be one of `allowed`."""
        value = self.string(field, default)
        if value not in allowed:
            raise self.error(field, f"expected one of {', '.join(map(repr, allowed))}, got {value!r}")
        return value

    def gate(self, name: str) -> str | list[str]:
        """One gate's command: a command line string, or an argv list of strings (the refinery accepts both)."""
        value = self.raw(f"gates.{name}")
        if isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            return value
        raise self.error(f"gates.{name}", f"expected a command string or a list of strings, got {show(value)}")

    @property
    def gates(self) -> dict[str, str | list[str]]:
        """Every gate, name -> command (empty commands included), in file order."""
        return {name: self.gate(name) for name in self.table("gates", {})}

    @property
    def gate_commands(self) -> list[tuple[str, str | list[str]]]:
        """The gates to run, in file order: (name, command) for each non-empty command."""
        return [(name, cmd) for name, cmd in self.gates.items()
                if (cmd.strip() if isinstance(cmd, str) else any(part.strip() for part in cmd))]

    def validate(self) -> "RigConfig":
        """Read every known field so a bad value is reported now."""
        _ = (self.name, self.prefix, self.source, self.default_branch, self.gate_timeout, self.gates, self.land,
             self.upstream, self.review)
        if self.land != "local" and not self.upstream:
            raise self.error("land", f"{self.land!r} needs an upstream; set upstream or use land = \"local\"")
        return self


def new_town_config(town: TownPaths, name: str, prefix: str = "hq") -> TownConfig:
    """A fresh town.toml (not yet saved) from the commented template."""
    config = TownConfig(town.town_toml, tomlkit.parse(TOWN_TEMPLATE), "town.toml")
    config.set("name", name)
    config.set("prefix", prefix)
    return config.validate()


def new_rig_config(rig: RigPaths, *, prefix: str, source: str, default_branch: str, land: str = "local",
                   upstream: str = "") -> RigConfig:
    """A fresh rig.toml (not yet saved) from the commented template."""
    config = RigConfig(rig.rig_toml, tomlkit.parse(RIG_TEMPLATE), f"{rig.name}/rig.toml")
    for field, value in (("name", rig.name), ("prefix", prefix), ("source", source),
                         ("default_branch", default_branch), ("land", land), ("upstream", upstream)):
        config.set(field, value)
    return config.validate()


def load_town_config(town: TownPaths | Path) -> TownConfig:
    """Load town.toml of `town` (a TownPaths or the town root)."""
    return TownConfig.for_town(town if isinstance(town, TownPaths) else TownPaths(Path(town)))


def load_rig_config(rig: RigPaths) -> RigConfig:
    """Load rig.toml of `rig`."""
    return RigConfig.for_rig(rig)
