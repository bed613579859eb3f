"""`gastown engine run | start | status | stop`: the town's engine, in the foreground or in the background.

`start` (and every `gastown` TUI) starts it in the background if none runs; TUIs attach to whichever runs.
"""

from __future__ import annotations

import argparse
from gastown_tui.cli.output import add_json_flag, print_json


def cmd_run(args: argparse.Namespace) -> int:
    """Run the engine in the foreground until SIGINT/SIGTERM."""
    from gastown_tui.engine.runner import run_engine
    from gastown_tui.town.paths import find_town

    return run_engine(find_town(), patrols=not args.no_patrols, log_level=args.log_level, daemon=args.daemon)


def cmd_start(args: argparse.Namespace) -> int:
    """Start a background engine unless one runs; print its pid."""
    from gastown_tui.engine.api.daemon import ensure_engine, log_path
    from gastown_tui.town.paths import find_town

    town = find_town()
    info, started = ensure_engine(town.root, extra_args=("--no-patrols",) if args.no_patrols else ())
    if args.json:
        print_json({"pid": info.pid, "started": started, "log": str(log_path(town.root))})
    else:
        print(f"engine {'started' if started else 'already running'}: pid {info.pid} (log {log_path(town.root)})")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """Ask a running engine for its agents and their states."""
    from dataclasses import asdict

    from gastown_tui.engine.api import GetStatus, Ping, call_sync
    from gastown_tui.town.paths import find_town

    town = find_town()
    info = call_sync(town.engine_sock, Ping())
    rows = call_sync(town.engine_sock, GetStatus()).agents
    if args.json:
        print_json({"engine": asdict(info), "agents": [asdict(row) for row in rows]})
    else:
        print(f"engine pid {info.pid} for {info.town}")
        for row in rows:
            print(f"  {row.address:32} {row.state:9} ({row.why})")
    return 0


def cmd_stop(args: argparse.Namespace) -> int:
    """Stop the running engine and every agent it runs; waits until it is gone."""
    import time

    from gastown_tui.engine.api import Ping, StopEngine, call_sync
    from gastown_tui.town.paths import find_town

    town = find_town()
    pid = call_sync(town.engine_sock, Ping()).pid
    call_sync(town.engine_sock, StopEngine())
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.05)
    print(f"engine pid {pid} stopped" if not _alive(pid) else f"engine pid {pid} is still stopping")
    return 0


def _alive(pid: int) -> bool:
    from gastown_tui.faults import pid_alive

    return pid_alive(pid)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `engine run|status|stop`."""
    engine = subparsers.add_parser("engine", help="run the engine headless (no TUI)")
    sub = engine.add_subparsers(dest="engine_command", metavar="ACTION", required=True)
    p = sub.add_parser("run", help="run the engine in the foreground")
    p.add_argument("--no-patrols", action="store_true", help="do not run witness/refinery/deacon patrols")
    p.add_argument("--log-level", default="WARNING")
    p.add_argument("--daemon", action="store_true", help=argparse.SUPPRESS)  # set by the background start
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("start", help="start the engine in the background unless one runs")
    p.add_argument("--no-patrols", action="store_true", help="do not run witness/refinery/deacon patrols")
    add_json_flag(p)
    p.set_defaults(func=cmd_start)
    p = sub.add_parser("status", help="show a running engine's agents")
    add_json_flag(p)
    p.set_defaults(func=cmd_status)
    p = sub.add_parser("stop", help="stop a running engine")
    p.set_defaults(func=cmd_stop)
