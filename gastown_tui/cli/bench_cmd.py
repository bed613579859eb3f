"""`gastown bench`: run the benchmarks (terminal, TUI vs tmux, ledger scale, memory) and print one table."""

from __future__ import annotations

import argparse
from typing import Any


def cmd_bench(args: argparse.Namespace) -> int:
    """Run the benchmarks; the machinery lives in gastown_tui.bench.run (imported only here)."""
    from gastown_tui.bench.run import run

    return run(args.quick)


def register(subparsers: Any) -> None:
    """Add the `bench` command."""
    p = subparsers.add_parser("bench", help="run the benchmarks and print a table of measured ratios")
    p.add_argument("--quick", action="store_true", help="small sizes, about a minute (default: the full run)")
    p.set_defaults(func=cmd_bench)
