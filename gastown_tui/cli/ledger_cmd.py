"""`gastown ledger export | import | commit`, plus the helpers every ledger command shares (actor, town, output).

Only stdlib at module top (start-up time); the ledger package is imported inside the functions.
"""

from __future__ import annotations

import argparse
import os
import sys

from gastown_tui.cli.output import add_json_flag, print_json

TYPE_CHECKING = False  # not typing's: importing typing costs ~4 ms of every `gt` call, and only checkers need it
if TYPE_CHECKING:
    from typing import Any


def resolve_actor(explicit: str | None) -> str:
    """Who is acting: --actor > $BD_ACTOR > $GT_AGENT > git config user.name > $USER."""
    for value in (explicit, os.environ.get("BD_ACTOR"), os.environ.get("GT_AGENT")):
        if value:
            return value
    import subprocess  # only when no actor is named: most `gt` calls come from agents with BD_ACTOR set

    try:
        name = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        name = ""
    return name.strip() or os.environ.get("USER") or "overseer"


def open_ledger() -> Any:
    """Open the ledger of the town found from --town / $GT_TOWN / the cwd; warn about unreadable JSONL lines."""
    from gastown_tui.ledger import Ledger
    from gastown_tui.town.paths import find_town

    from gastown_tui.agents.context import beat

    ledger = Ledger.open(find_town())
    beat(ledger)  # any gt call by an agent is a sign of life for the witness
    for report in ledger.import_reports:
        if report.errors:
            print(f"warning: {report.errors[0]} ({len(report.errors)} bad line(s) not imported)", file=sys.stderr)
    return ledger


def split_csv(values: list[str] | None) -> list[str]:
    """Flatten repeated, comma-separated option values (`-l a,b -l c`)."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def one_line(bead: Any) -> str:
    """A bead as one human-readable line."""
    assignee = f" @{bead.assignee}" if bead.assignee else ""
    return f"{bead.id}  [P{bead.priority}] [{bead.issue_type}] {bead.status}{assignee}  {bead.title}"


def emit(args: argparse.Namespace, value: Any, text: str) -> None:
    """Print JSON with --json, else the human text."""
    if getattr(args, "json", False):
        print_json(value)
    elif text:
        print(text)


def emit_beads(args: argparse.Namespace, beads: list[Any], empty: str) -> None:
    """A list of beads as JSON, or one line each (`empty` if there are none)."""
    emit(args, [b.to_dict() for b in beads], "\n".join(one_line(b) for b in beads) or empty)



def cmd_export(args: argparse.Namespace) -> int:
    """Import-if-changed, then write changed `.beads/<prefix>.jsonl` files."""
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
    with open_ledger() as ledger:
        if not args.message.strip():  # git would abort with "empty commit message" deep inside GitPython
            from gastown_tui.errors import InvalidInput

            raise InvalidInput("--message must not be empty")
        sha = ledger.commit(args.message)
    if args.json:
        print_json({"commit": sha})
    else:
        print(f"committed {sha[:12]}" if sha else "nothing to commit", file=sys.stdout)
    return 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    """Move a damaged state.db aside and rebuild it from `.beads/*.jsonl` and git HEAD (never opens the old one)."""
    from gastown_tui.ledger.recovery import rebuild_from_jsonl
    from gastown_tui.town.paths import find_town

    report = rebuild_from_jsonl(find_town(), force=args.force)
    if args.json:
        print_json({"moved_to": str(report.moved_to) if report.moved_to else None, "problem": report.problem,
                    "beads": report.beads, "from_git": report.from_git, "errors": report.errors})
    else:
        print(report.summary())
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
    p = sub.add_parser("rebuild", help="move a damaged state.db aside and rebuild it from .beads/*.jsonl and git")
    p.add_argument("--force", action="store_true", help="rebuild even if the store passes its integrity check")
    add_json_flag(p)
    p.set_defaults(func=cmd_rebuild)
    p = sub.add_parser("commit", help="export and git-commit .beads/")
    p.add_argument("-m", "--message", default="ledger: update beads")
    add_json_flag(p)
    p.set_defaults(func=cmd_commit)
