"""Typed model of a formula file (beads `internal/formula/types.go`, reference/beads.md §5.5) and its errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gastown_tui.errors import InvalidInput

FORMULA_TYPES = ("workflow", "expansion", "aspect", "convoy")
STEP_TYPES = ("task", "bug", "feature", "epic", "chore")
VAR_TYPES = ("string", "int", "bool")
PHASES = ("liquid", "vapor")
SUFFIX = ".formula.toml"


class FormulaError(InvalidInput):
    """A formula problem, always reported as `file:line: field: problem` on one line."""

    def __init__(self, source: str | Path, line: int, field_name: str, problem: str) -> None:
        self.source = str(source)
        self.line = line
        self.field = field_name
        self.problem = problem
        super().__init__(f"{self.source}:{line}: {field_name}: {problem}")


@dataclass(frozen=True)
class Loc:
    """Where something was written: file and 1-based line (0 when unknown)."""

    source: str
    line: int = 0

    def error(self, field_name: str, problem: str) -> FormulaError:
        """A FormulaError located here."""
        return FormulaError(self.source, max(self.line, 1), field_name, problem)

    def __str__(self) -> str:
        return f"{self.source}:{self.line}"


@dataclass
class VarDef:
    """A declared variable: shorthand `name = "default"` or a `[vars.name]` table."""

    name: str
    description: str = ""
    default: str | None = None  # None means "no default" (differs from "")
    required: bool = False
    enum: list[str] = field(default_factory=list)
    pattern: str | None = None
    type: str = "string"
    loc: Loc = field(default_factory=lambda: Loc(""))


@dataclass
class Loop:
    """Repetition of a step body: `count`, `range` + `var`, or `until` + `max`."""

    count: int | None = None
    range: str | None = None
    var: str | None = None
    until: str | None = None
    max: int | None = None
    body: list["Step"] = field(default_factory=list)
    loc: Loc = field(default_factory=lambda: Loc(""))
    field_lines: dict[str, int] = field(default_factory=dict)

    def field_loc(self, name: str) -> Loc:
        """The location of one of the loop's keys (the loop table header when not found)."""
        return Loc(self.loc.source, self.field_lines.get(name, self.loc.line))


@dataclass
class Step:
    """One step of a workflow; becomes one bead when poured."""

    id: str
    title: str = ""
    description: str = ""
    notes: str = ""
    type: str = "task"
    priority: int = 2
    labels: list[str] = field(default_factory=list)
    assignee: str | None = None
    needs: list[str] = field(default_factory=list)  # `needs` and `depends_on`, merged
    acceptance: str = ""
    condition: str | None = None
    children: list["Step"] = field(default_factory=list)
    gate: dict[str, Any] | None = None
    loop: Loop | None = None
    waits_for: str | None = None
    expand: str | None = None
    expand_vars: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)  # the `metadata` table plus unknown keys
    loc: Loc = field(default_factory=lambda: Loc(""))
    field_lines: dict[str, int] = field(default_factory=dict)  # field name -> line, for precise errors

    def field_loc(self, name: str) -> Loc:
        """The location of one of this step's fields (the step header when not found)."""
        return Loc(self.loc.source, self.field_lines.get(name, self.loc.line))


@dataclass
class ExpandRule:
    """`[[compose.expand]]`: replace step `target` by the template of expansion formula `with_`."""

    target: str
    with_: str
    vars: dict[str, str] = field(default_factory=dict)
    loc: Loc = field(default_factory=lambda: Loc(""))


@dataclass
class Formula:
    """A parsed (not yet resolved) formula file."""

    name: str
    source: Path | None
    description: str = ""
    version: int = 1
    type: str = "workflow"
    vars: dict[str, VarDef] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    template: list[Step] = field(default_factory=list)
    extends: list[str] = field(default_factory=list)
    expand_rules: list[ExpandRule] = field(default_factory=list)
    pour: bool | None = None
    phase: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)  # unknown / unimplemented keys, kept verbatim
    loc: Loc = field(default_factory=lambda: Loc(""))
    field_lines: dict[tuple[Any, ...], int] = field(default_factory=dict)

    def line_of(self, *path: Any) -> int:
        """Line of a key path (e.g. `("vars", "feature")`), falling back to its nearest known parent."""
        for end in range(len(path), 0, -1):
            line = self.field_lines.get(tuple(path[:end]))
            if line:
                return line
        return 1

    def loc_of(self, *path: Any) -> Loc:
        """A Loc for a key path of this file."""
        return Loc(self.loc.source, self.line_of(*path))
