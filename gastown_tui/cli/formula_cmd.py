"""`gt formula list | show F | check [F...]` and `gt cook F [--var k=v] [--persist]`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from gastown_tui.cli.output import add_json_flag, print_json
from gastown_tui.errors import GastownError, InvalidInput


def parse_vars(pairs: list[str] | None) -> dict[str, str]:
    """`--var k=v` occurrences -> dict; a pair without `=` is an error."""
    out: dict[str, str] = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise InvalidInput(f"invalid --var {pair!r}: use --var name=value")
        out[name.strip()] = value
    return out


def add_var_flag(parser: argparse.ArgumentParser) -> None:
    """The repeatable `--var name=value` option."""
    parser.add_argument("--var", action="append", metavar="NAME=VALUE", help="set a formula variable (repeatable)")


def register(subparsers: Any) -> None:
    """Register `formula` and `cook`."""
    formula = subparsers.add_parser("formula", help="list, show and check workflow formulas")
    sub = formula.add_subparsers(dest="formula_command", metavar="SUBCOMMAND")
    p = sub.add_parser("list", help="formulas on the search path (rig, town, shipped)")
    add_json_flag(p)
    p.set_defaults(func=cmd_list)
    p = sub.add_parser("show", help="a formula's vars and cooked steps")
    p.add_argument("name")
    add_var_flag(p)
    add_json_flag(p)
    p.set_defaults(func=cmd_show)
    p = sub.add_parser("check", help="validate formulas (all on the search path when none named)")
    p.add_argument("names", nargs="*")
    add_json_flag(p)
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("new", help="write a commented skeleton NAME.formula.toml (town formulas/ by default)")
    p.add_argument("name")
    p.add_argument("--type", choices=("workflow", "convoy"), default="workflow")
    p.add_argument("--dir", help="directory to write into (default: the town's formulas/, else the cwd)")
    add_json_flag(p)
    p.set_defaults(func=cmd_new)
    p = sub.add_parser("run", help="run a convoy formula: one polecat per leg, then the synthesis")
    p.add_argument("name")
    p.add_argument("rig", help="rig whose polecats work the legs")
    add_var_flag(p)
    p.add_argument("--preset", help="run only the legs of this [presets.NAME] of the formula")
    add_json_flag(p)
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("feed", help="sling ready legs / synthesis of running convoy formulas, within capacity")
    add_json_flag(p)
    p.set_defaults(func=cmd_feed)
    formula.set_defaults(func=lambda args: (formula.print_help(), 2)[1])

    cook = subparsers.add_parser("cook", help="cook a formula into a protomolecule")
    cook.add_argument("name")
    add_var_flag(cook)
    cook.add_argument("--persist", action="store_true", help="store the proto in the ledger as a template")
    cook.add_argument("--force", action="store_true", help="with --persist: replace an existing proto")
    cook.add_argument("--mode", choices=("compile", "runtime"),
                      help="compile keeps {{vars}}; runtime substitutes (default: runtime when --var is given)")
    add_json_flag(cook)
    cook.set_defaults(func=cmd_cook)


def _library() -> Any:
    from gastown_tui.formulas import FormulaLibrary
    return FormulaLibrary()


def cmd_list(args: argparse.Namespace) -> int:
    """Print every formula with its origin and type."""
    from gastown_tui.formulas import FormulaError
    library = _library()
    rows = []
    for entry in library.entries():
        row: dict[str, Any] = {"name": entry.name, "origin": entry.origin, "path": str(entry.path),
                               "shadowed": entry.shadowed}
        try:
            formula = library.load(str(entry.path))
            row.update(type=formula.type, description=formula.description.strip().splitlines()[0]
                       if formula.description.strip() else "", steps=len(formula.steps))
        except FormulaError as exc:
            row.update(type="?", description=f"ERROR {exc.one_line()}", steps=0)
        rows.append(row)
    if args.json:
        print_json(rows)
        return 0
    width = max((len(r["name"]) for r in rows), default=4)
    for r in rows:
        mark = " (shadowed)" if r["shadowed"] else ""
        print(f"{r['name']:<{width}}  {r['type']:<9}  {r['origin']:<7}  {r['description']}{mark}")
    return 0


def _step_line(step: Any) -> str:
    needs = f"  needs: {', '.join(step.needs)}" if step.needs else ""
    indent = "    " if step.parent else "  "
    meta = step.metadata or {}
    woven = f"  (aspect {meta['advice_at']} {meta['advice_for']})" if meta.get("advice_at") else ""
    flags = "".join(f"  [{f}]" for f in ("parallel", "interactive") if meta.get(f))
    return f"{indent}{step.id}  [{step.type}]  {step.title}{needs}{woven}{flags}"


def cmd_show(args: argparse.Namespace) -> int:
    """Print a formula's header, vars and its steps as cooked (compile mode unless --var is given)."""
    from gastown_tui.formulas import check, cook
    library = _library()
    formula = library.load(args.name)
    given = parse_vars(args.var)
    proto = cook(formula, given, loader=library.load) if given else check(formula, loader=library.load)
    if args.json:
        print_json({"name": formula.name, "type": formula.type, "version": formula.version,
                    "source": str(formula.source), "description": formula.description,
                    "extends": formula.extends, "metadata": formula.metadata,
                    "vars": {n: {"description": v.description, "default": v.default, "required": v.required}
                             for n, v in (proto.var_defs if proto else formula.vars).items()},
                    "steps": [s.to_dict() for s in proto.steps] if proto else [],
                    "template": [{"id": s.id, "title": s.title, "needs": s.needs} for s in formula.template]})
        return 0
    print(f"{formula.name}  ({formula.type}, version {formula.version})  {formula.source}")
    if formula.description.strip():
        print("  " + "\n  ".join(formula.description.strip().splitlines()))
    if formula.extends:
        print(f"extends: {', '.join(formula.extends)}")
    if formula.pour is not None:
        print("pour: " + ("true (one bead per step)" if formula.pour else "false (root-only: the steps stay on the "
                                                                           "root bead)"))
    var_defs = proto.var_defs if proto else formula.vars
    if var_defs:
        print("vars:")
        for var in var_defs.values():
            how = "required" if var.required else f"default {var.default!r}" if var.default is not None else "optional"
            print(f"  {var.name}  ({how})  {var.description}")
    if proto:
        print(f"steps ({len(proto.steps)}):")
        for step in proto.steps:
            print(_step_line(step))
    elif formula.legs:
        print(f"legs ({len(formula.legs)}, each on its own polecat):")
        for leg in formula.legs:
            extra = "".join([f"  agent: {leg.agent or formula.agent}" if leg.agent or formula.agent else "",
                             "  review only" if (formula.review_only if leg.review_only is None
                                                 else leg.review_only) else ""])
            print(f"  {leg.id}  {leg.title}" + (f"  focus: {leg.focus}" if leg.focus else "") + extra)
        synth = formula.synthesis
        after = ", ".join(synth.depends_on) if synth and synth.depends_on else "all legs"
        print(f"synthesis: {synth.title if synth else 'Synthesis'}  (after {after})")
    elif formula.template:
        print(f"template ({len(formula.template)}):")
        for step in formula.template:
            print(f"  {step.id}  {step.title}" + (f"  needs: {', '.join(step.needs)}" if step.needs else ""))
    return 0


