"""Typed model of a formula file (beads `internal/formula/types.go`, reference/beads.md §5.5) and its errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gastown_tui.errors import InvalidInput

FORMULA_TYPES = ("workflow", "expansion", "aspect", "convoy")
STEP_TYPES = ("task", "bug", "feature", "epic", "chore", "parallel")  # parallel: a container, children at once
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
    required_unless: list[str] = field(default_factory=list)  # not required when any of these vars is given
    table: str = "vars"  # where it was declared: `vars`, or `inputs` for a convoy (named in errors)
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
    parallel: bool = False      # runs alongside the other parallel steps that share its needs
    interactive: bool = False   # never dispatched to a polecat: the Overseer (or `agent`) does it
    agent: str | None = None    # who does an interactive step / which runtime works it
    output: str = ""            # artifact this step produces (passed to the steps that need it)
    on_complete: dict[str, Any] | None = None  # {for_each, bond, vars, parallel|sequential}: runtime fan-out
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
class Leg:
    """One convoy leg: worked by its own polecat, in parallel with the other legs."""

    id: str
    title: str = ""
    focus: str = ""
    description: str = ""
    agent: str | None = None        # runtime for this leg (else the formula's `agent`)
    review_only: bool | None = None  # None: the formula's `review_only`
    loc: Loc = field(default_factory=lambda: Loc(""))


@dataclass
class Synthesis:
    """The convoy step that combines the legs' outputs; ready once its `depends_on` legs (default all) closed."""

    title: str = "Synthesis"
    description: str = ""
    depends_on: list[str] = field(default_factory=list)
    loc: Loc = field(default_factory=lambda: Loc(""))


@dataclass
class Output:
    """Where convoy outputs go: `directory` (under the town), `leg_pattern` per leg, `synthesis` file."""

    directory: str = ""
    leg_pattern: str = "{{leg.id}}.md"
    synthesis: str = "synthesis.md"


@dataclass
class AdviceRule:
    """Aspect advice: steps woven before/after (or around) every step whose id matches `target` (a glob)."""

    target: str
    before: list[Step] = field(default_factory=list)
    after: list[Step] = field(default_factory=list)
    loc: Loc = field(default_factory=lambda: Loc(""))


@dataclass
class MapRule:
    """`[[compose.map]]`: expand every step whose id matches `select` (a glob) with formula `with_`."""

    select: str
    with_: str
    vars: dict[str, str] = field(default_factory=dict)
    loc: Loc = field(default_factory=lambda: Loc(""))


@dataclass
class BranchRule:
    """`[[compose.branch]]`: steps forked after `from_` (in parallel), joined before `join`."""

    from_: str
    steps: list[str]
    join: str | None = None
    loc: Loc = field(default_factory=lambda: Loc(""))


@dataclass
class HookRule:
    """`[[compose.hooks]]`: when a poured molecule's work bead matches `trigger`, bond formula `attach` at `at`."""

    trigger: str
    attach: str
    at: str | None = None
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
    agent: str | None = None           # default runtime for legs
    review_only: bool = False          # legs expect no commits and never go to the refinery
    execution: str = "local"
    prompts: dict[str, str] = field(default_factory=dict)
    output: Output | None = None
    legs: list[Leg] = field(default_factory=list)
    synthesis: Synthesis | None = None
    aspects: list[Leg] = field(default_factory=list)   # analysis aspects of an aspect formula (like legs)
    presets: dict[str, list[str]] = field(default_factory=dict)  # `[presets.NAME] legs = [...]`: a subset to run
    advice: list[AdviceRule] = field(default_factory=list)
    compose_aspects: list[str] = field(default_factory=list)  # aspect formulas woven in (`compose.aspects`)
    map_rules: list[MapRule] = field(default_factory=list)
    branch_rules: list[BranchRule] = field(default_factory=list)
    hook_rules: list[HookRule] = field(default_factory=list)
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
