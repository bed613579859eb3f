"""`gastown ledger export | import | commit`: move the ledger between SQLite and the git-tracked JSONL."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from gastown_tui.cli.output import add_json_flag, print_json


def cmd_export(args: argparse.Namespace) -> int:
    """Import-if-changed, then write changed `.beads/<prefix>.jsonl` files."""
    from gastown_tui.cli.bd_cmd import open_ledger

    with open_ledger() as ledger:
        written = ledger.export_jsonl(full=args.full)
    if args.json:
        print_json([str(p) for p in written])
    else:
        print("\n".join(f"wrote {p}" for p in written) or "nothing to export")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Import the given files, or every `.beads/*.jsonl` of the town (whether or not its hash changed)."""
    from pathlib import Path

    from gastown_tui.cli.bd_cmd import open_ledger
    from gastown_tui.errors import InvalidInput

    with open_ledger() as ledger:
        files = [Path(f) for f in args.files] or sorted(ledger.paths.beads_dir.glob("*.jsonl"))
        reports = [ledger.import_jsonl(path) for path in files]
    if args.json:
        print_json([r.to_dict() for r in reports])
    else:
        for r in reports:
            print(f"{r.path}: {r.created} created, {r.updated} updated, {r.unchanged} unchanged, "
                  f"{r.skipped_older} older than the store, {len(r.errors)} bad line(s)")
    errors = [e for r in reports for e in r.errors]
    if errors:
        more = f" (and {len(errors) - 1} more bad line(s))" if len(errors) > 1 else ""
        raise InvalidInput(f"{errors[0]}{more}; the other lines were imported")
    return 0


def cmd_commit(args: argparse.Namespace) -> int:
    """Import-if-changed, export, then commit `.beads/` in the town repository."""
    from gastown_tui.cli.bd_cmd import open_ledger

    with open_ledger() as ledger:
        sha = ledger.commit(args.message)
    if args.json:
        print_json({"commit": sha})
    else:
        print(f"committed {sha[:12]}" if sha else "nothing to commit", file=sys.stdout)
    return 0


def register(subparsers: Any) -> None:
    """Add `ledger` and its sub-commands."""
    ledger = subparsers.add_parser("ledger", help="export, import and commit the bead ledger")
    sub = ledger.add_subparsers(dest="ledger_cmd", metavar="ACTION", required=True)
    p = sub.add_parser("export", help="write .beads/<prefix>.jsonl for changed prefixes")
    p.add_argument("--full", action="store_true", help="rewrite every prefix")
    add_json_flag(p)
    p.set_defaults(func=cmd_export)
    p = sub.add_parser("import", help="import JSONL files (default: the town's .beads/*.jsonl)")
    p.add_argument("files", nargs="*")
    add_json_flag(p)
    p.set_defaults(func=cmd_import)
    p = sub.add_parser("commit", help="export and git-commit .beads/")
    p.add_argument("-m", "--message", default="ledger: update beads")
    add_json_flag(p)
    p.set_defaults(func=cmd_commit)
