"""`gt mol pour|wisp|status|current|next|step done|step claim|squash|burn|list` — molecules, one step at a time."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from gastown_tui.cli.formula_cmd import add_var_flag, parse_vars
from gastown_tui.cli.ledger_cmd import open_ledger
from gastown_tui.cli.output import add_json_flag, print_json

_MARK = {"done": "[x]", "in_progress": "[>]", "ready": "[ ]", "blocked": "[.]"}


def register(subparsers: Any) -> None:
    """Register `mol` and its subcommands."""
    mol = subparsers.add_parser("mol", help="pour, walk, squash and burn molecules")
    sub = mol.add_subparsers(dest="mol_command", metavar="SUBCOMMAND")

    def add(name: str, func: Callable[[argparse.Namespace], int], help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_)
        add_json_flag(p)
        p.set_defaults(func=func)
        return p

    for name, ephemeral in (("pour", False), ("wisp", True)):
        p = add(name, cmd_pour, "instantiate a formula or proto as a " + ("wisp (ephemeral); `wisp gc --age 7d` "
                "removes old wisps, `wisp list` lists them" if ephemeral else "persistent molecule"))
        p.add_argument("source", help="formula name, formula file or persisted proto id" +
                       (" (or gc / list)" if ephemeral else ""))
        add_var_flag(p)
        p.add_argument("--attach", metavar="BEAD", help="attach the molecule to this work bead")
        p.add_argument("--assignee", help="assignee of the molecule root")
        shape = p.add_mutually_exclusive_group()
        shape.add_argument("--root-only", dest="root_only", action="store_const", const=True,
                           help="keep the steps on the root bead (the formula's pour = false)")
        shape.add_argument("--materialize", dest="root_only", action="store_const", const=False,
                           help="one bead per step (the formula's pour = true)")
        if ephemeral:
            p.add_argument("--age", default="7d", help="with gc: remove wisps older than this (e.g. 7d, 1h)")
        p.set_defaults(ephemeral=ephemeral)
    for name, func, help_ in (("status", cmd_status, "steps with state and progress counts"),
                              ("current", cmd_current, "the step in progress, else the next ready step"),
                              ("next", cmd_next, "the ready steps (with --claim: claim the first)")):
        p = add(name, func, help_)
        p.add_argument("mol", nargs="?", help="molecule id (default: the molecule of the bead on your hook)")
        if name == "next":
            p.add_argument("--claim", action="store_true", help="claim the first ready step")
    p = add("list", cmd_list, "molecules in the ledger")
    p.add_argument("--all", action="store_true", help="include closed molecules")
    for name, func, help_ in (("squash", cmd_squash, "close what remains and create a digest bead"),
                              ("burn", cmd_burn, "discard: delete a wisp, close a persistent molecule as abandoned")):
        p = add(name, func, help_)
        p.add_argument("mol")
        if name == "squash":
            p.add_argument("--summary", help="digest text (default: generated from the steps)")
    step = sub.add_parser("step", help="close or claim a step")
    step_sub = step.add_subparsers(dest="step_command", metavar="ACTION")
    for name, func, help_ in (("done", cmd_step_done, "close the current (or named) step; print what is next"),
                              ("claim", cmd_step_claim, "claim the current (or named) step")):
        p = step_sub.add_parser(name, help=help_)
        add_json_flag(p)
        p.add_argument("step", nargs="?", help="step id or bead id (default: the current step)")
        p.add_argument("--mol", help="molecule id (default: from the step bead, else your hook)")
        if name == "done":
            p.add_argument("--reason", default="", help="close reason")
            p.add_argument("--force", action="store_true", help="close a step claimed by someone else")
            p.add_argument("--result", metavar="JSON", help="the step's result (JSON; @FILE reads a file): "
                           "on_complete bonds a formula per item of a list in it")
        p.set_defaults(func=func)
    step.set_defaults(func=lambda args: (step.print_help(), 2)[1])
    mol.set_defaults(func=lambda args: (mol.print_help(), 2)[1])




def _step_text(step: Any) -> str:
    return f"{step.step_id}  {step.bead_id}  {step.title}"


def _print_step(step: Any, heading: str) -> None:
    print(f"{heading}: {_step_text(step)}")
    if step.description.strip():
        print("  " + "\n  ".join(step.description.strip().splitlines()))
    if step.acceptance.strip():
        print(f"  acceptance: {step.acceptance.strip()}")


def cmd_pour(args: argparse.Namespace) -> int:
    """Pour (or wisp) a molecule; `wisp gc` / `wisp list` are handled here too (the source slot names them)."""
    from gastown_tui.formulas import molecule as M
    with open_ledger() as ledger:
        if args.ephemeral and args.source == "gc":
            removed = M.wisp_gc(ledger, args.age)
            print_json({"removed": removed}) if args.json else print(f"removed {removed} wisps older than {args.age}")
            return 0
        if args.ephemeral and args.source == "list":
            mols = M.list_molecules(ledger, ephemeral=True)
            if args.json:
                print_json([m.to_dict() for m in mols])
            for m in [] if args.json else mols:
                c = m.counts()
                print(f"{m.id}  {m.formula}  {c['done']}/{c['total']}  {m.title}")
            return 0
        _warn_phase(ledger, args.source, args.ephemeral)
        mol = M.pour(ledger, args.source, parse_vars(args.var), ephemeral=args.ephemeral, attach_to=args.attach,
                     assignee=args.assignee, root_only=args.root_only)
        if args.json:
            print_json(mol.to_dict())
            return 0
        kind = ("root-only " if mol.root_only else "") + ("wisp" if args.ephemeral else "molecule")
        print(f"poured {kind} {mol.id}  ({mol.formula}, {len(mol.steps)} steps)  {mol.title}")
        for step in mol.steps:
            if step.state == "ready":
                print(f"  ready: {_step_text(step)}")
    return 0


def _warn_phase(ledger: Any, source: str, ephemeral: bool) -> None:
    """Like beads: pouring a formula that recommends vapor (patrols) as a persistent molecule gets a warning."""
    from gastown_tui.errors import GastownError
    from gastown_tui.formulas import FormulaLibrary
    if ephemeral or ledger.exists(source):
        return
    try:
        formula = FormulaLibrary().load(source)
    except GastownError:
        return  # pour reports the real error
    if formula.phase == "vapor":
        print(f"warning: {formula.name} recommends a wisp (phase = \"vapor\"); use gt mol wisp", file=sys.stderr)


def _mol_of_step(ledger: Any, step: str | None, mol: str | None) -> str:
    """The molecule for a step command: --mol, else the step bead's, else the caller's hook, else a partial id."""
    from gastown_tui.errors import GastownError
    from gastown_tui.formulas.walk import find_molecule, require_molecule
    if mol:
        return ledger.resolve(mol)
    if step and "#" in step:  # `<root>#<step>` names a step of a root-only molecule
        return ledger.resolve(step.split("#", 1)[0])
    if step and ledger.exists(step):
        owner = (ledger.get(step).metadata or {}).get("molecule")
        if owner:
            return str(owner)
    hooked = find_molecule(ledger)
    if hooked:
        return hooked  # a formula step id like `design` is looked up in the molecule on your hook
    if step:
        try:  # last resort: a partial bead id (checked after the hook: `test` could match a hash by chance)
            owner = (ledger.get(ledger.resolve(step)).metadata or {}).get("molecule")
        except GastownError:
            owner = None
        if owner:
            return str(owner)
    return require_molecule(ledger, None)


def cmd_status(args: argparse.Namespace) -> int:
    """Print every step with its state and the progress counts."""
    from gastown_tui.formulas.walk import load_molecule, require_molecule
    with open_ledger() as ledger:
        mol = load_molecule(ledger, require_molecule(ledger, args.mol))
    if args.json:
        print_json(mol.to_dict())
        return 0
    c = mol.counts()
    kind = "wisp" if mol.ephemeral else "molecule"
    print(f"{mol.id}  {kind}  {mol.title}  [{mol.status}]")
    print(f"progress: {c['done']}/{c['total']} done, {c['in_progress']} in progress, {c['ready']} ready, "
          f"{c['blocked']} blocked" + (f"; attached to {mol.attached_to}" if mol.attached_to else ""))
    for step in mol.steps:
        indent = "    " if step.parent else "  "
        extra = f"  ({step.assignee})" if step.state == "in_progress" and step.assignee else ""
        if step.children_total:
            extra += f"  [{step.children_done}/{step.children_total}]"
        waits = f"  needs {', '.join(step.needs)}" if step.state == "blocked" and step.needs else ""
        print(f"{indent}{_MARK.get(step.state, '[?]')} {_step_text(step)}{extra}{waits}")
    return 0


def cmd_current(args: argparse.Namespace) -> int:
    """Print the step in progress, else the next ready step."""
    from gastown_tui.formulas.walk import current_step, load_molecule, require_molecule
    from gastown_tui.events import default_actor
    with open_ledger() as ledger:
        mol_id = require_molecule(ledger, args.mol)
        step = current_step(ledger, mol_id, default_actor())
        mol = load_molecule(ledger, mol_id)
    if args.json:
        print_json({"mol": mol_id, "complete": mol.complete, "step": step.to_dict() if step else None})
        return 0
    if step is None:
        print(f"{mol_id}: complete" if mol.complete else f"{mol_id}: nothing ready (waiting on open steps)")
        return 0
    _print_step(step, "current" if step.state == "in_progress" else "next")
    return 0


def cmd_next(args: argparse.Namespace) -> int:
    """Print the ready steps; with --claim, claim the first one."""
    from gastown_tui.formulas.walk import claim_step, ready_steps, require_molecule
    with open_ledger() as ledger:
        mol_id = require_molecule(ledger, args.mol)
        steps = ready_steps(ledger, mol_id)
        claimed = claim_step(ledger, mol_id, steps[0].bead_id) if args.claim and steps else None
    if args.json:
        print_json({"mol": mol_id, "ready": [s.to_dict() for s in steps],
                    "claimed": claimed.to_dict() if claimed else None})
        return 0
    if not steps:
        print(f"{mol_id}: no ready steps")
    for step in steps:
        print(f"{'claimed' if claimed and claimed.bead_id == step.bead_id else 'ready'}: {_step_text(step)}")
    return 0


def cmd_step_done(args: argparse.Namespace) -> int:
    """Close a step and print the steps it made ready."""
    from gastown_tui.formulas.walk import load_molecule, step_done
    with open_ledger() as ledger:
        mol_id = _mol_of_step(ledger, args.step, args.mol)
        before = load_molecule(ledger, mol_id)
        target = before.step(args.step) if args.step else None
        nxt = step_done(ledger, mol_id, target.bead_id if target else None, reason=args.reason, force=args.force,
                        result=_result(args.result))
        after = load_molecule(ledger, mol_id)
    done = [s for s in after.steps if s.state == "done" and before.step(s.bead_id).state != "done"
            and s.issue_type != "epic"]
    if args.json:
        print_json({"mol": mol_id, "done": [s.to_dict() for s in done], "next": [s.to_dict() for s in nxt],
                    "complete": after.complete})
        return 0
    for step in done:
        print(f"done: {_step_text(step)}")
    for step in nxt:
        print(f"next: {_step_text(step)}")
    if after.complete:
        print(f"{mol_id}: complete")
    elif not nxt:
        print(f"{mol_id}: {after.counts()['done']}/{after.counts()['total']} done; no new step ready yet")
    return 0


def _result(text: str | None) -> Any:
    """`--result` as JSON (`@path` reads the file); one clear line when it is not JSON."""
    import json
    from pathlib import Path

    from gastown_tui.errors import InvalidInput
    if text is None:
        return None
    try:
        return json.loads(Path(text[1:]).read_text() if text.startswith("@") else text)
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"--result: not readable JSON: {exc}") from None


def cmd_step_claim(args: argparse.Namespace) -> int:
    """Claim a step (default: the current one) for the calling agent."""
    from gastown_tui.formulas.walk import claim_step
    with open_ledger() as ledger:
        mol_id = _mol_of_step(ledger, args.step, args.mol)
        step = claim_step(ledger, mol_id, args.step)
    if args.json:
        print_json({"mol": mol_id, "step": step.to_dict()})
        return 0
    _print_step(step, "claimed")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    """List molecules with progress."""
    from gastown_tui.formulas.molecule import list_molecules
    with open_ledger() as ledger:
        mols = list_molecules(ledger, include_closed=args.all)
    if args.json:
        print_json([m.to_dict() for m in mols])
        return 0
    for m in mols:
        c = m.counts()
        print(f"{m.id}  {'wisp' if m.ephemeral else 'mol '}  {m.formula}  {c['done']}/{c['total']}  {m.title}")
    return 0


def cmd_squash(args: argparse.Namespace) -> int:
    """Squash a molecule into a digest bead."""
    from gastown_tui.formulas.molecule import squash
    with open_ledger() as ledger:
        digest = squash(ledger, ledger.resolve(args.mol), summary=args.summary)
    print_json({"mol": args.mol, "digest": digest}) if args.json else print(f"squashed {args.mol} -> {digest}")
    return 0


def cmd_burn(args: argparse.Namespace) -> int:
    """Burn a molecule."""
    from gastown_tui.formulas.molecule import burn
    with open_ledger() as ledger:
        mol_id = ledger.resolve(args.mol)
        burn(ledger, mol_id)
    print_json({"mol": mol_id, "burned": True}) if args.json else print(f"burned {mol_id}")
    return 0


__all__ = ["register"]
