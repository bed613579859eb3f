"""`gastown doctor`: check a town and say what to do, one line per problem; `--fix` applies the safe repairs.

Public API:
- `Finding` (frozen): check name, level (`ok` | `warn` | `error`), one-line message, what to do, and the id of a
  safe automatic fix when there is one.
- `run_checks(town, ledger) -> list[Finding]`: every check (runtimes and versions, hooks, git identity,
  permissions under `.gastown/`, engine state, ledger integrity, half-made commands, stale worktrees and
  branches, orphaned processes, disk space, bytecode caching).
- `apply_fixes(town, ledger, findings) -> list[str]`: run the safe fixes of those findings; returns what was done.
- `problems(findings)`: the findings that are not `ok` (what the TUI shows at start when there are any).
"""

from gastown_tui.doctor.fixes import apply_fixes
from gastown_tui.doctor.model import Finding, problems
from gastown_tui.doctor.run import run_checks

__all__ = ["Finding", "apply_fixes", "problems", "run_checks"]
