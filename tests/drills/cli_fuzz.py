"""Helpers for the CLI fuzz drill: the command tree read from the real parser, hostile values, and one in-process
`gt` call with captured output, a hang alarm and the verdict (traceback, hang, over-long or multi-line error)."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import signal
from dataclasses import dataclass, field

from gastown_tui.cli.main import _parser, run

HANG_SECONDS = 10
MAX_LINE = 300
# Commands that open a UI, run forever or benchmark: not inputs a fuzzer can finish. `engine start` would leave a
# daemon behind for the rest of the fuzz (and `engine stop` then waits for its agents): the engine's lifecycle has
# its own tests (tests/daemon), so the fuzzer leaves both alone.
SKIP = {("tui",), ("demo",), ("engine", "run"), ("engine", "start"), ("engine", "stop"), ("bench",)}
HOSTILE = ["", "-", "--", "x" * 100_000, "../../../../etc/passwd", "/nonexistent-gt-fuzz/x", "ap-", "hq-",
           "app", "app/polecats/nux", "mayor", "overseer", "..", ".", "\x1b[2J", "e\u0301\u202e", "$(touch PWNED)",
           "`id`", "ext::sh -c touch% PWNED", "fd::17", "-1", "99999999999999999999", "0", "1e309", "nan",
           "{}", "[" * 5000 + "]" * 5000, "a=b", "=", "k=" + "v" * 5000, "\U0001f600" * 300, "%s%n", "\\",
           "'", '"', "a b", "\n", "x\ny", "🚀/../..", "--json", "-h?", "mol-polecat-work", "hq-mol-x"]
ENV_VARS = ["GT_TOWN", "GT_RIG", "GT_AGENT", "BD_ACTOR", "GT_ROLE", "GT_SESSION", "GT_BEAD"]
STDIN = ['{"hook_event_name": "Stop"}', "[" * 100_000, "{" * 50_000, "\udcff not utf8", "x" * 200_000, "null",
         '{"session_id": ' + "[" * 3000 + "]" * 3000 + "}", ""]


@dataclass(frozen=True)
class Command:
    """One leaf command of the CLI: its words, option flags (with arity) and positional slots."""

    words: tuple[str, ...]
    options: tuple[tuple[str, int], ...]   # (flag, 0 = switch, 1 = takes a value)
    positionals: int


def command_tree(prog: str = "gt") -> list[Command]:
    """Every leaf command, read from the real parser (so a new option is fuzzed without editing the test)."""
    out: list[Command] = []

    def walk(parser: argparse.ArgumentParser, words: tuple[str, ...]) -> None:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if subs:
            for name, sub in subs[0].choices.items():
                walk(sub, (*words, name))
            return
        if words in SKIP:
            return
        options = tuple((a.option_strings[-1], 0 if a.nargs == 0 else 1) for a in parser._actions
                        if a.option_strings and not isinstance(a, argparse._HelpAction))
        positionals = sum(1 for a in parser._actions if not a.option_strings)
        out.append(Command(words, options, positionals))

    walk(_parser(prog, None, every=True), ())
    return out


@dataclass
class Outcome:
    """What one call did."""

    argv: list[str]
    code: int | None
    stderr: str
    problems: list[str] = field(default_factory=list)


class Hang(Exception):
    """The call ran past HANG_SECONDS."""


def _alarm(_signum: int, _frame: object) -> None:
    raise Hang()


def call(argv: list[str], stdin: str = "") -> Outcome:
    """Run `gt ARGV` in-process; report tracebacks (an exception escaping, or the catch-all's exit 70), hangs,
    and error lines that are too long or more than one."""
    err, out = io.StringIO(), io.StringIO()
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(HANG_SECONDS)
    problems: list[str] = []
    code: int | None = None
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out), \
                _stdin(stdin):
            code = run("gt", argv)
    except SystemExit as exc:  # --help
        code = int(exc.code or 0) if not isinstance(exc.code, str) else 2
    except Hang:
        problems.append("hang")
    except BaseException as exc:  # noqa: BLE001 - this is what the drill counts
        problems.append(f"traceback: {type(exc).__name__}: {str(exc)[:200]}")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    text = err.getvalue()
    lines = [line for line in text.splitlines() if line.strip()]
    if code == 70 or "Traceback" in text:
        problems.append(f"traceback: {text[:300]}")
    if any(len(line) > MAX_LINE for line in lines):
        problems.append(f"error line of {max(map(len, lines))} chars")
    said = [line.split("error: ", 1)[-1].split("warning: ", 1)[-1] for line in lines]
    if len(set(said)) < len(said):  # one problem reported twice (e.g. a warning and an error with the same text)
        problems.append(f"repeated error lines: {text[:300]}")
    return Outcome(argv, code, text, problems)


@contextlib.contextmanager
def _stdin(text: str):
    """Give the command `text` on stdin."""
    import sys

    saved = sys.stdin
    sys.stdin = io.StringIO(text)
    try:
        yield
    finally:
        sys.stdin = saved


def summary(outcomes: list[Outcome]) -> str:
    """A count line plus the first problems (for the assertion message)."""
    bad = [o for o in outcomes if o.problems]
    codes: dict[str, int] = {}
    for o in outcomes:
        codes[str(o.code)] = codes.get(str(o.code), 0) + 1
    generic = sorted({o.stderr.strip()[:90] for o in outcomes if "invalid input: " in o.stderr
                      or "nested too deeply" in o.stderr})
    return json.dumps({"inputs": len(outcomes), "bad": len(bad), "exit_codes": codes, "generic": generic[:12],
                       "first": [([a[:60] for a in o.argv[:6]], o.problems) for o in bad[:8]]}, default=str)[:4000]
