"""`gt convoy create|add|status|list|close`: delivery units that track beads across rigs until merged."""

from __future__ import annotations

import argparse
from typing import Any

from gastown_tui.cli.ledger_cmd import open_ledger
from gastown_tui.cli.output import add_json_flag, print_json


def register(subparsers: Any) -> None:
    """Add the `convoy` command group."""
    parser = subparsers.add_parser("convoy", help="create, extend, inspect and close convoys")
    sub = parser.add_subparsers(dest="convoy_command", metavar="SUBCOMMAND", required=True)
    create = sub.add_parser("create", help="create a convoy tracking beads (any rig)")
    create.add_argument("name", metavar="NAME")
    create.add_argument("beads", metavar="BEAD", nargs="*")
    create.add_argument("--notify", default="overseer", help="who gets the landing mail (default: overseer)")
    add_json_flag(create)
    create.set_defaults(func=_create)
    add = sub.add_parser("add", help="track more beads (reopens a closed convoy)")
    add.add_argument("convoy", metavar="CONVOY")
    add.add_argument("beads", metavar="BEAD", nargs="+")
    add_json_flag(add)
    add.set_defaults(func=_add)
    status = sub.add_parser("status", help="tracked beads, progress and swarms (all open convoys by default)")
    status.add_argument("convoy", metavar="CONVOY", nargs="?")
    add_json_flag(status)
    status.set_defaults(func=_status)
    lst = sub.add_parser("list", help="list convoys")
    lst.add_argument("--all", action="store_true", help="include closed convoys")
    add_json_flag(lst)
    lst.set_defaults(func=_list)
    close = sub.add_parser("close", help="close a convoy by hand")
    close.add_argument("convoy", metavar="CONVOY")
    close.add_argument("--reason", default="closed by overseer")
    add_json_flag(close)
    close.set_defaults(func=_close)




def _actor() -> str:
    """Who is acting (agent identity from the environment, else the Overseer)."""
    from gastown_tui.events import default_actor

    return default_actor()


def _summary(ledger: Any, convoy_id: str) -> dict[str, Any]:
    """Short JSON form of a convoy."""
    from gastown_tui.convoys import convoy_status

    status = convoy_status(ledger, convoy_id)
    return {"id": status.id, "title": status.title, "status": status.status, "total": status.total,
            "landed": status.landed, "active": status.active, "complete": status.complete}


def _create(args: argparse.Namespace) -> int:
    """`convoy create`."""
    from gastown_tui.convoys import create_convoy

    with open_ledger() as ledger:
        convoy = create_convoy(ledger, args.name, args.beads, actor=_actor(), notify=args.notify)
        info = _summary(ledger, convoy.id)
    if args.json:
        print_json(info)
    else:
        print(f"Created convoy {info['id']} \"{info['title']}\" tracking {info['total']} bead(s)")
    return 0


def _add(args: argparse.Namespace) -> int:
    """`convoy add`."""
    from gastown_tui.convoys import add_to_convoy

    with open_ledger() as ledger:
        convoy = add_to_convoy(ledger, args.convoy, args.beads, actor=_actor())
        info = _summary(ledger, convoy.id)
    if args.json:
        print_json(info)
    else:
        print(f"Convoy {info['id']} now tracks {info['total']} bead(s) ({info['status']})")
    return 0


def _status(args: argparse.Namespace) -> int:
    """`convoy status [CONVOY]`."""
    from gastown_tui.convoys import convoy_status, list_convoys, open_mrs_by_source, render_box

    with open_ledger() as ledger:
        ids = [ledger.resolve(args.convoy)] if args.convoy else [c.id for c in list_convoys(ledger)]
        open_mrs = open_mrs_by_source(ledger)
        ready = set(ledger.ready_ids())
        statuses = [convoy_status(ledger, cid, open_mrs=open_mrs, ready_ids=ready) for cid in ids]
    if args.json:
        print_json([s.to_dict() for s in statuses] if not args.convoy else statuses[0].to_dict())
    elif not statuses:
        print("No open convoys (gt convoy create NAME BEAD...)")
    else:
        print("\n".join(render_box(s) for s in statuses))
    return 0


def _list(args: argparse.Namespace) -> int:
    """`convoy list`."""
    from gastown_tui.convoys import list_convoys

    with open_ledger() as ledger:
        rows = [_summary(ledger, c.id) for c in list_convoys(ledger, include_closed=args.all)]
    if args.json:
        print_json(rows)
    elif not rows:
        print("No convoys")
    else:
        for r in rows:
            print(f"{r['id']:<12} {r['status']:<8} {r['landed']}/{r['total']} landed  {r['title']}")
    return 0


def _close(args: argparse.Namespace) -> int:
    """`convoy close`."""
    from gastown_tui.convoys import close_convoy

    with open_ledger() as ledger:
        convoy = close_convoy(ledger, args.convoy, reason=args.reason, actor=_actor())
    if args.json:
        print_json({"id": convoy.id, "status": convoy.status, "close_reason": convoy.close_reason})
    else:
        print(f"Closed convoy {convoy.id}")
    return 0
