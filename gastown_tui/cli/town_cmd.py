"""`gastown install DIR [--name N] [--prefix hq]`: create a town, or confirm an existing one is complete."""

from __future__ import annotations

import argparse
from typing import Any

from gastown_tui.cli.output import add_json_flag, print_json


def register(subparsers: Any) -> None:
    """Add the `install` command."""
    parser = subparsers.add_parser("install", help="create a town (a git repository holding the ledger)",
                                   description="Create a town in DIR (new or empty); safe to run again.")
    parser.add_argument("dir", metavar="DIR", help="directory of the new town")
    parser.add_argument("--name", help="the town's display name (default: the directory name)")
    parser.add_argument("--prefix", default="hq", help="prefix of town-level bead ids (default: hq)")
    add_json_flag(parser)
    parser.set_defaults(func=_install)


def _install(args: argparse.Namespace) -> int:
    """Run the install and report what happened."""
    from gastown_tui.town.install import install_town

    result = install_town(args.dir, name=args.name, prefix=args.prefix)
    root = result.town.root
    if args.json:
        print_json({"town": str(root), "changed": result.changed,
                    "created": [str(p.relative_to(root)) for p in result.created]})
    elif not result.changed:
        print(f"{root} is already a town; nothing to do")
    else:
        print(f"Town installed at {root}")
        print(f"Next: gastown --town {root} rig add NAME SOURCE")
    return 0
