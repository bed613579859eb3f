"""Ledger benchmark (not a test): `python -m gastown_tui.bench.ledger_bench [--sizes 10000,100000]`.

Builds throw-away towns with a realistic bead mix (epics with children, `blocks` chains, discovered-from links,
mostly-closed history, record types), then measures: JSONL import, `ready` (limit 100, as the CLI asks, and the
full list), `blocked`, a claim and a create (writes that recompute readiness), and the wall time of a
`gt bd show` process. Prints one table with the measured time and its ratio to the target.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

TARGETS_MS = {("ready", 10_000): 30.0, ("ready", 100_000): 200.0, ("gt bd show", 10_000): 150.0,
              ("gt bd show", 100_000): 150.0}


def synth_jsonl(n: int, seed: int = 42) -> bytes:
    """`n` beads as a beads JSONL file, sorted by id, with a realistic dependency and status mix."""
    rng = random.Random(seed)
    ids = [f"bd-{i:06x}" for i in range(n)]
    epics: list[str] = []
    lines = []
    for i, bead_id in enumerate(ids):
        roll = rng.random()
        issue_type = ("epic" if roll < 0.05 else "merge-request" if roll < 0.08 else "message" if roll < 0.10
                      else rng.choice(("task", "task", "task", "bug", "feature", "chore")))
        status = rng.choices(("closed", "open", "in_progress", "deferred", "blocked"), (60, 30, 5, 3, 2))[0]
        stamp = f"2025-{1 + i * 11 // n:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00Z"
        obj: dict[str, object] = {"id": bead_id, "title": f"Synthetic bead {i}",
                                  "description": "x" * rng.randint(0, 200), "status": status, "priority": rng.choice((0, 1, 2, 2, 2, 3, 4)),
                                  "issue_type": issue_type, "created_at": stamp, "updated_at": stamp}
        if status == "closed":
            obj["closed_at"] = stamp
            obj["close_reason"] = "done"
        deps = []
        if epics and issue_type != "epic" and rng.random() < 0.4:
            deps.append({"issue_id": bead_id, "depends_on_id": rng.choice(epics[-50:]), "type": "parent-child"})
        if i > 10 and rng.random() < 0.3:
            for target in {ids[rng.randrange(max(0, i - 500), i)] for _ in range(rng.randint(1, 3))}:
                deps.append({"issue_id": bead_id, "depends_on_id": target, "type": "blocks"})
        if i > 10 and rng.random() < 0.1:
            deps.append({"issue_id": bead_id, "depends_on_id": ids[rng.randrange(i)], "type": "discovered-from"})
        if deps:
            seen: set[str] = set()
            obj["dependencies"] = [dict(d, created_at=stamp, created_by="bench") for d in deps
                                   if not (d["depends_on_id"] in seen or seen.add(d["depends_on_id"]))]
        if rng.random() < 0.1:
            obj["labels"] = [rng.choice(("area:ui", "area:ledger", "gt:agent", "urgent"))]
        if issue_type == "epic":
            epics.append(bead_id)
        lines.append(json.dumps(obj, separators=(",", ":")))
    return ("\n".join(lines) + "\n").encode()


def timed(fn: Callable[[], object], repeat: int = 7) -> float:
    """Median wall time of `fn` in milliseconds (after one warm-up call)."""
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def bench_size(n: int, workdir: Path) -> list[tuple[str, int, float, str]]:
    """Run every measurement on a town of `n` beads; rows of (what, n, milliseconds, note)."""
    from gastown_tui.ledger import Ledger
    from gastown_tui.town.paths import TownPaths

    root = workdir / f"town{n}"
    root.mkdir()
    (root / "town.toml").write_text("")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    source = workdir / f"synth{n}.jsonl"
    source.write_bytes(synth_jsonl(n))
    rows: list[tuple[str, int, float, str]] = []
    with Ledger.open(TownPaths(root)) as ledger:
        start = time.perf_counter()
        report = ledger.import_jsonl(source, prefix="bd")
        rows.append(("import JSONL", n, (time.perf_counter() - start) * 1000,
                     f"{report.created} lines, {n / (time.perf_counter() - start):,.0f} lines/s"))
        ready_count = len(ledger.ready())
        rows.append(("ready", n, timed(lambda: ledger.ready(limit=100)), f"limit 100 of {ready_count} ready"))
        rows.append(("ready (full list)", n, timed(lambda: ledger.ready(), repeat=3), f"{ready_count} beads"))
        blocked_count = len(ledger.blocked())
        rows.append(("blocked", n, timed(lambda: ledger.blocked(), repeat=3), f"{blocked_count} beads"))
        targets = iter([b.id for b in ledger.ready(limit=50)])
        rows.append(("claim", n, timed(lambda: ledger.claim(next(targets), "bench")), "conditional UPDATE"))
        rows.append(("create (with blocks dep)", n, timed(lambda: ledger.add_dep(
            ledger.create("bench bead", prefix="bd").id, "bd-000100")), "create + add_dep + readiness"))
        show_id = ledger.ready(limit=1)[0].id
        start = time.perf_counter()
        ledger.export_jsonl(full=True)
        rows.append(("export JSONL", n, (time.perf_counter() - start) * 1000, "full rewrite"))
    env = dict(os.environ, GT_TOWN=str(root))
    cmd = [sys.executable, "-c", "from gastown_tui.cli.main import gt_main; gt_main()", "bd", "show", show_id]
    rows.append(("gt bd show", n, timed(lambda: subprocess.run(cmd, env=env, capture_output=True, check=True),
                                         repeat=5), "whole process, python -c"))
    return rows


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated bead counts")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="gt-ledger-bench-") as tmp:
        rows = [row for n in sizes for row in bench_size(n, Path(tmp))]
    print(f"{'measurement':<26}{'beads':>9}{'ms':>10}{'target':>9}{'ratio':>8}  note")
    for what, n, ms, note in rows:
        target = TARGETS_MS.get((what, n))
        ratio = f"{ms / target:.2f}" if target else ""
        print(f"{what:<26}{n:>9,}{ms:>10.1f}{(f'{target:.0f}' if target else ''):>9}{ratio:>8}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
