"""Shared output helpers for commands: JSON or human text, consistently."""

from __future__ import annotations

import json
import sys

TYPE_CHECKING = False  # not typing's: importing typing costs ~4 ms of every `gt` call, and only checkers need it
if TYPE_CHECKING:
    from typing import Any


def print_json(value: Any) -> None:
    """Print `value` as indented, key-sorted JSON on stdout."""
    json.dump(value, sys.stdout, indent=2, sort_keys=True, default=str)
    sys.stdout.write("\n")


def add_json_flag(parser: Any) -> None:
    """Add the standard `--json` flag to a sub-parser."""
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
