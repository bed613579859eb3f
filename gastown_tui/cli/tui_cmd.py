"""`gastown tui`: open the Gas Town TUI on an existing town (also what `gastown` with no arguments does)."""

from __future__ import annotations

import argparse


def cmd_tui(args: argparse.Namespace) -> int:
    """Find the town (--town, $GT_TOWN, or up from the cwd), attach to its engine (starting one if needed)."""
    from gastown_tui.gc_tuning import freeze_startup_heap, tune_for_interactive
    from gastown_tui.town.paths import find_town
    from gastown_tui.ui.run import run_tui  # the UI (Textual) is imported only for this command

    def tune() -> None:
        freeze_startup_heap()  # imported modules are permanent: no full collection needs to walk them
        tune_for_interactive()

    return run_tui(find_town().root, layout=args.layout, before_run=tune)


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the `tui` command."""
    p = subparsers.add_parser("tui", help="open the TUI for a town")
    p.add_argument("--layout", choices=["1", "2x1", "2x2", "3x3"], default=None,
                   help="initial terminal layout (default by width: 1 below 120 columns, 2x1 below 160, else 2x2)")
    p.set_defaults(func=cmd_tui)
