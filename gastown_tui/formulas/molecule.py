"""Instantiating protos as beads: pour (persistent) / wisp (ephemeral), persisted protos, squash, burn, wisp GC.

Walking (status, current, claim, done) lives in `walk.py`; its names are re-exported here.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from gastown_tui.errors import Conflict, InvalidInput
from gastown_tui.events import default_actor
from gastown_tui.formulas.cook import Proto, ProtoStep, cook
from gastown_tui.formulas import interactive, rootonly
from gastown_tui.formulas.expand import eval_condition, substitute
from gastown_tui.formulas.ordering import ChildIds, dependency_order, waits_gate
from gastown_tui.formulas.schema import Formula, Loc, VarDef
from gastown_tui.formulas.search import FormulaLibrary
from gastown_tui.formulas.validate import check_var_value, missing_required
from gastown_tui.formulas.walk import (ATTACH_DEP, DONE, Molecule, MoleculeStatus, StepState, claim_step,
                                       current_step, emit_event, find_molecule, load_molecule, molecule_status,
                                       ready_steps, require_molecule, resolve_step, step_done)

if TYPE_CHECKING:
    from gastown_tui.ledger import Ledger

TEMPLATE_LABEL = "template"
_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)?\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> float:
    """`30s`, `15m`, `1h`, `7d`, `2w` (bare numbers are seconds) -> seconds."""
    match = _DURATION_RE.match(text or "")
    if not match:
        raise InvalidInput(f"invalid duration {text!r}: use a number with s, m, h, d or w (e.g. 7d, 1h)")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2) or "s"]


def bind(proto: Proto, vars: dict[str, str]) -> Proto:
    """A compile-mode proto with `vars` checked and substituted and undecided conditions evaluated."""
    if proto.mode == "runtime":
        if vars and vars != {k: v for k, v in proto.vars.items() if k in vars}:
            raise InvalidInput(f"proto {proto.id} was cooked with vars already; pour the formula instead")
        return proto
    for name, value in vars.items():
        if name not in proto.var_defs:
            declared = ", ".join(sorted(proto.var_defs)) or "none"
            raise Loc(proto.source or proto.id, 1).error(f"vars.{name}", f"unknown variable (declared: {declared})")
        check_var_value(proto.var_defs[name], value)
    for var in proto.var_defs.values():
        if missing_required(var, vars):
            raise var.loc.error(f"{var.table}.{var.name}", f"required variable not set (pass --var {var.name}=...)")
    values = {n: v.default for n, v in proto.var_defs.items() if v.default is not None}
    values.update(vars)
    dropped = {s.id for s in proto.steps if s.condition and eval_condition(s.condition, values) is False}
    grew = True
    while grew:  # children of a dropped epic go with it
        extra = {s.id for s in proto.steps if s.parent in dropped and s.id not in dropped}
        dropped |= extra
        grew = bool(extra)
    steps = [replace(s, title=substitute(s.title, values), description=substitute(s.description, values),
                     notes=substitute(s.notes, values), acceptance=substitute(s.acceptance, values),
                     assignee=substitute(s.assignee, values) if s.assignee else None, condition=None,
                     needs=[n for n in s.needs if n not in dropped])
             for s in proto.steps if s.id not in dropped]
    return replace(proto, title=substitute(proto.title, values), description=substitute(proto.description, values),
                   steps=steps, vars=values, mode="runtime")


def _to_proto(ledger: "Ledger", source: Proto | Formula | str, vars: dict[str, str],
              library: FormulaLibrary | None) -> Proto:
    """Whatever the caller named (proto, formula, formula name, persisted proto id) as a runtime proto."""
    if isinstance(source, Proto):
        return bind(source, vars)
    if isinstance(source, str) and ledger.exists(source):
        return bind(load_proto(ledger, source), vars)
    library = library or FormulaLibrary()
    formula = source if isinstance(source, Formula) else library.load(source)
    return cook(formula, vars, loader=library.load, mode="runtime")


def pour(ledger: "Ledger", source: Proto | Formula | str, vars: dict[str, str] | None = None, *,
         ephemeral: bool = False, attach_to: str | None = None, actor: str | None = None,
         library: FormulaLibrary | None = None, assignee: str | None = None,
         root_only: bool | None = None) -> Molecule:
    """Create the molecule of `source` in ONE transaction: root bead (`molecule`) + step beads + `blocks` edges.

    `ephemeral=True` makes a wisp (never exported). `root_only` (default: the formula's `pour = false`) keeps
    the steps in the root's metadata instead of one bead each (see rootonly.py). `attach_to` links the molecule to a
    work bead (root metadata
    `attached_to` and a non-blocking `relates-to` edge) so `find_molecule` can find it from an agent's hook.
    """
    actor = actor or default_actor()
    proto = _to_proto(ledger, source, dict(vars or {}), library)
    with ledger.transaction():
        if attach_to is not None:
            attach_to = ledger.resolve(attach_to)
        meta: dict[str, Any] = {"formula": proto.formula, "vars": proto.vars, "mol_kind": "wisp" if ephemeral
                                else "mol", "source": proto.source}
        if attach_to:
            meta["attached_to"] = attach_to
        if root_only is None:
            root_only = proto.pour is False
        if root_only:
            meta[rootonly.KEY] = rootonly.initial_meta(proto.steps)
        root = ledger.create(proto.title, description=proto.description, issue_type="molecule",
                             ephemeral=ephemeral, assignee=assignee, metadata=meta, actor=actor,
                             source_formula=proto.formula)
        ids: dict[str, str] = {}
        numbering = ChildIds(root.id)
        for order, step in enumerate([] if root_only else proto.steps):
            parent = ids[step.parent] if step.parent else root.id
            person = interactive.owner(step.metadata)
            bead = ledger.create(
                step.title, id=numbering.next(parent), parent=parent, description=step.description,
                issue_type=step.type, priority=step.priority, assignee=person or step.assignee,
                labels=[*step.labels, interactive.LABEL] if person else step.labels,
                ephemeral=ephemeral, acceptance_criteria=step.acceptance, notes=step.notes, actor=actor,
                metadata={**step.metadata, "molecule": root.id, "step_id": step.id, "needs": step.needs,
                          "order": order, **({"gate": step.gate} if step.gate else {})})
            ids[step.id] = bead.id
        # Needs first-to-last would make each cycle check walk the whole chain behind it (quadratic); added in
        # reverse dependency order every check starts from a bead with no edges yet.
        for step in reversed(dependency_order([] if root_only else proto.steps)):
            spawner, gate = waits_gate(step)
            for need in step.needs:
                if need != spawner:
                    ledger.add_dep(ids[step.id], ids[need], "blocks", actor=actor)
            if spawner in ids:  # fan-in: wait for the spawner's children (all, or any one), not the spawner
                ledger.add_dep(ids[step.id], ids[spawner], "waits-for", actor=actor, metadata={"gate": gate})
        if attach_to:
            ledger.add_dep(root.id, attach_to, ATTACH_DEP, actor=actor, metadata={"attached_molecule": True})
            rules = proto.formula_obj.hook_rules if proto.formula_obj is not None else []
            if rules and not root_only:
                from gastown_tui.formulas.hooks import apply_hooks
                apply_hooks(ledger, rules, attach_to, ids, ephemeral=ephemeral, actor=actor,
                            library=library or FormulaLibrary())
        emit_event(ledger, "mol.poured", actor, mol=root.id, formula=proto.formula, ephemeral=ephemeral,
              steps=len(proto.steps), attached_to=attach_to)
        mol = load_molecule(ledger, root.id)
        interactive.notify_ready(ledger, mol, [s for s in mol.steps if s.state == "ready"], actor)
        return mol


def persist_proto(ledger: "Ledger", proto: Proto, *, actor: str | None = None, force: bool = False,
                  prefix: str | None = None) -> str:
    """Store `proto` as template beads (`is_template`, label `template`, status pinned so it is never ready work).

    The root id is `<prefix>-proto-<formula>`; `force` replaces an existing one. Returns the root id.
    """
    actor = actor or default_actor()
    root_id = f"{prefix or ledger.default_prefix}-proto-{re.sub(r'[^a-z0-9-]+', '-', proto.id.lower())}"
    var_defs = {n: {"description": v.description, "default": v.default, "required": v.required, "enum": v.enum,
                    "pattern": v.pattern, "type": v.type, "required_unless": v.required_unless}
                for n, v in proto.var_defs.items()}
    with ledger.transaction():
        if ledger.exists(root_id):
            if not force:
                raise Conflict(f"proto {root_id} already exists (use --force to replace it)")
            _delete_tree(ledger, root_id)
        ledger.create(proto.title, id=root_id, description=proto.description, issue_type="molecule",
                      status="pinned", labels=[TEMPLATE_LABEL], is_template=True, source_formula=proto.formula,
                      actor=actor, metadata={"formula": proto.formula, "proto": True, "mode": proto.mode,
                                             "vars": proto.vars, "var_defs": var_defs, "source": proto.source,
                                             "pour": proto.pour, "phase": proto.phase})
        ids: dict[str, str] = {}
        for order, step in enumerate(proto.steps):
            bead = ledger.create(step.title, parent=ids.get(step.parent or "", root_id),
                                 description=step.description, issue_type=step.type, priority=step.priority,
                                 status="pinned", labels=[*step.labels, TEMPLATE_LABEL], is_template=True,
                                 acceptance_criteria=step.acceptance, notes=step.notes, actor=actor,
                                 metadata={"proto_step": step.to_dict(), "step_id": step.id, "order": order})
            ids[step.id] = bead.id
        for step in proto.steps:
            for need in step.needs:
                ledger.add_dep(ids[step.id], ids[need], "blocks", actor=actor)
    return root_id


def load_proto(ledger: "Ledger", proto_id: str) -> Proto:
    """Read a persisted proto back (InvalidInput if `proto_id` is not a template)."""
    root = ledger.get(proto_id)
    meta = root.metadata or {}
    if not meta.get("proto"):
        raise InvalidInput(f"{proto_id} is not a proto (cook one with gt cook F --persist)")
    steps: list[ProtoStep] = []

    def collect(parent_id: str) -> None:
        for child in ledger.children(parent_id):
            data = (child.metadata or {}).get("proto_step")
            if data:
                steps.append((int((child.metadata or {}).get("order", 0)), ProtoStep(**data)))  # type: ignore
                collect(child.id)

    collect(proto_id)
    ordered = [s for _, s in sorted(steps, key=lambda pair: pair[0])]  # type: ignore
    var_defs = {n: VarDef(name=n, loc=Loc(proto_id, 1), **d) for n, d in meta.get("var_defs", {}).items()}
    return Proto(id=proto_id, formula=str(meta.get("formula", proto_id)), title=root.title,
                 description=root.description, steps=ordered, vars=dict(meta.get("vars", {})), var_defs=var_defs,
                 mode=meta.get("mode", "compile"), pour=meta.get("pour"), phase=meta.get("phase"),
                 source=proto_id)


def _tree_ids(ledger: "Ledger", root_id: str) -> list[str]:
    """`root_id` and every parent-child descendant, children first."""
    out: list[str] = []
    for child in ledger.children(root_id):
        out.extend(_tree_ids(ledger, child.id))
    out.append(root_id)
    return out


def _delete_tree(ledger: "Ledger", root_id: str) -> None:
    for bead_id in _tree_ids(ledger, root_id):
        ledger.delete(bead_id)


def squash(ledger: "Ledger", mol_id: str, summary: str | None = None, actor: str | None = None) -> str:
    """Create a closed digest bead summarising the molecule and close what remains; wisp steps are deleted.

    Persistent molecule: remaining steps and the root close, the digest becomes a child of the root. Wisp: the
    digest is a persistent bead (`digest_of` = the wisp id) and the wisp's beads are deleted. Returns the digest id.
    """
    actor = actor or default_actor()
    with ledger.transaction():
        mol = load_molecule(ledger, mol_id)
        lines = [f"- [{'x' if s.state == 'done' else ' '}] {s.step_id}: {s.title}" for s in mol.steps]
        counts = mol.counts()
        description = summary or (f"Squashed molecule {mol.id} ({mol.formula}): {counts['done']}/{counts['total']} "
                                  "steps done.\n\n" + "\n".join(lines))
        meta = {"digest_of": mol.id, "formula": mol.formula, "progress": counts}
        if mol.ephemeral:
            digest = ledger.create(f"Digest: {mol.title}", description=description, status="closed",
                                   close_reason=f"Squashed from {len(mol.steps)} wisps", metadata=meta, actor=actor)
            _delete_tree(ledger, mol.id)
        else:
            for step in [] if mol.root_only else reversed(mol.steps):
                if step.state != "done":
                    ledger.close(step.bead_id, reason="squashed", actor=actor)
            digest = ledger.create(f"Digest: {mol.title}", parent=mol.id, description=description, status="closed",
                                   close_reason=f"Squashed from {len(mol.steps)} steps", metadata=meta, actor=actor)
            if mol.status not in DONE:
                ledger.close(mol.id, reason="squashed", actor=actor)
        emit_event(ledger, "mol.squashed", actor, mol=mol.id, digest=digest.id, formula=mol.formula)
        return digest.id


def burn(ledger: "Ledger", mol_id: str, actor: str | None = None) -> None:
    """Discard a molecule without a digest: a wisp is deleted; a persistent one is closed as abandoned."""
    actor = actor or default_actor()
    with ledger.transaction():
        mol = load_molecule(ledger, mol_id)
        if mol.ephemeral:
            _delete_tree(ledger, mol.id)
        else:
            for step in [] if mol.root_only else reversed(mol.steps):
                if step.state != "done":
                    ledger.close(step.bead_id, reason="abandoned (burned)", actor=actor)
            if mol.status not in DONE:
                ledger.close(mol.id, reason="abandoned (burned)", actor=actor)
        emit_event(ledger, "mol.burned", actor, mol=mol.id, formula=mol.formula, ephemeral=mol.ephemeral)


def wisp_gc(ledger: "Ledger", age: str | float) -> int:
    """Delete wisps older than `age` (a duration like `7d` or seconds); returns how many went."""
    seconds = parse_duration(age) if isinstance(age, str) else float(age)
    return ledger.gc_wisps(seconds)


def list_molecules(ledger: "Ledger", *, include_closed: bool = False, ephemeral: bool | None = None) -> list[Molecule]:
    """Molecules (not protos) in the ledger, with their steps."""
    roots = ledger.list(issue_type="molecule", include_closed=include_closed, ephemeral=ephemeral)
    return [load_molecule(ledger, r.id) for r in roots if not (r.metadata or {}).get("proto")]


__all__ = ["Molecule", "MoleculeStatus", "StepState", "bind", "burn", "claim_step", "current_step", "find_molecule",
           "list_molecules", "load_proto", "molecule_status", "parse_duration", "persist_proto", "pour",
           "ready_steps", "require_molecule", "resolve_step", "squash", "step_done", "wisp_gc"]
