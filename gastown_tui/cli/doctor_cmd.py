"""`gastown doctor [--fix] [--json]`: check the town, one line per problem and what to do; --fix applies the safe
repairs and lists the rest. Exit 0 when nothing is wrong (warnings included), 1 when an error remains."""

from __future__ import annotations

import argparse
from typing import Any

from gastown_tui.cli.output import add_json_flag, print_json


def cmd_doctor(args: argparse.Namespace) -> int:
    """Run the checks (and the safe fixes with --fix, then check again)."""
    from gastown_tui.agents.context import town_and_ledger
    from gastown_tui.doctor import apply_fixes, problems, run_checks

    with town_and_ledger(record_beat=False) as (town, ledger):
        findings = run_checks(town, ledger)
        fixed: list[str] = []
        if args.fix and problems(findings):
            fixed = apply_fixes(town, ledger, problems(findings))
            findings = run_checks(town, ledger)
    left = problems(findings)
    if args.json:
        print_json({"findings": [f.to_dict() for f in (findings if args.all else left)], "fixed": fixed,
                    "problems": len(left)})
    else:
        for line in fixed:
            print(f"fixed {line}")
        for finding in findings if args.all else left:
            print(finding.line())
        if not left:
            print(f"all {len(findings)} checks passed")
    return 1 if any(f.level == "error" for f in left) else 0


def register(subparsers: Any) -> None:
    """Add `doctor`."""
    p = subparsers.add_parser("doctor", help="check the town and say what to do (--fix: apply the safe repairs)")
    p.add_argument("--fix", action="store_true", help="apply the safe repairs, then list what is left")
    p.add_argument("--all", action="store_true", help="also list the checks that passed")
    add_json_flag(p)
    p.set_defaults(func=cmd_doctor)
