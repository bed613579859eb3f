"""One of the 30 hammering processes: runs a mixed sequence of real `gt bd` commands (the CLI's `run`, in this
process, each opening and closing the ledger like a separate `gt` call) and prints a JSON summary of its ids."""

from __future__ import annotations

import contextlib
import io
import json
import sys

from gastown_tui.cli.main import run


def gt(*args: str) -> str:
    """One CLI command; its stdout; exits the worker on any failure (the parent reports it)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run("gt", list(args))
    if code != 0:
        sys.exit(f"gt {' '.join(args)} -> {code}: {err.getvalue().strip()}")
    return out.getvalue().strip()


def main(worker: int, shared: str) -> None:
    """create, update, comment, label, claim-free update, close; plus a comment and a label on the shared bead."""
    actor = f"worker-{worker}"
    first = gt("bd", "create", f"Work of {actor}", "--silent", "--actor", actor)
    second = gt("bd", "create", f"Second of {actor}", "-p", "1", "--silent", "--actor", actor)
    gt("bd", "update", first, "--status", "in_progress", "--assignee", actor, "--actor", actor)
    gt("bd", "comment", first, f"note from {actor}", "--actor", actor)
    gt("bd", "comment", shared, f"shared note from {actor}", "--actor", actor)
    gt("bd", "label", "add", shared, f"w{worker}", "--actor", actor)
    gt("bd", "update", second, "--notes", f"notes by {actor}", "--actor", actor)
    gt("bd", "close", first, "-r", f"done by {actor}", "--actor", actor)
    print(json.dumps({"first": first, "second": second}))


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
