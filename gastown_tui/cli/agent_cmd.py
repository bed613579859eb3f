"""Agent commands: sling, hook, prime, nudge, handoff, done, seance, peek, agents, escalate, hookevent.

Thin argument handling only; the domain logic lives in `gastown_tui.agents.*`. Imports happen inside handlers
so `gt` starts fast (agents call it constantly).
"""

from __future__ import annotations

import argparse
import sys

from gastown_tui.cli.output import add_json_flag, print_json

TYPE_CHECKING = False  # not typing's: importing typing costs ~4 ms of every `gt` call, and only checkers need it
if TYPE_CHECKING:
    from typing import Any


def _out(args: argparse.Namespace, value: Any, text: str) -> None:
    """JSON with --json, else text."""
    if getattr(args, "json", False):
        print_json(value)
    elif text:
        print(text)


def cmd_sling(args: argparse.Namespace) -> int:
    """gt sling BEAD|FORMULA [TARGET]."""
    from gastown_tui.agents.context import town_and_ledger
    from gastown_tui.agents.identity import actor_name
    from gastown_tui.agents.sling import is_formula_name, parse_vars, sling, sling_formula

    with town_and_ledger() as (town, ledger):
        kwargs = dict(actor=actor_name(), formula=args.formula, vars=parse_vars(args.var), runtime=args.runtime,
                      force=args.force)
        if args.on:
            result = sling(town, ledger, args.on, args.target, **{**kwargs, "formula": args.work})
        elif is_formula_name(town, ledger, args.work):
            kwargs.pop("formula")
            result = sling_formula(town, ledger, args.work, args.target, **kwargs)
        else:
            result = sling(town, ledger, args.work, args.target, **kwargs)
    how = {"started": "session started", "notified": "running agent notified", "queued":
           "engine not running: start queued for its next start"}.get(result.started, result.started)
    _out(args, result.to_dict(), f"slung {result.bead_id} to {result.address}"
         + (f" on {result.branch}" if result.branch else "") + f" ({how})")
    return 0


def cmd_hook(args: argparse.Namespace) -> int:
    """gt hook [attach BEAD | clear]."""
    from gastown_tui.agents.context import town_and_ledger
    from gastown_tui.agents.hooks import clear_hook, hook_bead, hooked_bead
    from gastown_tui.agents.identity import actor_name, require_agent
    from gastown_tui.agents.registry import ensure_agent

    with town_and_ledger() as (_town, ledger):
        address = require_agent(args.agent)
        if args.action == "attach":
            if not args.bead:
                from gastown_tui.errors import InvalidInput
                raise InvalidInput("gt hook attach needs a BEAD")
            ensure_agent(ledger, address)
            bead = hook_bead(ledger, ledger.resolve(args.bead), address, actor=actor_name(), force=args.force)
            _out(args, bead.to_dict(), f"{bead.id} is on {address}'s hook")
        elif args.action == "clear":
            bead = clear_hook(ledger, address, actor=actor_name())
            _out(args, bead.to_dict() if bead else None,
                 f"cleared {bead.id} from {address}'s hook" if bead else f"{address}'s hook was empty")
        else:
            bead = hooked_bead(ledger, address)
            _out(args, bead.to_dict() if bead else None,
                 f"{bead.id}  {bead.title}" if bead else f"nothing on {address}'s hook")
    return 0


def cmd_prime(args: argparse.Namespace) -> int:
    """gt prime [--hook] [--json]."""
    from gastown_tui.agents.context import town_and_ledger
    from gastown_tui.agents.identity import require_agent
    from gastown_tui.agents.prime import prime_context

    with town_and_ledger() as (town, ledger):
        address = require_agent(args.agent)
        if args.hook:
            from gastown_tui.agents.hookevent import parse_payload, record_hook_event
            payload = parse_payload("" if sys.stdin.isatty() else sys.stdin.read())
            print(record_hook_event(town, ledger, address, "session-start", payload), end="")
            return 0
        ctx = prime_context(town, ledger, address)
    _out(args, ctx.to_dict(), ctx.render().rstrip("\n"))
    return 0


def cmd_hookevent(args: argparse.Namespace) -> int:
    """gt hookevent EVENT (stdin: the runtime's hook JSON). Never breaks the agent: errors go to stderr only."""
    from gastown_tui.agents.hookevent import normalize_event, parse_payload, record_hook_event
    from gastown_tui.agents.identity import address_from_env
    from gastown_tui.errors import GastownError, LedgerError

    event = normalize_event(args.event)
    payload = parse_payload("" if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read())
    address = address_from_env()
    if address is None:
        return 0  # not a Gas Town session (e.g. the user's own Claude with our settings): nothing to record
    from gastown_tui.agents.context import town_and_ledger
    try:
        with town_and_ledger(record_beat=False) as (town, ledger):
            text = record_hook_event(town, ledger, address, event, payload)
    except LedgerError as exc:
        print(f"GAS TOWN LEDGER ERROR: {exc.one_line()}. Your hook could not be read: do NOT run `gt done`; "
              "escalate and wait.")
        return 0
    except GastownError as exc:
        print(f"gt hookevent: {exc.one_line()}", file=sys.stderr)
        return 0
    print(text, end="")
    return 0


