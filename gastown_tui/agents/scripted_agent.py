"""The scripted runtime: a small agent that needs no model, for the demo and the tests.

It follows the same protocol as a real agent: `gt hookevent session-start` (prints `gt prime`), then for each turn
`gt hookevent user-prompt-submit` (drains queued nudges) ... `gt hookevent stop`. A turn reads the hook and carries
out the bead's instructions: the shell commands in a ```sh fenced block of the current molecule step, else of the
bead description, run with `bash -c` in its own worktree only (deliberately: the bead author controls this agent;
nothing else is ever run through a shell). Then it commits and runs `gt done`. Idle, it shows `scripted> ` and
reads lines from its terminal, so nudges typed by the engine arrive and are acknowledged on screen.

A line `permission: WHAT` in the bead's description makes it ask before running the bead's commands, as Claude
Code does before a tool use: the Notification hook fires ("needs your permission to use WHAT") and the screen shows
`Do you want to proceed? 1 Yes · Esc No`; a line `1` (or y, or just Enter) approves, anything else (Esc) denies and
the bead is escalated instead of run.

`-p QUESTION` with `--resume ID` answers a séance: it reports what the feed says session ID did.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

PROMPT = "scripted> "
_FENCE = re.compile(r"```(?:sh|bash|shell)[ \t]*\n(.*?)```", re.DOTALL)
_PERMISSION = re.compile(r"^permission:[ \t]*(\S.*)$", re.MULTILINE | re.IGNORECASE)
PERMISSION_PROMPT = "Do you want to proceed? 1 Yes · Esc No "
"""The prompt's bottom line (the scripted `permission` screen rule matches it)."""
COMMAND_TIMEOUT = 600


def say(text: str) -> None:
    """One status line on the agent's screen (the busy screen rule matches the `scripted: ` prefix)."""
    print(f"scripted: {text}", flush=True)


def gt(*args: str, stdin: str | None = None, check: bool = False) -> subprocess.CompletedProcess[str]:
    """Run this installation's `gt` with list arguments (never a shell)."""
    from gastown_tui.agents.claude_settings import gt_command

    done = subprocess.run([*gt_command(), *args], input=stdin, text=True, capture_output=True, timeout=120)
    if check and done.returncode != 0:
        raise RuntimeError(f"gt {' '.join(args)} failed: {(done.stderr or done.stdout).strip()}")
    return done


def hookevent(event: str, payload: dict[str, Any] | None = None) -> str:
    """Report a turn boundary like Claude's hooks do; returns what the hook printed for us."""
    done = gt("hookevent", event, stdin=json.dumps(payload or {}))
    return done.stdout


def fenced_commands(text: str) -> str | None:
    """The shell commands of the first ```sh block in `text`, or None."""
    match = _FENCE.search(text or "")
    return match.group(1) if match else None


def own_workdir() -> tuple[Path, bool]:
    """The cwd, checked to be this agent's own working directory (commands never run anywhere else); and
    whether it is a git worktree (polecats and crew) or a plain directory (mayor, deacon, dogs)."""
    from gastown_tui.agents.identity import agent_cwd, require_agent
    from gastown_tui.town.paths import find_town

    cwd = Path.cwd().resolve()
    expected = agent_cwd(find_town(), require_agent()).resolve()
    if cwd != expected:
        raise RuntimeError(f"{cwd} is not my working directory ({expected}); refusing to run bead commands")
    top = subprocess.run(["git", "rev-parse", "--show-toplevel"], text=True, capture_output=True, cwd=cwd)
    is_worktree = top.returncode == 0 and Path(top.stdout.strip()).resolve() == cwd
    if not is_worktree and (cwd / ".git").exists():
        raise RuntimeError(f"{cwd} looks like a broken git worktree; refusing to run bead commands")
    return cwd, is_worktree


def run_commands(script: str, where: Path) -> bool:
    """Run the bead's fenced commands with bash in `where`, output to the screen; True on success."""
    for line in script.strip().splitlines():
        print(f"  $ {line}", flush=True)
    try:  # output goes straight to the terminal, so long commands show progress live
        done = subprocess.run(["bash", "-c", script], cwd=where, stdin=subprocess.DEVNULL, timeout=COMMAND_TIMEOUT)
    except subprocess.TimeoutExpired:
        say(f"commands still running after {COMMAND_TIMEOUT}s: stopped")
        return False
    if done.returncode != 0:
        say(f"commands failed with exit status {done.returncode}")
        return False
    return True


def permission_request(text: str) -> str | None:
    """WHAT of the first `permission: WHAT` line of a description, or None."""
    match = _PERMISSION.search(text or "")
    return match.group(1).strip() if match else None


def ask_permission(what: str) -> bool:
    """Raise a permission prompt like Claude Code's and wait for the answer typed into the terminal."""
    say(f"permission needed: {what}")
    hookevent("notification", {"message": f"Claude needs your permission to use {what}",
                               "notification_type": "permission_prompt"})
    print(PERMISSION_PROMPT, end="", flush=True)
    answer = sys.stdin.readline()
    print(flush=True)
    approved = answer.strip().lower() in ("1", "y", "yes", "")
    say(f"permission {'granted' if approved else 'denied'}: {what}")
    return approved


def prime() -> dict[str, Any]:
    """`gt prime --json`."""
    done = gt("prime", "--json")
    if done.returncode != 0:
        raise RuntimeError(f"gt prime failed: {(done.stderr or done.stdout).strip()}")
    return json.loads(done.stdout)


