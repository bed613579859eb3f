"""Convoy formulas run end to end on scripted polecats: 3 legs at once, the synthesis only after all 3 close.

Real engine (headless), real PTYs, real git worktrees, the scripted runtime (it runs the ```sh blocks of the bead
on its hook, then `gt done`). Each leg waits until all three legs have started, so the run only finishes if the
three polecats really work at the same time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from gastown_tui.convoys import check_completion
from gastown_tui.ledger import Ledger
from gastown_tui.ledger.model import to_unix
from gastown_tui.records import LABEL_MERGE_REQUEST
from gastown_tui.town.paths import TownPaths
from tests.agents.conftest import EngineProcess, cli, make_source, make_town, wait_until

pytestmark = pytest.mark.slow

TRIO = '''formula = "review-trio"
description = "Three reviewers, one report"
type = "convoy"
agent = "scripted"
review_only = true

[inputs.topic]
description = "What to review"
required = true

[prompts]
base = "You review {{topic}}."

[output]
directory = ".reviews/{{topic}}"
leg_pattern = "{{.leg.id}}-findings.md"
synthesis = "report.md"

[[legs]]
id = "correctness"
title = "Correctness review of {{topic}}"
focus = "bugs"
description = """
```sh
touch "$GT_TOWN/.reviews/{{topic}}/started-{{leg.id}}"
while [ "$(ls "$GT_TOWN/.reviews/{{topic}}" | grep -c '^started-')" -lt 3 ]; do sleep 0.2; done
echo "{{leg.id}}: $GT_AGENT found nothing wrong" > "{{output}}"
```
"""

[[legs]]
id = "security"
title = "Security review of {{topic}}"
agent = "scripted"
description = """
```sh
touch "$GT_TOWN/.reviews/{{topic}}/started-{{leg.id}}"
while [ "$(ls "$GT_TOWN/.reviews/{{topic}}" | grep -c '^started-')" -lt 3 ]; do sleep 0.2; done
echo "{{leg.id}}: $GT_AGENT found nothing wrong" > "{{output}}"
```
"""

[[legs]]
id = "style"
title = "Style review of {{topic}}"
description = """
```sh
touch "$GT_TOWN/.reviews/{{topic}}/started-{{leg.id}}"
while [ "$(ls "$GT_TOWN/.reviews/{{topic}}" | grep -c '^started-')" -lt 3 ]; do sleep 0.2; done
echo "{{leg.id}}: $GT_AGENT found nothing wrong" > "{{output}}"
```
"""

[synthesis]
title = "Review report for {{topic}}"
description = """
```sh
cat {{legs.outputs}} > "{{output}}"
```
"""
'''


@pytest.fixture
def rig_town(tmp_path: Path) -> TownPaths:
    """A town with rig `app` (scripted runtime) and the review-trio formula in the town's formulas."""
    town = make_town(tmp_path / "town", make_source(tmp_path / "src"))
    (town.root / "formulas").mkdir(exist_ok=True)
    (town.root / "formulas" / "review-trio.formula.toml").write_text(TRIO)
    return town


@pytest.fixture
def engine(rig_town: TownPaths, tmp_path: Path) -> Iterator[EngineProcess]:
    """A headless engine for the town, stopped after the test."""
    proc = EngineProcess(rig_town, tmp_path / "engine.log").start()
    yield proc
    proc.stop()


def test_three_legs_at_once_then_synthesis_then_landing_mail(rig_town: TownPaths, engine: EngineProcess) -> None:
    town = rig_town
    result = cli(town, "formula", "run", "review-trio", "app", "--var", "topic=login", "--json")
    assert result.returncode == 0, result.stderr
    run = json.loads(result.stdout)
    legs = {leg["leg"]: leg for leg in run["legs"]}
    assert set(legs) == {"correctness", "security", "style"} and len(run["slung"]) == 3 and not run["queued"]
    workers = {item.split("→")[1] for item in run["slung"]}
    assert len(workers) == 3 and all("/polecats/" in w for w in workers)  # three separate polecats
    assert run["result"] == str((town.root / ".reviews" / "login" / "report.md").resolve())
    with Ledger.open(town) as ledger:
        synth = ledger.get(run["synthesis"])
        assert synth.is_blocked and synth.assignee is None
        leg_ids = [leg["bead"] for leg in run["legs"]]
        closed = wait_until(lambda: all(ledger.get(b).status == "closed" for b in leg_ids), 90)
        assert closed
        legs_closed = [ledger.get(b) for b in leg_ids]
        assert {b.close_reason for b in legs_closed} == {"no code changes"}
        assert not ledger.list(labels=[LABEL_MERGE_REQUEST])  # review-only legs never reach the refinery
        assert ledger.get(run["synthesis"]).assignee is None  # nothing slung it while the legs ran
    started = sorted((town.root / ".reviews" / "login").glob("started-*"))
    assert [p.name for p in started] == ["started-correctness", "started-security", "started-style"]

    fed = cli(town, "formula", "feed", "--json")
    assert fed.returncode == 0, fed.stderr
    slung = json.loads(fed.stdout)["slung"]
    assert len(slung) == 1 and slung[0].startswith(run["synthesis"])
    with Ledger.open(town) as ledger:
        synth = ledger.get(run["synthesis"])
        assert "## Leg outputs" in synth.description and "security: app/polecats/" in synth.description
        done = wait_until(lambda: (b := ledger.get(run["synthesis"])).status == "closed" and b, 90)
        last_leg = max(to_unix(b.closed_at) for b in legs_closed)
        hooked = [e for e in ledger.audit(done.id) if e.new_value == "hooked"]
        assert hooked and to_unix(hooked[0].created_at) >= last_leg  # the synthesis began after every leg
        report = Path(run["result"]).read_text()
        assert sorted(line.split(":")[0] for line in report.splitlines()) == ["correctness", "security", "style"]
        landed = check_completion(ledger)
    assert [c.id for c in landed] == [run["convoy"]]
    assert f"Result: {run['result']}" in landed[0].body  # the landing mail names the synthesis output