def cmd_nudge(args: argparse.Namespace) -> int:
    """gt nudge AGENT MESSAGE."""
    from gastown_tui.agents.context import town_and_ledger
    from gastown_tui.agents.identity import actor_name
    from gastown_tui.agents.nudging import nudge

    message = " ".join(args.message) if args.message else sys.stdin.read()
    with town_and_ledger() as (town, ledger):
        result = nudge(town, ledger, args.agent, message, sender=actor_name())
    if result.get("delivered"):
        text = f"nudge delivered to {result['address']}" + ("" if result.get("verified") else " (not verified)")
    else:
        text = f"nudge queued for {result['address']}: {result.get('reason', '')}"
    _out(args, result, text)
    return 0


def cmd_handoff(args: argparse.Namespace) -> int:
    """gt handoff [-m NOTES] [AGENT]."""
    from gastown_tui.agents.context import town_and_ledger
    from gastown_tui.agents.identity import require_agent
    from gastown_tui.agents.nudging import handoff

    with town_and_ledger() as (town, ledger):
        address = require_agent(args.agent)
        result = handoff(town, ledger, address, args.message or "")
    _out(args, result, f"handoff written ({result['handoff']}); fresh session: {result['restart']}")
    return 0


def cmd_done(args: argparse.Namespace) -> int:
    """gt done [-m NOTES]."""
    from gastown_tui.agents.context import town_and_ledger
    from gastown_tui.agents.done import done
    from gastown_tui.agents.identity import require_agent

    with town_and_ledger() as (town, ledger):
        result = done(town, ledger, require_agent(args.agent), notes=args.message or "")
    text = (f"done: {result.bead_id} on {result.branch} at {result.commit_sha[:12]}; "
            + (f"merge request {result.merge_request}" if result.merge_request else "no code changes: bead closed"))
    _out(args, result.to_dict(), text)
    return 0


def cmd_seance(args: argparse.Namespace) -> int:
    """gt seance [AGENT] [--talk ID -p QUESTION]."""
    from gastown_tui.agents.context import town_and_ledger
    from gastown_tui.agents.identity import require_agent
    from gastown_tui.agents.registry import find_agent
    from gastown_tui.agents.identity import address_from_env
    from gastown_tui.agents.seance import owner_of_session, past_sessions, talk

    with town_and_ledger() as (town, ledger):
        if args.agent:
            address = find_agent(ledger, args.agent)
        elif args.talk and address_from_env() is None:
            address = owner_of_session(town, args.talk)  # the Overseer asks by session id alone
        else:
            address = require_agent(None)
    if args.talk:
        from gastown_tui.errors import InvalidInput
        if not args.prompt:
            raise InvalidInput("--talk needs -p QUESTION")
        print(talk(town, address, args.talk, args.prompt), end="")
        return 0
    sessions = past_sessions(town, address)
    lines = [f"{s.session_id}  {s.runtime or '?':9} conv={s.conversation_id or '-'}  bead={s.bead or '-'}"
             for s in sessions]
    _out(args, [s.to_dict() for s in sessions], "\n".join(lines) or f"no sessions of {address} recorded")
    return 0


def cmd_peek(args: argparse.Namespace) -> int:
    """gt peek AGENT [-n LINES]."""
    from gastown_tui.agents.context import town_and_ledger
    from gastown_tui.agents.nudging import peek

    with town_and_ledger() as (town, ledger):
        result = peek(town, ledger, args.agent, args.lines)
    _out(args, result, "\n".join(result["lines"]))
    return 0


def cmd_agents(args: argparse.Namespace) -> int:
    """gt agents [--json] | gt agents explain NAME."""
    from gastown_tui.agents.context import town_and_ledger
    from gastown_tui.agents.nudging import agent_rows, explain

    with town_and_ledger() as (town, ledger):
        if args.action == "start":
            from gastown_tui.agents.identity import actor_name
            from gastown_tui.agents.launch import start_agent
            from gastown_tui.errors import InvalidInput
            from gastown_tui.records import parse_address
            if not args.name:
                raise InvalidInput("gt agents start needs an ADDRESS (mayor/, <rig>/crew/<name>, dogs/<name>, ...)")
            text = args.name + "/" if args.name in ("mayor", "deacon") else args.name
            how, info = start_agent(town, ledger, parse_address(text), actor=actor_name(), runtime=args.runtime)
            _out(args, {"address": text, "start": how, **info}, f"{text}: {how}")
            return 0
        if args.action == "explain":
            from gastown_tui.errors import InvalidInput
            if not args.name:
                raise InvalidInput("gt agents explain needs an agent NAME")
            row = explain(town, ledger, args.name)
            _out(args, row, f"{row['address']}: {row.get('explain') or row['state'] + ' (' + row['detail'] + ')'}")
            return 0
        rows = agent_rows(town, ledger)
    text = "\n".join(f"{r['address']:32} {r['state']:9} {r['source']:8} {r.get('runtime', ''):9} {r['hook'] or '-'}"
                     for r in rows)
    _out(args, rows, text or "no agents yet")
    return 0