def step_done(mol: str, step_bead: str) -> None:
    """Close one molecule step (through the formulas API, as `gt mol step done` would)."""
    from gastown_tui.formulas import step_done as close_step
    from gastown_tui.ledger import Ledger
    from gastown_tui.town.paths import find_town

    with Ledger.open(find_town()) as ledger:
        close_step(ledger, mol, step_bead, actor=os.environ.get("GT_AGENT"), reason="scripted agent")


def work() -> None:
    """Carry out the hooked bead: molecule steps in order, the bead's commands once, commit, gt done."""
    ctx = prime()
    bead = ctx.get("bead")
    if not bead:
        say("nothing on my hook")
        return
    say(f"working on {bead['id']}: {bead['title']}")
    where, is_worktree = own_workdir()
    wanted = permission_request(bead.get("description", ""))
    if wanted and not ask_permission(wanted):
        gt("escalate", "-s", "HIGH", f"scripted agent: permission for {wanted} denied on {bead['id']}",
           "--bead", bead["id"])
        return
    ran_bead_commands = False
    seen: set[str] = set()
    while ctx.get("step") and ctx["step"]["step_id"] != "done" and ctx["step"]["bead_id"] not in seen:
        step = ctx["step"]
        seen.add(step["bead_id"])
        say(f"step {step['step_id']}: {step['title']}")
        script = fenced_commands(step.get("description", ""))
        if script is None and step["step_id"] == "implement":
            script, ran_bead_commands = fenced_commands(bead.get("description", "")), True
        if script and not run_commands(script, where):
            gt("escalate", "-s", "HIGH", f"scripted agent: commands of {bead['id']} step {step['step_id']} failed",
               "--bead", bead["id"])
            return
        step_done(ctx["molecule"], step["bead_id"])
        ctx = prime()
    if not ran_bead_commands:
        script = fenced_commands(bead.get("description", ""))
        if script and not run_commands(script, where):
            gt("escalate", "-s", "HIGH", f"scripted agent: commands of {bead['id']} failed", "--bead", bead["id"])
            return
    if is_worktree:
        subprocess.run(["git", "add", "-A"], cwd=where, capture_output=True)
        subprocess.run(["git", "commit", "-q", "-m", f"{bead['id']}: {bead['title']}"], cwd=where,
                       capture_output=True)
    done = gt("done", "--json")
    if done.returncode == 0:
        result = json.loads(done.stdout)
        say(f"done: {bead['id']} -> merge request {result.get('merge_request') or '(none)'}")
    else:
        say(f"gt done failed: {(done.stderr or done.stdout).strip()}")


def turn(text: str) -> None:
    """One turn: prompt-submit hook (drains nudges), react, work the hook (GUPP), stop hook."""
    notes = hookevent("user-prompt-submit")
    text = text.strip()
    if text.startswith("[nudge from") or text.startswith("GUPP"):
        print(f"nudge received: {text}", flush=True)
    elif text:
        print(f"prompt received: {text[:200]}", flush=True)
    for line in notes.splitlines():
        if line.startswith("[nudge from"):
            print(f"nudge received: {line}", flush=True)
    try:
        work()
    except Exception as exc:  # noqa: BLE001 - the agent stays up and says what went wrong
        say(f"error: {exc}")
    hookevent("stop")


def seance(resume_id: str, question: str) -> int:
    """Answer as the predecessor session `resume_id`: what the activity feed says it did."""
    from gastown_tui.events import iter_events
    from gastown_tui.town.paths import find_town

    address = os.environ.get("GT_AGENT", "")
    seen = [e for e in iter_events(find_town().events)
            if e.actor == address or e.data.get("address") == address]
    mine = [e for e in seen if resume_id in (e.data.get("session_id"), e.data.get("session"),
                                             e.data.get("conversation_id"))]
    print(f"séance with session {resume_id} of {address or '?'}")
    print(f"question: {question}")
    beads = sorted({str(e.data.get("bead")) for e in mine if e.data.get("bead")})
    print(f"I worked on: {', '.join(beads) or 'nothing recorded'}")
    print(f"events in my session: {len(mine)}; kinds: {', '.join(sorted({e.kind for e in mine})) or '-'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point: interactive loop, or a one-shot séance answer with -p."""
    parser = argparse.ArgumentParser(prog="scripted_agent")
    parser.add_argument("--resume")
    parser.add_argument("--fork-session", action="store_true")
    parser.add_argument("-p", "--print", dest="question")
    parser.add_argument("prompt", nargs="?")
    args = parser.parse_args(argv)
    if args.question is not None:
        return seance(args.resume or os.environ.get("GT_SESSION", ""), args.question)
    session = os.environ.get("GT_SESSION", "")
    print(f"scripted agent {os.environ.get('GT_AGENT', '?')} ({os.environ.get('GT_ROLE', '?')}) "
          f"session {session[:8]}" + (f", resuming {args.resume[:8]}" if args.resume else ""), flush=True)
    print(f"cwd {os.getcwd()}", flush=True)
    context = hookevent("session-start", {"session_id": args.resume or session,
                                          "source": "resume" if args.resume else "startup"})
    for line in context.strip().splitlines()[:6]:
        print(f"  | {line}", flush=True)
    if args.prompt:
        turn(args.prompt)
    while True:
        print(PROMPT, end="", flush=True)
        line = sys.stdin.readline()
        if not line:
            return 0
        turn(line)


if __name__ == "__main__":
    sys.exit(main())
