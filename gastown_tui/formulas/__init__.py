"""Formulas and molecules (MEOW): parse and check formula TOML, cook protos, pour and walk molecules.

Python API (import from `gastown_tui.formulas`):

    library = FormulaLibrary(search_path(town, rig))   # rig -> town -> shipped `formulas/`; `.load` is a loader
    formula = load_formula(name, library)              # Formula; FormulaError (an InvalidInput) names file:line: field
    proto = cook(formula, vars={"k": "v"}, loader=library.load)   # Proto: runtime mode when vars given, else compile
    check(formula, loader=library.load)                # what `gt formula check` runs; raises FormulaError

    mol = pour(ledger, proto_or_formula_or_name_or_proto_id, vars, *, ephemeral=False, attach_to=None,
               actor=None, library=None, assignee=None) -> Molecule   # one transaction; a wisp when ephemeral
    persist_proto(ledger, proto, *, actor=None, force=False) -> str   # `gt cook --persist`; returns root id
    molecule_status(ledger, mol_id) -> Molecule         # steps with state; .counts() progress; .to_dict()
    current_step(ledger, mol_id, actor=None) -> StepState | None   # in-progress step, else first ready step
    ready_steps(ledger, mol_id) -> list[StepState]
    claim_step(ledger, mol_id, step=None, actor=None) -> StepState  # idempotent for the same actor
    step_done(ledger, mol_id, step=None, actor=None, reason="") -> list[StepState]   # the newly ready steps
    squash(ledger, mol_id, summary=None, actor=None) -> str   # digest bead id
    burn(ledger, mol_id, actor=None) -> None
    wisp_gc(ledger, "7d") -> int ; list_molecules(ledger) -> list[Molecule] ; load_proto(ledger, proto_id) -> Proto
    find_molecule(ledger, actor) -> str | None          # molecule of the bead on `actor`'s hook
    resolve_step(ledger, mol_id, step) -> str           # step bead id from a bead id or formula step id

    check_all(formula, loader) -> list[FormulaError]  # every problem of one file (`gt formula check DIR`)
    convoy_run.start_convoy_formula(town, ledger, formula, vars, rig, actor=) -> ConvoyRun  # `gt formula run`
    convoy_run.feed(town, ledger, actor=) -> (slung, queued)   # sling ready legs/synthesis within capacity
    convoy_run.prepare_syntheses(ledger, actor=)        # put legs' outputs into ready synthesis beads (deacon)

Schema (schema.py): formula `type` workflow|expansion|convoy|aspect, `pour`, `agent`, `review_only`, `inputs`,
`prompts`, `output`, `legs`, `synthesis`, `template`, `aspects`, `advice`, `extends` (own directory first),
`compose` (expand, map, branch, hooks, aspects); steps `parallel`, `interactive`, `agent`, `output`,
`on_complete`, `acceptance`, `children` (any depth), `type = "parallel"`, `gate`, `loop`, `waits_for`; vars
`required` (a default satisfies it), `required_unless`, `default`, `type`, `enum`, `pattern`.

Root-only molecules (`pour = false`, or `pour(..., root_only=True)`): ONE root bead whose metadata `root_only`
holds the steps, their state and the done order; the same walk functions and `gt mol` commands work on it (step
ids `<root>#<step>`). Interactive steps are assigned to the Overseer (or `agent`) and mailed when ready; walkers
skip them. `step_done(..., result=)` feeds `on_complete`.

Molecule layout in the ledger: root bead `issue_type="molecule"` (metadata `formula`, `vars`, `attached_to`,
`mol_kind`), one child bead per step (ids `<root>.N`; metadata `step_id`, `needs`, `order`, `molecule`) with
`blocks` edges from `needs`. Every transition emits a feed event: mol.poured, mol.step_claimed, mol.step_done,
mol.completed, mol.squashed, mol.burned (data: mol, step, step_id; actor). Events are written inside the
transaction just before commit, so a crash can at worst repeat an event, never lose one.

Readiness: a step is ready when open and not blocked (the ledger's flag: `blocks` edges, a blocked epic parent);
epic steps are containers that close when their children are done. A bare `claim` / `step done` acts on the
caller's own step in progress, else the first ready step — never on a step someone else claimed.
"""

from __future__ import annotations

from typing import Any

from gastown_tui.formulas.cook import Proto, ProtoStep, check, cook
from gastown_tui.formulas.expand import substitute
from gastown_tui.formulas.parser import parse_formula_file, parse_formula_text
from gastown_tui.formulas.schema import Formula, FormulaError, Step, VarDef
from gastown_tui.formulas.search import SHIPPED_DIR, FormulaEntry, FormulaLibrary, load_formula, search_path

_MOLECULE_NAMES = {"Molecule", "MoleculeStatus", "StepState", "pour", "persist_proto", "molecule_status",
                   "current_step", "ready_steps", "claim_step", "step_done", "squash", "burn", "find_molecule",
                   "resolve_step", "load_proto", "wisp_gc", "list_molecules", "parse_duration", "bind",
                   "require_molecule"}


def __getattr__(name: str) -> Any:
    """Molecule functions are imported lazily so parsing/cooking never loads the ledger."""
    if name in _MOLECULE_NAMES:
        from gastown_tui.formulas import molecule
        return getattr(molecule, name)
    raise AttributeError(name)


__all__ = ["Formula", "FormulaEntry", "FormulaError", "FormulaLibrary", "Proto", "ProtoStep", "SHIPPED_DIR", "Step",
           "VarDef", "check", "cook", "load_formula", "parse_formula_file", "parse_formula_text", "search_path",
           "substitute", *sorted(_MOLECULE_NAMES)]
