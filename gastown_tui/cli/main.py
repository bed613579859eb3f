"""Entry points for `gastown` and `gt`: parse the first word, import only that command's module, run it.

Agents call `gt` hundreds of times, so start-up stays small: each command group lives in its own module
(`gastown_tui.cli.<module>`) exposing `register(subparsers)`; only the module that owns the typed command is
imported. User errors (GastownError) print one line to stderr and exit non-zero; no tracebacks.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

TYPE_CHECKING = False  # not typing's: importing typing costs ~4 ms of every `gt` call, and only checkers need it
if TYPE_CHECKING:
    from typing import NoReturn

# command word -> (module under gastown_tui.cli, one-line summary). Modules register their own sub-parsers.
COMMANDS: dict[str, tuple[str, str]] = {
    "install": ("town_cmd", "create a town (a git repository holding the ledger)"),
    "rig": ("rig_cmd", "add, list, show or remove rigs (git projects)"),
    "ledger": ("ledger_cmd", "export, import and commit the bead ledger"),
    "bd": ("bd_cmd", "beads: create, show, list, update, close, ready, deps, labels, comments"),
    "formula": ("formula_cmd", "list, show and check workflow formulas"),
    "cook": ("formula_cmd", "cook a formula into a protomolecule"),
    "mol": ("mol_cmd", "pour, walk, squash and burn molecules"),
    "sling": ("agent_cmd", "hook work onto an agent and start it"),
    "hook": ("agent_cmd", "show, attach or clear the work on your hook"),
    "prime": ("agent_cmd", "print role context, hooked work and unread mail"),
    "nudge": ("agent_cmd", "send a message to an agent's session when it is idle"),
    "handoff": ("agent_cmd", "hand your hook to a fresh session"),
    "done": ("agent_cmd", "push your branch, open a merge request, release your hook"),
    "seance": ("agent_cmd", "list predecessor sessions or ask one a question"),
    "peek": ("agent_cmd", "show the recent screen of an agent"),
    "agents": ("agent_cmd", "list agents and their state; explain why"),
    "escalate": ("agent_cmd", "raise an issue to the Overseer"),
    "hookevent": ("agent_cmd", "internal: called by runtime hooks (SessionStart, Stop, ...)"),
    "mail": ("mail_cmd", "send, list, read, reply to and archive mail"),
    "convoy": ("convoy_cmd", "create, extend, inspect and close convoys"),
    "patrol": ("patrol_cmd", "patrol status, run, pause and resume"),
    "mq": ("mq_cmd", "merge queue: list, show (with diff), approve, reject"),
    "engine": ("engine_cmd", "run the engine headless (no TUI)"),
    "demo": ("demo_cmd", "open the TUI on a temporary demo town (no API key needed)"),
    "tui": ("tui_cmd", "open the TUI for a town"),
    "bench": ("bench_cmd", "run the benchmarks and print a table of measured ratios"),
    "costs": ("costs_cmd", "tokens and estimated cost per agent, bead, convoy, rig or day"),
    "budget": ("budget_cmd", "budget breakers: status, reset, raise"),
    "doctor": ("doctor_cmd", "check the town and say what to do (--fix: apply the safe repairs)"),
}


def _plain_argparse() -> None:
    """Give argparse identity translations: it asks gettext for a catalogue on every string (dozens of path probes
    per parser, 10-30 ms of CPU per `gt` call), and no catalogue exists for it, so the text is the same."""
    argparse._ = lambda message: message  # type: ignore[attr-defined]
    argparse.ngettext = lambda singular, plural, n: singular if n == 1 else plural  # type: ignore[attr-defined]


class UsageError(Exception):
    """argparse rejected the command line (raised instead of argparse's two-line usage + exit)."""


def _columns() -> int:
    """Terminal width as shutil.get_terminal_size() reports it ($COLUMNS, else stdout's terminal, else 80)."""
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors become one line (sub-parsers inherit the class), never usage + message."""

    def _get_formatter(self) -> argparse.HelpFormatter:
        """argparse's formatter, given its width so that it does not import shutil (~2 ms of CPU, with the bz2 and
        lzma modules shutil loads) on every `gt` call: add_subparsers asks for a formatter even when no help prints."""
        return self.formatter_class(prog=self.prog, width=_columns() - 2)  # type: ignore[call-arg]

    def error(self, message: str) -> NoReturn:  # type: ignore[override]
        """Raise UsageError naming the command, so `run` prints one clipped line and exits 2."""
        raise UsageError(f"{self.prog}: {message} (see --help)")


def _parser(prog: str, only: str | None, *, every: bool = False) -> argparse.ArgumentParser:
    """Build the parser: with `only`, import and register just the module that owns that command; with `every`,
    all of them; else (`gt --help`, an unknown word) only the command list, importing no command module."""
    parser = OneLineParser(prog=prog, description="Gas Town: run coding agents, get merged work out.")
    parser.add_argument("--town", help="town directory (default: $GT_TOWN, else search up from the cwd)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    if only not in COMMANDS and not every:
        for word, (_module, summary) in COMMANDS.items():
            subparsers.add_parser(word, help=summary, description=summary)
        return parser
    modules = [COMMANDS[only][0]] if only in COMMANDS else sorted({mod for mod, _ in COMMANDS.values()})
    for module_name in dict.fromkeys(modules):
        try:
            module = importlib.import_module(f"gastown_tui.cli.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"gastown_tui.cli.{module_name}":
                raise
            continue  # a command group not built yet: leave it out of the parser
        module.register(subparsers)
    return parser


def _first_command(argv: Sequence[str]) -> str | None:
    """The first word that is not a global option (skipping `--town X`)."""
    skip = False
    for word in argv:
        if skip:
            skip = False
            continue
        if word == "--town":
            skip = True
            continue
        if word.startswith("--town="):
            continue
        if not word.startswith("-"):
            return word
        return None
    return None


def _utf8(word: str) -> bool:
    """True if `word` encodes as UTF-8 (no lone surrogates from undecodable argv bytes)."""
    try:
        word.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _install_engine_restarter() -> None:
    """A command that needs the engine restarts a crashed one (control_socket decides when; cheap to install)."""
    from gastown_tui import control_socket

    def restart(root: object) -> None:
        from pathlib import Path

        from gastown_tui.engine.api.daemon import ensure_engine

        ensure_engine(Path(str(root)))

    control_socket.set_restarter(restart)


def run(prog: str, argv: Sequence[str]) -> int:
    """Parse `argv`, run the command, and turn every failure into one line on stderr and an exit code.

    Set GT_DEBUG=1 to get the traceback of an unexpected error instead of its one line.
    """
    try:
        return _run(prog, argv)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # stdout closed by a pager or `head`: not an error
        return 0
    except Exception as exc:
        if os.environ.get("GT_DEBUG"):
            raise
        code, line = describe_failure(exc)
        print(f"{prog}: error: {line}", file=sys.stderr)
        return code


def describe_failure(exc: BaseException) -> tuple[int, str]:
    """(exit code, one line) for an exception that reached the top of a command."""
    from gastown_tui.errors import GastownError, squeeze

    if isinstance(exc, UsageError):
        return 2, squeeze(str(exc).partition(": ")[2] or str(exc))
    if isinstance(exc, GastownError):
        return exc.exit_code, exc.one_line()
    sqlite3 = sys.modules.get("sqlite3")
    if sqlite3 is not None and isinstance(exc, sqlite3.DatabaseError):
        # a damaged store surfaces as sqlite3.DatabaseError from whichever query touches it
        hint = "; rebuild it from .beads/*.jsonl" if "malformed" in str(exc) or "not a database" in str(exc) else ""
        return 3, squeeze(f"ledger store error: {exc}{hint}")
    if type(exc).__name__ == "GitCommandError":  # GitPython: git itself refused; its stderr says why
        stderr = str(getattr(exc, "stderr", "") or exc).strip().strip("'").replace("stderr:", "").strip()
        return 1, squeeze(f"git failed: {stderr}")
    if isinstance(exc, UnicodeDecodeError):
        return 1, squeeze(f"input is not valid UTF-8 (byte offset {exc.start}): {exc.reason}")
    if isinstance(exc, RecursionError):
        return 1, "input nested too deeply to read (limit about 900 levels)"
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return 1, squeeze(f"{exc.strerror or exc}{where}")
    if isinstance(exc, (ValueError, TypeError, KeyError)):
        return 1, squeeze(f"invalid input: {type(exc).__name__}: {exc}")
    return 70, squeeze(f"internal error: {type(exc).__name__}: {exc} (rerun with GT_DEBUG=1 for the traceback)")


def _run(prog: str, argv: Sequence[str]) -> int:
    """Parse and dispatch; exceptions are left to `run`."""
    bad = next((word for word in argv if not _utf8(word)), None)
    if bad is not None:  # argv bytes that were not UTF-8 arrive as lone surrogates and would crash deep inside
        shown = bad.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        from gastown_tui.errors import clip

        print(f"{prog}: error: argument {clip(shown)!r} is not valid UTF-8 text", file=sys.stderr)
        return 2
    command = _first_command(argv)
    _plain_argparse()
    parser = _parser(prog, command)
    args = parser.parse_args(list(argv))
    if args.town:
        os.environ["GT_TOWN"] = os.path.abspath(args.town)
    _install_engine_restarter()
    handler = getattr(args, "func", None)
    if handler is None:
        if prog == "gastown" and not argv:
            return run(prog, ["tui"]) if "tui" in COMMANDS else 0
        parser.print_help()
        return 0 if command is None else 2
    return int(handler(args) or 0)


def gastown_main() -> None:
    """Console script `gastown`: with no arguments open the TUI, else run an admin or agent command."""
    sys.exit(run("gastown", sys.argv[1:]))


def gt_main() -> None:
    """Console script `gt`: the same commands, short, for agents to type."""
    sys.exit(run("gt", sys.argv[1:]))


if __name__ == "__main__":
    gt_main()