def _check_targets(names: list[str], library: Any) -> list[str]:
    """Named formulas, with each directory replaced by its `*.formula.toml` files (all on the path if none)."""
    from pathlib import Path

    from gastown_tui.formulas.schema import SUFFIX
    if not names:
        return [str(e.path) for e in library.entries() if not e.shadowed]
    out: list[str] = []
    for name in names:
        path = Path(name)
        if path.is_dir():
            found = sorted(path.glob(f"*{SUFFIX}"))
            if not found:
                raise InvalidInput(f"{name}: no *{SUFFIX} files in this directory")
            out += [str(p) for p in found]
        else:
            out.append(name)
    return out


def cmd_check(args: argparse.Namespace) -> int:
    """Check the named formulas or directories (or all); every problem of every file, non-zero exit if any."""
    from gastown_tui.formulas.cook import check, check_all
    library = _library()
    names = list(dict.fromkeys(_check_targets(args.names, library)))  # a name given twice is checked once
    results: list[dict[str, Any]] = []
    failed = 0
    for name in names:
        try:
            formula = library.load(name)
            problems = [p.one_line() for p in check_all(formula, loader=library.load)]
        except GastownError as exc:
            formula, problems = None, [exc.one_line()]
        if problems or formula is None:
            failed += 1
            results.append({"name": name, "ok": False, "error": problems[0], "errors": problems})
            continue
        proto = check(formula, loader=library.load)
        count = len(proto.steps) if proto else (len(formula.template) or len(formula.legs) or len(formula.aspects)
                                                or len(formula.advice))
        results.append({"name": formula.name, "ok": True, "steps": count, "source": str(formula.source)})
    if args.json:
        print_json(results)
    else:
        for r in results:
            if r["ok"]:
                print(f"ok    {r['name']}  ({r['steps']} steps)")
            for problem in r.get("errors", []):
                print(f"gt: error: {problem}", file=sys.stderr)
        if len(names) > 1:
            total = sum(len(r.get("errors", [])) for r in results)
            print(f"{len(names) - failed}/{len(names)} formulas ok" + (f", {total} problems" if total else ""))
    return 1 if failed else 0


