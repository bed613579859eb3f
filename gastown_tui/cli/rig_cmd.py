"""`gastown rig add|list|show|remove`: manage the town's rigs (git projects)."""

from __future__ import annotations

import argparse
from typing import Any

from gastown_tui.cli.output import add_json_flag, print_json


def register(subparsers: Any) -> None:
    """Add the `rig` command group."""
    parser = subparsers.add_parser("rig", help="add, list, show or remove rigs (git projects)")
    sub = parser.add_subparsers(dest="rig_command", metavar="SUBCOMMAND", required=True)

    add = sub.add_parser("add", help="bare-clone a project into the town as a rig")
    add.add_argument("name", metavar="NAME", help="rig name (a-z, 0-9, '-', '_')")
    add.add_argument("source", metavar="SOURCE", help="git URL or local path of the project")
    add.add_argument("--prefix", help="bead id prefix (default: derived from the name)")
    add.add_argument("--branch", help="default branch (default: the source's HEAD branch)")
    add.add_argument("--land", choices=("push", "pr", "local"),
                     help="where merged work lands (default: push if the source has an upstream, else local)")
    add_json_flag(add)
    add.set_defaults(func=_add)

    lst = sub.add_parser("list", help="list the rigs")
    add_json_flag(lst)
    lst.set_defaults(func=_list)

    show = sub.add_parser("show", help="show a rig: paths, branch, gates, worktrees, unmerged branches")
    show.add_argument("name", metavar="NAME")
    add_json_flag(show)
    show.set_defaults(func=_show)

    rm = sub.add_parser("remove", help="remove a rig (refused while it has unmerged work)")
    rm.add_argument("name", metavar="NAME")
    rm.add_argument("--force", action="store_true", help="remove even with unmerged branches or uncommitted changes")
    rm.set_defaults(func=_remove)


def _add(args: argparse.Namespace) -> int:
    """`rig add`."""
    from gastown_tui.town.paths import find_town
    from gastown_tui.town.rigs import add_rig

    rig = add_rig(find_town(), args.name, args.source, prefix=args.prefix, branch=args.branch, land=args.land)
    summary = rig.summary()
    if args.json:
        print_json({**summary, "note": rig.note})
    else:
        print(f"Added rig {rig.name} (prefix {rig.config.prefix}, branch {rig.config.default_branch}) "
              f"at {rig.paths.root}")
        print(f"Landing: {summary['land']}. {summary['lands']} (change: land = ... in {rig.name}/rig.toml)")
        if rig.note:
            print(f"Note: {rig.note}")
    return 0


def _list(args: argparse.Namespace) -> int:
    """`rig list`."""
    from gastown_tui.town.paths import find_town
    from gastown_tui.town.rigs import list_rigs

    rigs = [r.summary() for r in list_rigs(find_town())]
    if args.json:
        print_json(rigs)
    elif not rigs:
        print("No rigs yet (gastown rig add NAME SOURCE)")
    else:
        width = max(len(r["name"]) for r in rigs)
        for r in rigs:
            print(f"{r['name']:<{width}}  {r['prefix']:<8} {r['default_branch']:<12} {r['source']}")
    return 0


def _show(args: argparse.Namespace) -> int:
    """`rig show`."""
    from gastown_tui.town.paths import find_town
    from gastown_tui.town.rigs import rig_details

    info = rig_details(find_town(), args.name)
    if args.json:
        print_json(info)
        return 0
    print(f"{info['name']}  prefix {info['prefix']}  branch {info['default_branch']}")
    print(f"  source    {info['source']}")
    print(f"  path      {info['path']}")
    print(f"  landing   {info['land']}{' + human review' if info['review'] == 'human' else ''}: {info['lands']}")
    gates = ", ".join(f"{k}={v!r}" for k, v in info["gates"].items() if v) or "none"
    print(f"  gates     {gates} (timeout {info['gate_timeout']}s)")
    for tree in info["worktrees"]:
        print(f"  worktree  {tree['path']}  {tree['branch'] or '(detached)'}")
    for branch in info["unmerged_branches"]:
        print(f"  unmerged  {branch}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    """`rig remove`."""
    from gastown_tui.town.paths import find_town
    from gastown_tui.town.rigs import remove_rig

    remove_rig(find_town(), args.name, force=args.force)
    print(f"Removed rig {args.name}")
    return 0
