"""`gastown demo`: a temporary town with a sample project and scripted agents, opened in the TUI (no API key)."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path


def cmd_demo(args: argparse.Namespace) -> int:
    """Build the demo town, sling its first beads once attached to its engine, and open the TUI."""
    from gastown_tui.demo import build_demo_town
    from gastown_tui.ui.run import run_tui  # the UI (Textual) is imported only for this command

    made_root = args.dir is None
    root = Path(tempfile.mkdtemp(prefix="gastown-demo-")) if made_root else Path(args.dir).resolve()
    try:
        demo = build_demo_town(root)
        os.environ["GT_TOWN"] = str(demo.paths.root)  # `gt` run by agents and by the Overseer find this town

        async def first_slings(port) -> None:  # type: ignore[no-untyped-def]
            for bead_id in ([] if args.no_sling else demo.autosling):
                await port.sling(bead_id, demo.rig)

        # A throwaway demo town is deleted on exit, so its engine stops with the TUI; with --dir/--keep the town
        # stays and quitting detaches like any town (`gastown --town DIR` attaches again).
        code = run_tui(demo.paths.root, on_started=first_slings, layout=args.layout,
                       stop_engine_on_exit=made_root and not args.keep)
    finally:
        if made_root and not args.keep:
            shutil.rmtree(root, ignore_errors=True)
        elif made_root:
            print(f"demo town kept at {root / 'town'}", file=sys.stderr)
    return code


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the `demo` command."""
    p = subparsers.add_parser("demo", help="open the TUI on a temporary demo town (no API key needed)")
    p.add_argument("--dir", help="build the demo town here instead of a temporary directory (kept)")
    p.add_argument("--keep", action="store_true", help="keep the temporary demo town after quitting")
    p.add_argument("--no-sling", action="store_true", help="do not sling the first beads at start")
    p.add_argument("--layout", choices=["1", "2x1", "2x2", "3x3"], default=None,
                   help="initial terminal layout (default by width: 1 below 120 columns, 2x1 below 160, else 2x2)")
    p.set_defaults(func=cmd_demo)
