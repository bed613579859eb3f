"""`gt budget [status] | reset SCOPE [KEY] | raise SCOPE [KEY] --to DOLLARS`: the budget breakers in code."""

from __future__ import annotations

import argparse
import time

from gastown_tui.cli.output import add_json_flag, print_json
from gastown_tui.errors import InvalidInput


def _key(ledger: object, scope: str, key: str | None) -> str:
    """The budget key: today for `day` by default; a resolved bead or convoy id otherwise."""
    from gastown_tui.costs.attribution import local_day

    if scope == "day":
        return key or local_day(time.time())
    if not key:
        raise InvalidInput(f"budget {scope} needs the {scope} id, e.g. `gt budget raise {scope} hq-abc --to 5`")
    return str(ledger.resolve(key))  # type: ignore[attr-defined]


def cmd_status(args: argparse.Namespace) -> int:
    """Every budget with spend: spent, limit, state (ok / warned / open)."""
    from gastown_tui.agents.context import town_and_ledger
    from gastown_tui.costs.budget import evaluate
    from gastown_tui.costs.config import load_config
    from gastown_tui.costs.ingest import ingest

    with town_and_ledger(record_beat=False) as (town, ledger):
        config = load_config(town)
        ingest(town, ledger)
        states = evaluate(town, ledger)
    if args.json:
        print_json({"limits_usd": config.budgets, "warn_at": config.warn_at,
                    "budgets": [s.to_dict() for s in states]})
        return 0
    if not config.budgets:
        print("no budgets set (town.toml [budget]: day, convoy, bead in dollars)")
        return 0
    print("\n".join(s.describe() for s in states) or "no spend under any budget yet")
    return 0


def cmd_reset(args: argparse.Namespace) -> int:
    """Count a budget from zero again; closes its breaker."""
    from gastown_tui.agents.context import town_and_ledger
    from gastown_tui.agents.identity import actor_name
    from gastown_tui.costs.budget import reset

    with town_and_ledger() as (town, ledger):
        key = _key(ledger, args.scope, args.key)
        reset(town, ledger, args.scope, key, actor=actor_name())
    print(f"budget {args.scope} {key}: reset, breaker closed")
    return 0


def cmd_raise(args: argparse.Namespace) -> int:
    """Set a higher limit for one budget; closes its breaker if the spend is now under it."""
    from gastown_tui.agents.context import town_and_ledger
    from gastown_tui.agents.identity import actor_name
    from gastown_tui.costs.budget import open_breakers, raise_limit

    with town_and_ledger() as (town, ledger):
        key = _key(ledger, args.scope, args.key)
        raise_limit(town, ledger, args.scope, key, args.to, actor=actor_name())
        still = (args.scope, key) in open_breakers(ledger)
    print(f"budget {args.scope} {key}: limit ${args.to:.4f}, breaker {'still open' if still else 'closed'}")
    return 1 if still else 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `budget` and its sub-commands."""
    from gastown_tui.costs.config import SCOPES

    budget = subparsers.add_parser("budget", help="budget breakers: status, reset, raise")
    budget.set_defaults(func=cmd_status, json=False)
    sub = budget.add_subparsers(dest="budget_command", metavar="ACTION")
    p = sub.add_parser("status", help="spend against every budget")
    add_json_flag(p)
    p.set_defaults(func=cmd_status)
    p = sub.add_parser("reset", help="count a budget from zero again (closes its breaker)")
    p.add_argument("scope", choices=SCOPES)
    p.add_argument("key", nargs="?", help="the convoy or bead id (day: default today, YYYY-MM-DD)")
    p.set_defaults(func=cmd_reset)
    p = sub.add_parser("raise", help="a higher limit for one budget (closes its breaker)")
    p.add_argument("scope", choices=SCOPES)
    p.add_argument("key", nargs="?", help="the convoy or bead id (day: default today, YYYY-MM-DD)")
    p.add_argument("--to", type=float, required=True, metavar="DOLLARS", help="the new limit in dollars")
    p.set_defaults(func=cmd_raise)