def cmd_cook(args: argparse.Namespace) -> int:
    """Cook a formula and print the proto; with --persist store it in the ledger as a template."""
    from gastown_tui.formulas import cook
    library = _library()
    formula = library.load(args.name)
    given = parse_vars(args.var)
    mode = args.mode or ("runtime" if given else "compile")
    proto = cook(formula, given, loader=library.load, mode=mode)
    proto_id = None
    if args.persist:
        from gastown_tui.cli.ledger_cmd import open_ledger
        from gastown_tui.formulas.molecule import persist_proto
        with open_ledger() as ledger:
            proto_id = persist_proto(ledger, proto, force=args.force)
    if args.json:
        print_json({**proto.to_dict(), "persisted_id": proto_id})
        return 0
    print(f"proto {proto.id}  ({proto.mode} mode, {len(proto.steps)} steps)  {proto.title}")
    for step in proto.steps:
        print(_step_line(step))
    if proto_id:
        print(f"persisted as {proto_id} (pour with: gt mol pour {proto_id} --var ...)")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Start a convoy formula: convoy + leg beads + synthesis bead; legs slung within capacity."""
    from gastown_tui.cli.ledger_cmd import open_ledger
    from gastown_tui.events import default_actor
    from gastown_tui.formulas.convoy_run import start_convoy_formula
    from gastown_tui.town.paths import find_town

    library = _library()
    formula = library.load(args.name)
    town = find_town()
    with open_ledger() as ledger:
        run = start_convoy_formula(town, ledger, formula, parse_vars(args.var), args.rig, actor=default_actor(),
                                   loader=library.load, preset=args.preset)
    if args.json:
        print_json(run.to_dict())
        return 0
    print(f"convoy {run.convoy}  ({run.formula}, {len(run.legs)} legs)  result: {run.result}")
    for leg in run.legs:
        print(f"  leg {leg.leg}  {leg.bead}" + ("  (review only)" if leg.review_only else ""))
    if run.synthesis:
        print(f"  synthesis  {run.synthesis}  (ready when the legs close)")
    for item in run.slung:
        print(f"slung {item}")
    if run.queued:
        print(f"queued {len(run.queued)} (capacity): gt formula feed slings them when polecats free up")
    return 0


def cmd_feed(args: argparse.Namespace) -> int:
    """Sling what is ready in running convoy formulas (what the deacon's stranded-convoys step also does)."""
    from gastown_tui.cli.ledger_cmd import open_ledger
    from gastown_tui.events import default_actor
    from gastown_tui.formulas.convoy_run import feed
    from gastown_tui.town.paths import find_town

    with open_ledger() as ledger:
        slung, queued = feed(find_town(), ledger, actor=default_actor())
    if args.json:
        print_json({"slung": slung, "queued": queued})
        return 0
    for item in slung:
        print(f"slung {item}")
    print(f"queued {len(queued)} (capacity)" if queued else ("nothing ready" if not slung else ""))
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    """Write a commented skeleton formula that passes `gt formula check`; never overwrite."""
    import re
    from pathlib import Path

    import gastown_tui
    from gastown_tui.errors import Conflict, NotFound
    from gastown_tui.town.paths import find_town
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}", args.name):
        raise InvalidInput(f"invalid formula name {args.name!r}: lowercase letters, digits, '-' and '_' (max 64)")
    if args.dir:
        directory = Path(args.dir)
    else:
        try:
            directory = find_town().root / "formulas"
        except NotFound:
            directory = Path.cwd()
    path = directory / f"{args.name}.formula.toml"
    if path.exists():
        raise Conflict(f"{path} already exists")
    skeleton = Path(gastown_tui.__file__).parent / "data" / "formula_skeletons" / f"{args.type}.toml"
    text = skeleton.read_text(encoding="utf-8").replace("__NAME__", args.name).replace("__PATH__", str(path))
    directory.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as handle:  # "x": a file created meanwhile is not overwritten
        handle.write(text)
    print_json({"path": str(path), "type": args.type}) if args.json else print(f"wrote {path}")
    return 0
