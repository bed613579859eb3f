"""`gt mq list|show|approve|reject`: the merge queue from the command line, and the human review decisions."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from typing import Any

from gastown_tui.cli.output import add_json_flag, print_json


def register(subparsers: Any) -> None:
    """Add the `mq` command group."""
    parser = subparsers.add_parser("mq", help="merge queue: list, show (with diff), approve, reject")
    sub = parser.add_subparsers(dest="mq_command", metavar="SUBCOMMAND", required=True)

    lst = sub.add_parser("list", help="merge requests with state, gates, landing mode and PR link")
    lst.add_argument("--rig", help="only this rig")
    lst.add_argument("--all", action="store_true", help="include closed (merged, reworked) MRs")
    add_json_flag(lst)
    lst.set_defaults(func=_list)

    show = sub.add_parser("show", help="one MR (or a live polecat's work): bead, acceptance, gate output, files "
                          "changed; --diff for the diff")
    show.add_argument("id", metavar="MR|RIG/polecats/NAME")
    show.add_argument("--diff", action="store_true", help="print the unified diff against the target")
    add_json_flag(show)
    show.set_defaults(func=_show)

    approve = sub.add_parser("approve", help="approve an MR awaiting review (the refinery lands it next run)")
    approve.add_argument("id", metavar="MR")
    approve.set_defaults(func=_approve)

    reject = sub.add_parser("reject", help="reject an MR awaiting review: rework mail with your note")
    reject.add_argument("id", metavar="MR")
    reject.add_argument("-m", "--note", required=True, help="what the polecat must change")
    reject.set_defaults(func=_reject)


def _age(seconds: float) -> str:
    """'42s', '7m', '3h', '2d'."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"


def _gate_word(mr: Any) -> str:
    """'pass', 'fail: test', 'conflict', 'pending'."""
    g = mr.gates
    return f"fail: {g.gate}" if g.result == "fail" else g.result


def _list(args: argparse.Namespace) -> int:
    """`mq list`."""
    from gastown_tui.cli.ledger_cmd import open_ledger
    from gastown_tui.patrols.review import list_merge_requests
    from gastown_tui.town.paths import find_town

    with open_ledger() as ledger:
        rows = list_merge_requests(ledger, find_town(), rig=args.rig, include_closed=args.all)
    if args.json:
        print_json([asdict(r) for r in rows])
        return 0
    if not rows:
        print("Merge queue is empty")
        return 0
    for r in rows:
        link = r.pr_url or r.landed or r.land_error
        print(f"{r.id:<12} {r.rig:<10} {r.bead_id:<12} {_age(r.age_s):>4}  {r.state:<15} {_gate_word(r):<14} "
              f"{r.land_mode:<5} {link}".rstrip())
    return 0


def _show(args: argparse.Namespace) -> int:
    """`mq show`."""
    from gastown_tui.cli.ledger_cmd import open_ledger
    from gastown_tui.errors import GastownError
    from gastown_tui.patrols.review import get_mr, mr_diff
    from gastown_tui.town.paths import find_town

    town = find_town()
    if "/polecats/" in args.id:
        return _show_polecat(args, town)
    with open_ledger() as ledger:
        mr = get_mr(ledger, town, args.id)
    try:
        diff = mr_diff(town, mr)
    except GastownError as exc:
        diff, missing = None, exc.one_line()
    else:
        missing = ""
    if args.json:
        print_json({**asdict(mr), "diff": asdict(diff) if diff is not None else None})
        return 0
    print(f"{mr.id}  {mr.bead_id} {mr.bead_title!r}  [{mr.state}]")
    print(f"  rig {mr.rig}  branch {mr.branch} -> {mr.target}  land {mr.land_mode}  review {mr.review}  "
          f"age {_age(mr.age_s)}")
    for label, value in (("PR", mr.pr_url), ("landed", mr.landed), ("error", mr.land_error),
                         ("closed", mr.close_reason)):
        if value:
            print(f"  {label}: {value}")
    print(f"  gates: {_gate_word(mr)}" + (f"  ($ {mr.gates.command})" if mr.gates.command else ""))
    for line in mr.gates.tail.splitlines():
        print(f"    {line}")
    if mr.acceptance:
        print("  acceptance:\n" + "\n".join(f"    {ln}" for ln in mr.acceptance.splitlines()))
    if diff is None:
        print(f"  diff: {missing}")
        return 0
    _print_diff(diff, args.diff)
    return 0


def _print_diff(diff: Any, full: bool) -> None:
    """Files with +/- counts, then (with `full`) the unified diff."""
    for f in diff.files:
        counts = "binary" if f.added is None else f"+{f.added} -{f.removed}"
        print(f"  {counts:>12}  {f.path}")
    if diff.truncated:
        print("  (diff cut: too large to show whole)")
    if full:
        print()
        print(diff.text, end="")


def _show_polecat(args: argparse.Namespace, town: Any) -> int:
    """`mq show RIG/polecats/NAME`: the polecat's work so far (commits and uncommitted changes)."""
    from gastown_tui.patrols.review import polecat_diff
    from gastown_tui.records import parse_address

    address = parse_address(args.id)
    diff = polecat_diff(town, address.rig, address.name)
    if args.json:
        print_json({"agent": args.id, "diff": asdict(diff)})
        return 0
    print(f"{args.id}  work in progress against {diff.base[:10]}")
    _print_diff(diff, args.diff)
    return 0


def _approve(args: argparse.Namespace) -> int:
    """`mq approve`."""
    from gastown_tui.cli.ledger_cmd import open_ledger
    from gastown_tui.patrols.review import approve
    from gastown_tui.town.paths import find_town

    with open_ledger() as ledger:
        mr = approve(ledger, find_town(), args.id)
    print(f"Approved {mr.id} ({mr.bead_id}); the {mr.rig} refinery lands it on its next run")
    return 0


def _reject(args: argparse.Namespace) -> int:
    """`mq reject`."""
    from gastown_tui.cli.ledger_cmd import open_ledger
    from gastown_tui.patrols.registry import offline_context
    from gastown_tui.patrols.review import reject
    from gastown_tui.town.paths import find_town

    town = find_town()
    with open_ledger() as ledger:
        outcome = reject(offline_context(town, ledger), args.id, args.note)
    print(f"Rejected {args.id}: rework with your note, bead {outcome}")
    return 0
