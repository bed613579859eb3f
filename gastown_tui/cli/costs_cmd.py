"""`gt costs [--by agent|bead|convoy|rig|day] [--since WHEN] [--json]`: tokens and estimated cost at list price."""

from __future__ import annotations

import argparse
import re
import time
from datetime import datetime
from typing import Any

from gastown_tui.cli.output import add_json_flag, print_json
from gastown_tui.errors import InvalidInput

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_since(text: str, now: float | None = None) -> float:
    """`30m`, `2h`, `7d` (ago) or a date/time `YYYY-MM-DD[THH:MM]` (local) -> epoch seconds."""
    match = _DURATION.match(text.strip())
    if match:
        return (time.time() if now is None else now) - float(match.group(1)) * _UNITS[match.group(2)]
    try:
        return datetime.fromisoformat(text.strip()).timestamp()
    except ValueError:
        raise InvalidInput(f"invalid --since {text!r}: use a duration (30m, 2h, 7d) or a date (2026-01-31)") from None


def _money(cost: float | None) -> str:
    """`$0.1234`, or `unknown` for an unpriced model."""
    return "unknown" if cost is None else f"${cost:.4f}"


def _table(rows: list[Any], total: Any, by: str) -> str:
    """A plain aligned table with a total line."""
    head = f"{by:<28} {'turns':>6} {'input':>9} {'output':>9} {'cache rd':>10} {'cache wr':>9} {'cost*':>10}"
    lines = [head]
    for r in [*rows, total]:
        t = r.tokens
        name = (r.key + (f"  {r.label}" if r.label else ""))[:28]
        lines.append(f"{name:<28} {r.turns:>6} {t.input:>9} {t.output:>9} {t.cache_read:>10} {t.cache_write:>9} "
                     f"{_money(r.cost):>10}")
    lines.append("* estimate at list price (data/prices.yaml, [prices] in town.toml)")
    return "\n".join(lines)


def cmd_costs(args: argparse.Namespace) -> int:
    """Read new transcript lines, then print usage grouped as asked."""
    from gastown_tui.agents.context import town_and_ledger
    from gastown_tui.agents.registry import agent_address, list_agents
    from gastown_tui.costs.ingest import ingest
    from gastown_tui.costs.report import agent_usage, total, usage_by
    from gastown_tui.town.config import load_town_config

    since = parse_since(args.since) if args.since else None
    with town_and_ledger(record_beat=False) as (town, ledger):
        ingest(town, ledger)
        default_runtime = load_town_config(town).default_runtime
        rows = usage_by(town, ledger, args.by, since=since)
        agents = [(str(agent_address(a)), str((a.metadata or {}).get("runtime") or default_runtime))
                  for a in list_agents(ledger)]
        unknown = sorted(u.agent for u in agent_usage(town, ledger, agents) if not u.known)
    summed = total(rows)
    if args.json:
        print_json({"by": args.by, "since": since, "rows": [r.to_dict() for r in rows], "total": summed.to_dict(),
                    "estimate": "list price", "usage_unknown_agents": unknown})
    else:
        print(_table(rows, summed, args.by))
        if unknown:
            print(f"usage unknown (the runtime keeps no usage records): {', '.join(unknown)}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `costs`."""
    from gastown_tui.costs.report import BY

    p = subparsers.add_parser("costs", help="tokens and estimated cost per agent, bead, convoy, rig or day")
    p.add_argument("--by", choices=BY, default="agent", help="group by (default: agent)")
    p.add_argument("--since", help="only turns since a duration ago (30m, 2h, 7d) or a date (2026-01-31)")
    add_json_flag(p)
    p.set_defaults(func=cmd_costs)