def cmd_escalate(args: argparse.Namespace) -> int:
    """gt escalate -s SEVERITY MESSAGE."""
    from gastown_tui.agents.context import town_and_ledger
    from gastown_tui.agents.escalate import escalate
    from gastown_tui.agents.identity import actor_name

    with town_and_ledger() as (town, ledger):
        bead_id = escalate(town, ledger, args.severity, " ".join(args.message), sender=actor_name(),
                           body=args.body or "", bead=args.bead)
    _out(args, {"id": bead_id}, f"escalated: {bead_id}")
    return 0


def _add(subparsers: argparse._SubParsersAction, name: str, help: str, func: Any, *, json: bool = True
         ) -> argparse.ArgumentParser:
    """One sub-command with its handler (and the standard --json flag)."""
    parser = subparsers.add_parser(name, help=help)
    if json:
        add_json_flag(parser)
    parser.set_defaults(func=func)
    return parser


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the agent commands."""
    p = _add(subparsers, "sling", "hook work onto an agent and start it", cmd_sling)
    p.add_argument("work", help="bead id, or a formula name")
    p.add_argument("target", nargs="?", help="rig name (a polecat is chosen) or agent address")
    p.add_argument("--formula", help="workflow formula to pour (default mol-polecat-work for polecats)")
    p.add_argument("--on", help="with a formula as WORK: the bead to attach it to")
    p.add_argument("--var", action="append", help="formula variable k=v (repeatable)")
    p.add_argument("--runtime", help="agent runtime for this agent (claude, codex, scripted, ...)")
    p.add_argument("--force", action="store_true", help="take the bead from its current holder")

    p = _add(subparsers, "hook", "show, attach or clear the work on your hook", cmd_hook)
    p.add_argument("action", nargs="?", choices=["show", "attach", "clear"], default="show")
    p.add_argument("bead", nargs="?")
    p.add_argument("--agent", help="whose hook (default: $GT_AGENT)")
    p.add_argument("--force", action="store_true")

    p = _add(subparsers, "prime", "print role context, hooked work and unread mail", cmd_prime)
    p.add_argument("--hook", action="store_true", help="SessionStart mode: read the hook JSON on stdin")
    p.add_argument("--agent", help="whose context (default: $GT_AGENT)")

    p = _add(subparsers, "nudge", "send a message to an agent's session when it is idle", cmd_nudge)
    p.add_argument("agent")
    p.add_argument("message", nargs="*", help="the message (default: read stdin)")

    p = _add(subparsers, "handoff", "hand your hook to a fresh session", cmd_handoff)
    p.add_argument("agent", nargs="?", help="whose session (default: $GT_AGENT)")
    p.add_argument("-m", "--message", help="notes for your successor")

    p = _add(subparsers, "done", "push your branch, open a merge request, release your hook", cmd_done)
    p.add_argument("-m", "--message", help="notes for the merge request")
    p.add_argument("--agent", help=argparse.SUPPRESS)

    p = _add(subparsers, "seance", "list predecessor sessions or ask one a question", cmd_seance)
    p.add_argument("agent", nargs="?", help="whose sessions (default: $GT_AGENT)")
    p.add_argument("--talk", metavar="ID", help="session id (or prefix) to ask")
    p.add_argument("-p", "--prompt", help="the question for --talk")

    p = _add(subparsers, "peek", "show the recent screen of an agent", cmd_peek)
    p.add_argument("agent")
    p.add_argument("-n", "--lines", type=int, default=40)

    p = _add(subparsers, "agents", "list agents and their state; explain why", cmd_agents)
    p.add_argument("action", nargs="?", choices=["list", "explain", "start"], default="list")
    p.add_argument("name", nargs="?", help="agent (explain) or address to start (start)")
    p.add_argument("--runtime", help="with start: runtime to use (default: town.toml default_runtime)")

    p = _add(subparsers, "escalate", "raise an issue to the Overseer", cmd_escalate)
    p.add_argument("-s", "--severity", required=True, help="CRITICAL, HIGH or MEDIUM")
    p.add_argument("message", nargs="+")
    p.add_argument("-m", "--body", help="details")
    p.add_argument("--bead", help="the bead this is about")

    p = _add(subparsers, "hookevent", "internal: called by runtime hooks (SessionStart, Stop, ...)", cmd_hookevent,
             json=False)
    p.add_argument("event", help="session-start, user-prompt-submit, stop, notification (or Claude's names)")
