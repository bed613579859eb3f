"""Run mypy and fail only on errors that are not in the recorded baseline (`.ci/mypy-baseline.txt`).

Usage: python .ci/mypy_gate.py [--update]. Two runs: `--strict` on the typed engine API and the UI, and the default
settings on everything else. An error is identified by file, message and code (not line number), so moving code
does not churn the baseline; fixing an error and then writing a new one in the same file with the same message
is the only thing this misses.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / ".ci" / "mypy-baseline.txt"
RUNS = {
    "strict": ["--strict", "gastown_tui/engine/api", "gastown_tui/ui"],
    "default": ["gastown_tui", "widgets"],
}
LINE = re.compile(r"^(?P<file>[^:]+):\d+: error: (?P<msg>.*)$")


def errors(run: str, args: list[str]) -> Counter[str]:
    """`run|file|message` for every error of one mypy run."""
    done = subprocess.run([sys.executable, "-m", "mypy", *args], cwd=ROOT, text=True, capture_output=True)
    found: Counter[str] = Counter()
    for line in done.stdout.splitlines():
        match = LINE.match(line)
        if match:
            found[f"{run}|{match['file']}|{match['msg']}"] += 1
    return found


def main() -> int:
    """Compare with (or, with --update, rewrite) the baseline."""
    current: Counter[str] = Counter()
    for run, args in RUNS.items():
        current += errors(run, args)
    if "--update" in sys.argv:
        BASELINE.write_text("".join(f"{key}\n" for key in sorted(current.elements())))
        print(f"mypy baseline: {sum(current.values())} errors recorded")
        return 0
    baseline = Counter(BASELINE.read_text().splitlines()) if BASELINE.exists() else Counter()
    new = current - baseline
    if new:
        print("mypy: errors not in .ci/mypy-baseline.txt:")
        for key in sorted(new.elements()):
            print("  " + key.replace("|", ": ", 2))
        return 1
    print(f"mypy: {sum(current.values())} known errors, none new ({sum((baseline - current).values())} fixed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
