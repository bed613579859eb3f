"""`gt bd ...`: the beads commands agents and the Overseer type (create, show, list, update, close, ready, ...).

Only stdlib at module top: `gt` start-up time matters (agents call it hundreds of times). The ledger package is
imported inside the handlers.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from typing import Any

from gastown_tui.cli.output import add_json_flag, print_json


def resolve_actor(explicit: str | None) -> str:
    """Who is acting: --actor > $BD_ACTOR > $GT_AGENT > git config user.name > $USER."""
    for value in (explicit, os.environ.get("BD_ACTOR"), os.environ.get("GT_AGENT")):
        if value:
            return value
    try:
        name = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        name = ""
    return name.strip() or os.environ.get("USER") or "overseer"


def open_ledger() -> Any:
    """Open the ledger of the town found from --town / $GT_TOWN / the cwd; warn about unreadable JSONL lines."""
    from gastown_tui.ledger import Ledger
    from gastown_tui.town.paths import find_town

    ledger = Ledger.open(find_town())
    for report in ledger.import_reports:
        if report.errors:
            print(f"warning: {report.errors[0]} ({len(report.errors)} bad line(s) not imported)", file=sys.stderr)
    return ledger


def _split_csv(values: list[str] | None) -> list[str]:
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def _one_line(bead: Any) -> str:
    assignee = f" @{bead.assignee}" if bead.assignee else ""
    return f"{bead.id}  [P{bead.priority}] [{bead.issue_type}] {bead.status}{assignee}  {bead.title}"


def _emit(args: argparse.Namespace, value: Any, text: str) -> None:
    """Print JSON with --json, else the human text."""
    if getattr(args, "json", False):
        print_json(value)
    elif text:
        print(text)


def _emit_beads(args: argparse.Namespace, beads: list[Any], empty: str) -> None:
    _emit(args, [b.to_dict() for b in beads], "\n".join(_one_line(b) for b in beads) or empty)


# ---- handlers -----------------------------------------------------------------------------------------------
def cmd_create(args: argparse.Namespace) -> int:
    """Create a bead (and its --deps) in one transaction."""
    from gastown_tui.errors import InvalidInput

    actor = resolve_actor(args.actor)
    deps = []
    for spec in _split_csv(args.deps):
        dep_type, _, target = spec.rpartition(":")
        if not target:
            raise InvalidInput(f"invalid --deps entry {spec!r}: use type:id or id")
        deps.append((dep_type or "blocks", target))
    extra = {k: v for k, v in (("design", args.design), ("acceptance_criteria", args.acceptance),
                               ("notes", args.notes), ("external_ref", args.external_ref),
                               ("defer_until", args.defer)) if v}
    with open_ledger() as ledger:
        with ledger.transaction():
            parent = ledger.resolve(args.parent) if args.parent else None
            bead = ledger.create(args.title, prefix=args.prefix, id=args.id, parent=parent,
                                 description=args.description or "", issue_type=args.type, priority=args.priority,
                                 status=args.status, assignee=args.assignee, labels=_split_csv(args.labels),
                                 ephemeral=args.ephemeral, actor=actor, **extra)
            for dep_type, target in deps:
                ledger.add_dep(bead.id, ledger.resolve(target), dep_type, actor=actor)
        bead = ledger.get(bead.id)
    if args.silent:
        print(bead.id)
    else:
        _emit(args, bead.to_dict(), f"created {bead.id}: {bead.title}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    """Show beads in full, with dependents and blockers."""
    with open_ledger() as ledger:
        out = []
        for typed in args.ids:
            bead = ledger.get(ledger.resolve(typed))
            data = bead.to_dict()
            data["dependents"] = [d.to_dict() for d in ledger.dependents(bead.id)]
            data["blocked_by"] = ledger.blockers(bead.id)
            data["is_blocked"] = bead.is_blocked
            out.append((bead, data))
    if args.json:
        print_json(out[0][1] if len(out) == 1 else [d for _, d in out])
        return 0
    for bead, data in out:
        print(_one_line(bead))
        if bead.labels:
            print(f"  labels: {', '.join(bead.labels)}")
        for dep in bead.dependencies:
            print(f"  depends on {dep.depends_on_id} ({dep.type})")
        for dep in data["dependents"]:
            print(f"  needed by {dep['issue_id']} ({dep['type']})")
        if data["blocked_by"]:
            print(f"  BLOCKED by {', '.join(data['blocked_by'])}")
        if bead.close_reason:
            print(f"  closed: {bead.close_reason}")
        if bead.description:
            print("\n" + bead.description.rstrip())
        for comment in bead.comments:
            print(f"\n  [{comment.created_at}] {comment.author}: {comment.text}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    """List beads with filters."""
    with open_ledger() as ledger:
        parent = ledger.resolve(args.parent) if args.parent else None
        beads = ledger.list(status=_split_csv(args.status) or None, issue_type=args.type, assignee=args.assignee,
                            labels=_split_csv(args.labels), parent=parent, include_closed=args.all,
                            ephemeral=args.ephemeral, limit=args.limit or None)
    _emit_beads(args, beads, "no beads")
    return 0


def cmd_update(args: argparse.Namespace) -> int:
    """Edit fields, or --claim atomically."""
    actor = resolve_actor(args.actor)
    fields = {k: v for k, v in (("status", args.status), ("priority", args.priority), ("title", args.title),
                                ("description", args.description), ("notes", args.notes), ("design", args.design),
                                ("acceptance_criteria", args.acceptance), ("issue_type", args.type),
                                ("assignee", args.assignee), ("defer_until", args.defer)) if v is not None}
    with open_ledger() as ledger:
        bead_id = ledger.resolve(args.id)
        with ledger.transaction():
            if args.claim:
                ledger.claim(bead_id, actor)
            if fields:
                ledger.update(bead_id, actor=actor, **fields)
            for label in _split_csv(args.add_label):
                ledger.add_label(bead_id, label, actor=actor)
            for label in _split_csv(args.remove_label):
                ledger.remove_label(bead_id, label, actor=actor)
        bead = ledger.get(bead_id)
    _emit(args, bead.to_dict(), f"updated {_one_line(bead)}")
    return 0


def cmd_close(args: argparse.Namespace) -> int:
    """Close one or more beads."""
    actor = resolve_actor(args.actor)
    with open_ledger() as ledger:
        with ledger.transaction():
            beads = [ledger.close(ledger.resolve(t), reason=args.reason or "", actor=actor) for t in args.ids]
    _emit(args, [b.to_dict() for b in beads], "\n".join(f"closed {b.id}: {b.title}" for b in beads))
    return 0


def cmd_reopen(args: argparse.Namespace) -> int:
    """Reopen beads."""
    actor = resolve_actor(args.actor)
    with open_ledger() as ledger:
        with ledger.transaction():
            beads = [ledger.reopen(ledger.resolve(t), actor=actor) for t in args.ids]
    _emit(args, [b.to_dict() for b in beads], "\n".join(f"reopened {b.id}: {b.title}" for b in beads))
    return 0


def cmd_ready(args: argparse.Namespace) -> int:
    """Show ready work, or claim the first of it."""
    filters: dict[str, Any] = {"labels": _split_csv(args.labels), "include_ephemeral": args.include_ephemeral}
    with open_ledger() as ledger:
        if args.parent:
            filters["parent"] = ledger.resolve(args.parent)
        if args.claim:
            bead = ledger.ready_claim(resolve_actor(args.actor), **filters)
            if bead is None:
                _emit(args, None, "no ready work")
                return 0
            _emit(args, bead.to_dict(), f"claimed {_one_line(bead)}")
            return 0
        beads = ledger.ready(assignee=args.assignee, limit=args.limit or None, **filters)
    _emit_beads(args, beads, "no ready work")
    return 0


def cmd_blocked(args: argparse.Namespace) -> int:
    """List beads blocked by dependencies, with their blockers."""
    with open_ledger() as ledger:
        rows = ledger.blocked(include_ephemeral=args.include_ephemeral)
    _emit(args, [r.to_dict() for r in rows],
          "\n".join(f"{_one_line(r.bead)}\n  blocked by {', '.join(r.blocked_by)}" for r in rows) or "nothing blocked")
    return 0


def cmd_dep(args: argparse.Namespace) -> int:
    """dep add / remove / tree / cycles."""
    actor = resolve_actor(args.actor) if args.dep_cmd in ("add", "remove") else ""
    with open_ledger() as ledger:
        if args.dep_cmd == "cycles":
            cycles = ledger.cycles()
            _emit(args, cycles, "\n".join(" -> ".join(c) for c in cycles) or "no cycles")
            return 0
        issue = ledger.resolve(args.issue)
        if args.dep_cmd == "tree":
            nodes = ledger.dep_tree(issue, args.direction, args.max_depth)
            _emit(args, [n.to_dict() for n in nodes], "\n".join(
                f"{'  ' * n.depth}{n.id} [{n.status or 'missing'}] {n.title}"
                + (f" ({n.dep_type})" if n.dep_type else "") + (" ..." if n.truncated else "") for n in nodes))
            return 0
        target = args.needs if args.needs.startswith("external:") else ledger.resolve(args.needs)
        if args.dep_cmd == "add":
            ledger.add_dep(issue, target, args.type, actor=actor)
            _emit(args, {"issue_id": issue, "depends_on_id": target, "type": args.type},
                  f"{issue} now depends on {target} ({args.type})")
        else:
            ledger.remove_dep(issue, target, actor=actor)
            _emit(args, {"issue_id": issue, "depends_on_id": target, "removed": True},
                  f"{issue} no longer depends on {target}")
    return 0


def cmd_label(args: argparse.Namespace) -> int:
    """label add / remove / list."""
    with open_ledger() as ledger:
        if args.label_cmd == "list":
            labels = ledger.labels(ledger.resolve(args.id) if args.id else None)
            _emit(args, labels, "\n".join(labels))
            return 0
        actor = resolve_actor(args.actor)
        bead_id = ledger.resolve(args.id)
        with ledger.transaction():
            for label in args.labels:
                if args.label_cmd == "add":
                    ledger.add_label(bead_id, label, actor=actor)
                else:
                    ledger.remove_label(bead_id, label, actor=actor)
        labels = ledger.labels(bead_id)
    _emit(args, labels, f"{bead_id}: {', '.join(labels) or '(no labels)'}")
    return 0


def cmd_comment(args: argparse.Namespace) -> int:
    """Add a comment."""
    author = resolve_actor(args.author or args.actor)
    with open_ledger() as ledger:
        comment = ledger.comment(ledger.resolve(args.id), args.text, author=author)
    _emit(args, comment.to_dict(), f"commented on {comment.issue_id}")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    """Search ids, titles, descriptions and notes."""
    with open_ledger() as ledger:
        beads = ledger.search(args.text, limit=args.limit)
    _emit_beads(args, beads, "no matches")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Import a JSONL file; bad lines are reported (exit non-zero) and the good ones kept."""
    from pathlib import Path

    from gastown_tui.errors import InvalidInput, NotFound

    path = Path(args.file)
    if not path.is_file():
        raise NotFound(f"no such file: {path}")
    with open_ledger() as ledger:
        report = ledger.import_jsonl(path, prefix=args.prefix)
    _emit(args, report.to_dict(), f"imported {path}: {report.created} created, {report.updated} updated, "
                                  f"{report.unchanged} unchanged, {report.skipped_older} older than the store")
    if report.errors:
        more = f" (and {len(report.errors) - 1} more bad line(s))" if len(report.errors) > 1 else ""
        raise InvalidInput(f"{report.errors[0]}{more}; the other lines were imported")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write `.beads/<prefix>.jsonl` for changed prefixes."""
    with open_ledger() as ledger:
        written = ledger.export_jsonl(full=args.full)
    _emit(args, [str(p) for p in written], "\n".join(f"wrote {p}" for p in written) or "nothing to export")
    return 0


# ---- parser -------------------------------------------------------------------------------------------------
def register(subparsers: Any) -> None:
    """Add `bd` and its sub-commands."""
    common = argparse.ArgumentParser(add_help=False)
    add_json_flag(common)
    common.add_argument("--actor", help="acting identity (default: $BD_ACTOR, $GT_AGENT, git user.name, $USER)")
    bd = subparsers.add_parser("bd", help="beads: create, show, list, update, close, ready, deps, labels, comments")
    sub = bd.add_subparsers(dest="bd_cmd", metavar="SUBCOMMAND", required=True)

    def add(name: str, func: Any, help_text: str) -> argparse.ArgumentParser:
        parser = sub.add_parser(name, help=help_text, parents=[common])
        parser.set_defaults(func=func)
        return parser

    p = add("create", cmd_create, "create a bead")
    p.add_argument("title")
    p.add_argument("-d", "--description")
    p.add_argument("-t", "--type", default="task")
    p.add_argument("-p", "--priority", default="2")
    p.add_argument("--status", default="open")
    p.add_argument("--parent")
    p.add_argument("-l", "--labels", action="append")
    p.add_argument("--assignee")
    p.add_argument("--deps", action="append", help="type:id[,type:id...], e.g. blocks:hq-1,discovered-from:hq-2")
    p.add_argument("--id", help="explicit id")
    p.add_argument("--prefix")
    p.add_argument("--ephemeral", action="store_true", help="a wisp: never exported, garbage-collected")
    p.add_argument("--design")
    p.add_argument("--acceptance")
    p.add_argument("--notes")
    p.add_argument("--external-ref")
    p.add_argument("--defer", help="hide from ready until this RFC 3339 time")
    p.add_argument("--silent", action="store_true", help="print only the new id")

    p = add("show", cmd_show, "show beads in full")
    p.add_argument("ids", nargs="+")

    p = add("list", cmd_list, "list beads")
    p.add_argument("--status", action="append")
    p.add_argument("-t", "--type")
    p.add_argument("--assignee")
    p.add_argument("-l", "--labels", action="append")
    p.add_argument("--parent")
    p.add_argument("--all", action="store_true", help="include closed beads")
    p.add_argument("-n", "--limit", type=int, default=50, help="at most this many (0: no limit)")
    p.add_argument("--ephemeral", action="store_true", default=None, help="only wisps")

    p = add("update", cmd_update, "edit a bead, or --claim it")
    p.add_argument("id")
    p.add_argument("--claim", action="store_true", help="atomically assign to yourself and start")
    p.add_argument("--status")
    p.add_argument("-p", "--priority")
    p.add_argument("--title")
    p.add_argument("-d", "--description")
    p.add_argument("--notes")
    p.add_argument("--design")
    p.add_argument("--acceptance")
    p.add_argument("-t", "--type")
    p.add_argument("--assignee")
    p.add_argument("--defer")
    p.add_argument("--add-label", action="append")
    p.add_argument("--remove-label", action="append")

    for name, func, text in (("close", cmd_close, "close beads"), ("reopen", cmd_reopen, "reopen beads")):
        p = add(name, func, text)
        p.add_argument("ids", nargs="+")
        if name == "close":
            p.add_argument("--reason", "-r", default="")

    p = add("ready", cmd_ready, "open, unblocked work")
    p.add_argument("--claim", action="store_true", help="claim the first ready bead atomically")
    p.add_argument("--assignee")
    p.add_argument("-l", "--labels", action="append")
    p.add_argument("--parent")
    p.add_argument("-n", "--limit", type=int, default=100)
    p.add_argument("--include-ephemeral", action="store_true")

    p = add("blocked", cmd_blocked, "beads blocked by dependencies")
    p.add_argument("--include-ephemeral", action="store_true")

    dep = sub.add_parser("dep", help="dependencies: add, remove, tree, cycles")
    dep_sub = dep.add_subparsers(dest="dep_cmd", metavar="ACTION", required=True)
    for name, text in (("add", "ISSUE needs NEEDS"), ("remove", "remove an edge")):
        p = dep_sub.add_parser(name, help=text, parents=[common])
        p.set_defaults(func=cmd_dep)
        p.add_argument("issue")
        p.add_argument("needs")
        if name == "add":
            p.add_argument("-t", "--type", default="blocks")
    p = dep_sub.add_parser("tree", help="dependency tree", parents=[common])
    p.set_defaults(func=cmd_dep)
    p.add_argument("issue")
    p.add_argument("--direction", choices=("down", "up", "both"), default="down")
    p.add_argument("--max-depth", type=int, default=50)
    p = dep_sub.add_parser("cycles", help="list dependency cycles", parents=[common])
    p.set_defaults(func=cmd_dep)

    label = sub.add_parser("label", help="labels: add, remove, list")
    label_sub = label.add_subparsers(dest="label_cmd", metavar="ACTION", required=True)
    for name in ("add", "remove"):
        p = label_sub.add_parser(name, parents=[common])
        p.set_defaults(func=cmd_label)
        p.add_argument("id")
        p.add_argument("labels", nargs="+")
    p = label_sub.add_parser("list", parents=[common])
    p.set_defaults(func=cmd_label)
    p.add_argument("id", nargs="?")

    p = add("comment", cmd_comment, "comment on a bead")
    p.add_argument("id")
    p.add_argument("text")
    p.add_argument("--author")

    p = add("search", cmd_search, "search beads")
    p.add_argument("text")
    p.add_argument("-n", "--limit", type=int, default=50)

    p = add("import", cmd_import, "import a beads JSONL file")
    p.add_argument("file")
    p.add_argument("--prefix", help="prefix for these ids (default: from the file name inside .beads)")

    p = add("export", cmd_export, "write .beads/<prefix>.jsonl")
    p.add_argument("--full", action="store_true", help="rewrite every prefix, not only changed ones")
