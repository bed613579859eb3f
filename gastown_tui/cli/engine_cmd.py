"""`gastown engine run | status | stop`: the headless engine (for tests, servers, and agents outliving the UI)."""

from __future__ import annotations

import argparse
from typing import Any

from gastown_tui.cli.output import add_json_flag, print_json


def cmd_run(args: argparse.Namespace) -> int:
    """Run the engine in the foreground until SIGINT/SIGTERM."""
    from gastown_tui.engine.runner import run_engine
    from gastown_tui.town.paths import find_town

    return run_engine(find_town(), patrols=not args.no_patrols, log_level=args.log_level)


def cmd_status(args: argparse.Namespace) -> int:
    """Ask a running engine for its agents and their states."""
    from gastown_tui.engine.client import request
    from gastown_tui.town.paths import find_town

    town = find_town()
    info: dict[str, Any] = request(town, "ping")
    rows = request(town, "status")
    if args.json:
        print_json({"engine": info, "agents": rows})
    else:
        print(f"engine pid {info['pid']} for {info['town']}")
        for row in rows:
            print(f"  {row['address']:32} {row['state']:9} ({row['source']}: {row['detail']})")
    return 0


def cmd_stop(args: argparse.Namespace) -> int:
    """Stop a running engine (SIGTERM to the pid it reports)."""
    import os
    import signal

    from gastown_tui.engine.client import request
    from gastown_tui.town.paths import find_town

    pid = int(request(find_town(), "ping")["pid"])
    os.kill(pid, signal.SIGTERM)
    print(f"sent SIGTERM to engine pid {pid}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `engine run|status|stop`."""
    engine = subparsers.add_parser("engine", help="run the engine headless (no TUI)")
    sub = engine.add_subparsers(dest="engine_command", metavar="ACTION", required=True)
    p = sub.add_parser("run", help="run the engine in the foreground")
    p.add_argument("--no-patrols", action="store_true", help="do not run witness/refinery/deacon patrols")
    p.add_argument("--log-level", default="WARNING")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("status", help="show a running engine's agents")
    add_json_flag(p)
    p.set_defaults(func=cmd_status)
    p = sub.add_parser("stop", help="stop a running engine")
    p.set_defaults(func=cmd_stop)
