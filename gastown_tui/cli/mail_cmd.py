"""`gt mail send | inbox | read | reply | archive | thread`: mail as beads (see gastown_tui.mail)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from gastown_tui.cli.output import add_json_flag, print_json


def _out(args: argparse.Namespace, value: Any, text: str) -> None:
    """JSON with --json, else text."""
    if getattr(args, "json", False):
        print_json(value)
    elif text:
        print(text)


def _me(explicit: str | None) -> str:
    """Whose mailbox: --as, else $GT_AGENT, else the Overseer."""
    from gastown_tui.agents.identity import actor_name
    from gastown_tui.records import parse_address

    return str(parse_address(explicit)) if explicit else actor_name()


def _body(args: argparse.Namespace) -> str:
    """-m text, or stdin with --stdin."""
    if getattr(args, "stdin", False):
        return sys.stdin.read()
    return args.message or ""


def _rigs(town: Any) -> set[str]:
    """Names of the town's rigs (to refuse mail to rigs that do not exist)."""
    from gastown_tui.town import list_rigs

    return {rig.name for rig in list_rigs(town)}


def cmd_send(args: argparse.Namespace) -> int:
    """gt mail send ADDRESS -s SUBJECT [-m BODY | --stdin]."""
    from gastown_tui.agents.context import town_and_ledger
    from gastown_tui.mail import send

    with town_and_ledger() as (town, ledger):
        msg = send(ledger, args.to, args.subject, _body(args), sender=_me(args.sender), events_file=town.events,
                   known_rigs=_rigs(town))
    _out(args, msg.to_dict(), f"sent {msg.id} to {msg.to}")
    return 0


def cmd_inbox(args: argparse.Namespace) -> int:
    """gt mail inbox [--all]."""
    from gastown_tui.agents.context import town_and_ledger
    from gastown_tui.mail import inbox

    me = _me(args.who)
    with town_and_ledger() as (_town, ledger):
        messages = inbox(ledger, me, include_read=args.all)
    lines = [f"{'*' if m.unread else ' '} {m.id}  {m.sender:24} {m.subject}" for m in messages]
    _out(args, [m.to_dict() for m in messages], "\n".join(lines) or f"no {'' if args.all else 'unread '}mail for {me}")
    return 0


def cmd_read(args: argparse.Namespace) -> int:
    """gt mail read ID (marks it read)."""
    from gastown_tui.agents.context import town_and_ledger
    from gastown_tui.mail import read

    with town_and_ledger() as (_town, ledger):
        msg = read(ledger, args.id, reader=_me(args.who))
    text = (f"From: {msg.sender}\nTo: {msg.to}\nSubject: {msg.subject}\nThread: {msg.thread}\n"
            + (f"In-Reply-To: {msg.reply_to}\n" if msg.reply_to else "") + f"\n{msg.body}")
    _out(args, msg.to_dict(), text.rstrip())
    return 0


def cmd_reply(args: argparse.Namespace) -> int:
    """gt mail reply ID -m BODY."""
    from gastown_tui.agents.context import town_and_ledger
    from gastown_tui.mail import reply

    with town_and_ledger() as (town, ledger):
        msg = reply(ledger, args.id, _body(args), sender=_me(args.who), events_file=town.events,
                    subject=args.subject or "")
    _out(args, msg.to_dict(), f"replied {msg.id} to {msg.to} (thread {msg.thread})")
    return 0


def cmd_archive(args: argparse.Namespace) -> int:
    """gt mail archive ID..."""
    from gastown_tui.agents.context import town_and_ledger
    from gastown_tui.mail import archive

    with town_and_ledger() as (_town, ledger):
        done = [archive(ledger, ident, actor=_me(args.who)).id for ident in args.ids]
    _out(args, done, "archived " + ", ".join(done))
    return 0


def cmd_thread(args: argparse.Namespace) -> int:
    """gt mail thread ID."""
    from gastown_tui.agents.context import town_and_ledger
    from gastown_tui.mail import get_message, thread_messages

    with town_and_ledger() as (_town, ledger):
        messages = thread_messages(ledger, get_message(ledger, args.id).thread)
    _out(args, [m.to_dict() for m in messages],
         "\n".join(f"{m.id}  {m.sender} -> {m.to}: {m.subject}" for m in messages))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `mail` and its sub-commands."""
    mail = subparsers.add_parser("mail", help="send, list, read, reply to and archive mail")
    sub = mail.add_subparsers(dest="mail_command", metavar="ACTION", required=True)

    p = sub.add_parser("send", help="send a message")
    p.add_argument("to", help="mayor/, overseer, <rig>/witness, <rig>/refinery, <rig>/polecats/<n>, <rig>/crew/<n>")
    p.add_argument("-s", "--subject", required=True)
    p.add_argument("-m", "--message", help="the body")
    p.add_argument("--stdin", action="store_true", help="read the body from stdin")
    p.add_argument("--from", dest="sender", help="send as this address (default: $GT_AGENT or overseer)")
    add_json_flag(p)
    p.set_defaults(func=cmd_send)

    p = sub.add_parser("inbox", help="list your mail (unread unless --all)")
    p.add_argument("--all", action="store_true")
    p.add_argument("--as", dest="who", help="whose inbox (default: $GT_AGENT or overseer)")
    add_json_flag(p)
    p.set_defaults(func=cmd_inbox)

    p = sub.add_parser("read", help="show a message and mark it read")
    p.add_argument("id")
    p.add_argument("--as", dest="who")
    add_json_flag(p)
    p.set_defaults(func=cmd_read)

    p = sub.add_parser("reply", help="reply in the same thread")
    p.add_argument("id")
    p.add_argument("-m", "--message")
    p.add_argument("-s", "--subject")
    p.add_argument("--stdin", action="store_true")
    p.add_argument("--as", dest="who")
    add_json_flag(p)
    p.set_defaults(func=cmd_reply)

    p = sub.add_parser("archive", help="archive messages")
    p.add_argument("ids", nargs="+")
    p.add_argument("--as", dest="who")
    add_json_flag(p)
    p.set_defaults(func=cmd_archive)

    p = sub.add_parser("thread", help="show a whole thread")
    p.add_argument("id")
    add_json_flag(p)
    p.set_defaults(func=cmd_thread)
