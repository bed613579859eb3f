"""`gt patrol status|run|pause|resume|history|dog`: see and steer the patrols (witness, refinery, deacon).

Pause flags and run history live in the ledger, so these work whether or not the engine runs; a running engine
honours a pause at its next tick. `run` executes the patrol in this process (the same wisp and step handlers the
engine uses; a per-patrol lock keeps it from overlapping the engine's own run). Out of the engine the witness cannot
see live sessions, so it reports and takes no action.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from gastown_tui.cli.output import add_json_flag, print_json


def register(subparsers: Any) -> None:
    """Add the `patrol` command group."""
    parser = subparsers.add_parser("patrol", help="patrol status, run, pause and resume")
    sub = parser.add_subparsers(dest="patrol_command", metavar="SUBCOMMAND", required=True)
    status = sub.add_parser("status", help="each patrol: interval, next run, last result, paused")
    add_json_flag(status)
    status.set_defaults(func=_status)
    run = sub.add_parser("run", help="run a patrol once now, in this process")
    run.add_argument("name", metavar="NAME", help="deacon, witness:<rig> or refinery:<rig>")
    add_json_flag(run)
    run.set_defaults(func=_run)
    for verb in ("pause", "resume"):
        p = sub.add_parser(verb, help=f"{verb} a patrol's scheduled runs (persisted in the ledger)")
        p.add_argument("name", metavar="NAME")
        p.set_defaults(func=_pause if verb == "pause" else _resume)
    hist = sub.add_parser("history", help="recent patrol runs")
    hist.add_argument("name", metavar="NAME", nargs="?")
    hist.add_argument("-n", type=int, default=20, help="how many runs (default 20)")
    add_json_flag(hist)
    hist.set_defaults(func=_history)
    dog = sub.add_parser("dog", help="hand a maintenance formula to a Dog agent")
    dog.add_argument("formula", metavar="FORMULA")
    dog.add_argument("--var", action="append", default=[], metavar="KEY=VALUE", help="formula variable")
    dog.add_argument("--dog", help="dog name (default: the first free one)")
    add_json_flag(dog)
    dog.set_defaults(func=_dog)


@contextmanager
def _town() -> Iterator[tuple[Any, Any]]:
    """The town paths and its open ledger."""
    from gastown_tui.cli.ledger_cmd import open_ledger

    ledger = open_ledger()
    town = ledger.paths
    try:
        yield town, ledger
    finally:
        ledger.shutdown()


def _known(town: Any, name: str) -> str:
    """`name` if it is one of the town's patrols, else NotFound listing them."""
    from gastown_tui.errors import NotFound
    from gastown_tui.patrols.registry import patrol_names

    names = patrol_names(town)
    if name not in names:
        raise NotFound(f"no patrol {name!r} (patrols: {', '.join(names)})")
    return name


def _when(ts: float | None) -> str:
    """Relative time for humans ('in 25s', '3m ago', '-')."""
    if ts is None:
        return "-"
    delta = ts - time.time()
    word = "in " if delta >= 0 else ""
    secs = abs(delta)
    text = f"{secs:.0f}s" if secs < 120 else (f"{secs / 60:.0f}m" if secs < 7200 else f"{secs / 3600:.1f}h")
    return f"{word}{text}{'' if delta >= 0 else ' ago'}"


def _status(args: argparse.Namespace) -> int:
    """`patrol status`."""
    from gastown_tui.patrols.registry import patrol_intervals, patrol_names
    from gastown_tui.patrols.state import LedgerStateStore

    from gastown_tui.engine.client import engine_running

    with _town() as (town, ledger):
        store = LedgerStateStore(ledger)
        nexts, intervals = store.next_runs(), patrol_intervals(town)
        live = engine_running(town)
        rows = []
        for name in patrol_names(town):
            last = store.history(name, 1)
            planned = nexts.get(name, {})
            rows.append({"name": name, "interval": planned.get("interval") or intervals.get(name.split(":")[0]),
                         "next_run": planned.get("next_run"), "paused": store.is_paused(name),
                         "last_result": last[-1].result if last else None,
                         "last_summary": last[-1].summary if last else "",
                         "last_finished": last[-1].finished if last else None, "engine_running": live})
    if args.json:
        print_json(rows)
        return 0
    width = max(len(r["name"]) for r in rows)
    print(f"{'PATROL':<{width}}  {'EVERY':>6}  {'NEXT':<9} {'LAST':<8} {'WHEN':<9} SUMMARY")
    for r in rows:
        nxt = "paused" if r["paused"] else (_when(r["next_run"]) if live else "no engine")
        print(f"{r['name']:<{width}}  {r['interval'] or 0:>5.0f}s  {nxt:<9} {r['last_result'] or '-':<8} "
              f"{_when(r['last_finished']):<9} {r['last_summary'][:60]}")
    return 0


def _run(args: argparse.Namespace) -> int:
    """`patrol run NAME`."""
    from gastown_tui.patrols.registry import run_once

    with _town() as (town, ledger):
        report = asyncio.run(run_once(town, ledger, _known(town, args.name)))
    if args.json:
        print_json({"name": args.name, "result": report.result, "summary": report.summary, "run": report.run_id})
    else:
        print(f"{args.name}: {report.result} — {report.summary} (run {report.run_id or '-'})")
    return 0 if report.result in ("ok", "skipped") else 1


def _pause(args: argparse.Namespace) -> int:
    """`patrol pause NAME`."""
    return _set_paused(args.name, True)


def _resume(args: argparse.Namespace) -> int:
    """`patrol resume NAME`."""
    return _set_paused(args.name, False)


def _set_paused(name: str, paused: bool) -> int:
    """Persist the pause flag."""
    from gastown_tui.patrols.state import LedgerStateStore

    with _town() as (town, ledger):
        LedgerStateStore(ledger).set_paused(_known(town, name), paused)
    print(f"{name}: {'paused' if paused else 'resumed'}")
    return 0


def _history(args: argparse.Namespace) -> int:
    """`patrol history [NAME]`."""
    from gastown_tui.patrols.state import LedgerStateStore

    with _town() as (_town_paths, ledger):
        runs = LedgerStateStore(ledger).history(args.name, args.n)
    if args.json:
        print_json([r.to_dict() for r in runs])
        return 0
    for r in runs:
        print(f"{time.strftime('%H:%M:%S', time.localtime(r.finished))}  {r.patrol:<20} {r.result:<7} "
              f"{r.finished - r.started:6.1f}s  {r.summary[:70]}")
    return 0


def _dog(args: argparse.Namespace) -> int:
    """`patrol dog FORMULA`."""
    from gastown_tui.errors import InvalidInput
    from gastown_tui.patrols.dogs import dispatch_dog

    variables = {}
    for item in args.var:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InvalidInput(f"--var wants KEY=VALUE, got {item!r}")
        variables[key] = value
    with _town() as (town, ledger):
        result = dispatch_dog(town, ledger, args.formula, variables=variables, dog=args.dog, actor="overseer")
    if args.json:
        print_json(result)
    else:
        print(f"Dog {result['dog']} got {result['bead']} ({args.formula}); start: {result.get('start', '-')}")
    return 0
