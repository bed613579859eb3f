"""`gt bd ...`: the beads commands agents and the Overseer type (create, show, list, update, close, ready, ...).

Only stdlib at module top: `gt` start-up time matters (agents call it hundreds of times). The ledger package is
imported inside the handlers.
"""

from __future__ import annotations

import argparse

from gastown_tui.cli.ledger_cmd import emit as _emit
from gastown_tui.cli.ledger_cmd import emit_beads as _emit_beads
from gastown_tui.cli.ledger_cmd import one_line as _one_line
from gastown_tui.cli.ledger_cmd import open_ledger, resolve_actor, split_csv as _split_csv
from gastown_tui.cli.output import add_json_flag, print_json

TYPE_CHECKING = False  # not typing's: importing typing costs ~4 ms of every `gt` call, and only checkers need it
if TYPE_CHECKING:
    from typing import Any

__all__ = ["open_ledger", "register", "resolve_actor"]


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
        if bead.external_ref:
            print(f"  ref: {bead.external_ref}")
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
# Sub-command -> (handler, help, arguments). An argument is (flags, options); flags ("x",) is positional.
_S = {"action": "store_true"}
_MANY = {"action": "append"}
_EDIT = [(("-d", "--description"), {}), (("--design",), {}), (("--acceptance",), {}), (("--notes",), {}),
         (("--assignee",), {}), (("--defer",), {"help": "hide from ready until this RFC 3339 time"})]
SPEC: dict[str, tuple[Any, str, list[tuple[tuple[str, ...], dict[str, Any]]]]] = {
    "create": (cmd_create, "create a bead", [
        (("title",), {}), (("-t", "--type"), {"default": "task"}), (("-p", "--priority"), {"default": "2"}),
        (("--status",), {"default": "open"}), (("--parent",), {}), (("-l", "--labels"), _MANY),
        (("--deps",), {**_MANY, "help": "type:id[,type:id...], e.g. blocks:hq-1,discovered-from:hq-2"}),
        (("--id",), {"help": "explicit id"}), (("--prefix",), {}), (("--external-ref",), {}),
        (("--ephemeral",), {**_S, "help": "a wisp: never exported, garbage-collected"}),
        (("--silent",), {**_S, "help": "print only the new id"}), *_EDIT]),
    "show": (cmd_show, "show beads in full", [(("ids",), {"nargs": "+"})]),
    "list": (cmd_list, "list beads", [
        (("--status",), _MANY), (("-t", "--type"), {}), (("--assignee",), {}), (("-l", "--labels"), _MANY),
        (("--parent",), {}), (("--all",), {**_S, "help": "include closed beads"}),
        (("-n", "--limit"), {"type": int, "default": 50, "help": "at most this many (0: no limit)"}),
        (("--ephemeral",), {**_S, "default": None, "help": "only wisps"})]),
    "update": (cmd_update, "edit a bead, or --claim it", [
        (("id",), {}), (("--claim",), {**_S, "help": "atomically assign to yourself and start"}),
        (("--status",), {}), (("-p", "--priority"), {}), (("--title",), {}), (("-t", "--type"), {}),
        (("--add-label",), _MANY), (("--remove-label",), _MANY), *_EDIT]),
    "close": (cmd_close, "close beads", [(("ids",), {"nargs": "+"}), (("-r", "--reason"), {"default": ""})]),
    "reopen": (cmd_reopen, "reopen beads", [(("ids",), {"nargs": "+"})]),
    "ready": (cmd_ready, "open, unblocked work", [
        (("--claim",), {**_S, "help": "claim the first ready bead atomically"}), (("--assignee",), {}),
        (("-l", "--labels"), _MANY), (("--parent",), {}), (("-n", "--limit"), {"type": int, "default": 100}),
        (("--include-ephemeral",), _S)]),
    "blocked": (cmd_blocked, "beads blocked by dependencies", [(("--include-ephemeral",), _S)]),
    "comment": (cmd_comment, "comment on a bead", [(("id",), {}), (("text",), {}), (("--author",), {})]),
    "search": (cmd_search, "search beads", [(("text",), {}), (("-n", "--limit"), {"type": int, "default": 50})]),
    "import": (cmd_import, "import a beads JSONL file", [
        (("file",), {}), (("--prefix",), {"help": "prefix for these ids (default: from the file name)"})]),
    "export": (cmd_export, "write .beads/<prefix>.jsonl", [
        (("--full",), {**_S, "help": "rewrite every prefix, not only changed ones"})]),
}
GROUPS: dict[str, tuple[str, dict[str, tuple[Any, str, list[tuple[tuple[str, ...], dict[str, Any]]]]]]] = {
    "dep": ("dependencies: add, remove, tree, cycles", {
        "add": (cmd_dep, "ISSUE needs NEEDS", [(("issue",), {}), (("needs",), {}),
                                               (("-t", "--type"), {"default": "blocks"})]),
        "remove": (cmd_dep, "remove an edge", [(("issue",), {}), (("needs",), {})]),
        "tree": (cmd_dep, "dependency tree", [
            (("issue",), {}), (("--direction",), {"choices": ("down", "up", "both"), "default": "down"}),
            (("--max-depth",), {"type": int, "default": 50})]),
        "cycles": (cmd_dep, "list dependency cycles", []),
    }),
    "label": ("labels: add, remove, list", {
        "add": (cmd_label, "add labels", [(("id",), {}), (("labels",), {"nargs": "+"})]),
        "remove": (cmd_label, "remove labels", [(("id",), {}), (("labels",), {"nargs": "+"})]),
        "list": (cmd_label, "labels of a bead, or all labels", [(("id",), {"nargs": "?"})]),
    }),
}


def _add_all(sub: Any, spec: dict[str, Any], common: argparse.ArgumentParser) -> None:
    for name, (func, help_text, arguments) in spec.items():
        parser = sub.add_parser(name, help=help_text, parents=[common])
        parser.set_defaults(func=func)
        for flags, options in arguments:
            parser.add_argument(*flags, **options)


def register(subparsers: Any) -> None:
    """Add `bd` and its sub-commands."""
    from gastown_tui.cli.main import OneLineParser  # its formatter does not import shutil (see there)

    common = OneLineParser(add_help=False)
    add_json_flag(common)
    common.add_argument("--actor", help="acting identity (default: $BD_ACTOR, $GT_AGENT, git user.name, $USER)")
    bd = subparsers.add_parser("bd", help="beads: create, show, list, update, close, ready, deps, labels, comments")
    sub = bd.add_subparsers(dest="bd_cmd", metavar="SUBCOMMAND", required=True)
    _add_all(sub, SPEC, common)
    for group, (help_text, spec) in GROUPS.items():
        group_sub = sub.add_parser(group, help=help_text).add_subparsers(dest=f"{group}_cmd", metavar="ACTION",
                                                                        required=True)
        _add_all(group_sub, spec, common)
