"""Shell metacharacters in user and agent text are never executed: bead titles and descriptions, formula vars,
mail, nudges, escalations, convoy names and rig names carry `$(touch M)`, backticks, `; touch M`, `| touch M`,
`&& touch M` and quote breakouts through sling -> scripted agent -> gt done -> refinery merge -> deacon -> mail.
Afterwards no marker file exists. (The scripted agent runs only the ```sh block of its bead, by design; the payloads
sit outside it.)"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from gastown_tui.records import LABEL_MERGE_REQUEST
from tests.agents.conftest import cli, wait_until


def payload(markers: Path, where: str) -> str:
    """Every injection form, each touching its own marker named after `where`."""
    m = markers
    return (f"$(touch {m}/dollar-{where}) `touch {m}/tick-{where}` ; touch {m}/semi-{where} "
            f"| touch {m}/pipe-{where} && touch {m}/and-{where} '; touch {m}/q1-{where}; ' "
            f"\"; touch {m}/q2-{where}; \" $'\\x3btouch {m}/ansi-{where}'")


def ok(proc: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    """Assert a CLI call succeeded."""
    assert proc.returncode == 0, proc.stderr[-1500:]
    return proc


def test_metacharacters_are_never_executed(town, ledger, engine_proc, tmp_path) -> None:
    markers = Path(tempfile.mkdtemp(prefix="gtm", dir="/tmp"))  # short: payloads must fit a 480-char subject
    title = "Fix " + payload(markers, "title")
    description = (payload(markers, "desc") + "\nNew line " + payload(markers, "desc2") +
                   "\n```sh\necho safe > safe.txt\n```\n")
    bead = ledger.create(title[:480], prefix="ap", description=description)

    sling = cli(town, "sling", bead.id, "app", "--json", "--var", f"test_command={payload(markers, 'var')}")
    agent = json.loads(ok(sling).stdout)["agent"]
    mr = wait_until(lambda: ledger.list(labels=[LABEL_MERGE_REQUEST]), 90)[0]
    assert mr.metadata["source_issue"] == bead.id

    ok(cli(town, "mail", "send", "overseer", "-s", payload(markers, "mail-subj"), "-m", payload(markers, "mail")))
    ok(cli(town, "mail", "send", agent, "-s", payload(markers, "mail2-subj"), "-m", payload(markers, "mail2")))
    ok(cli(town, "bd", "comment", bead.id, payload(markers, "comment")))
    ok(cli(town, "nudge", agent, payload(markers, "nudge")))  # typed into the idle scripted agent's terminal
    ok(cli(town, "escalate", "-s", "HIGH", payload(markers, "esc"), "-m", payload(markers, "esc-body"),
           agent=agent))
    convoy = cli(town, "convoy", "create", "Convoy " + payload(markers, "convoy"), bead.id)
    assert convoy.returncode == 0 or "Traceback" not in convoy.stderr
    rig = cli(town, "rig", "add", f"$(touch {markers}/rig)", str(tmp_path / "src"), prog="gastown")
    assert rig.returncode != 0 and "Traceback" not in rig.stderr

    ok(cli(town, "patrol", "run", "refinery:app"))
    wait_until(lambda: ledger.get(bead.id).status == "closed", 30)
    assert ledger.get(bead.id).close_reason == "merged"
    shown = subprocess.run(["git", "--git-dir", str(town.rig("app").bare_repo), "log", "-3", "--format=%B", "main"],
                           capture_output=True, text=True, check=True).stdout
    assert "safe" in subprocess.run(["git", "--git-dir", str(town.rig("app").bare_repo), "show", "main:safe.txt"],
                                    capture_output=True, text=True, check=True).stdout
    for name in ("witness:app", "deacon"):
        assert "Traceback" not in cli(town, "patrol", "run", name).stderr
    for args in (("mail", "inbox", "--as", "overseer", "--all"), ("mail", "inbox", "--as", agent, "--all"),
                 ("peek", agent), ("agents",), ("bd", "show", bead.id), ("prime",), ("convoy", "list", "--all")):
        proc = cli(town, *args, agent=agent if args == ("prime",) else None)
        assert "Traceback" not in proc.stderr, (args, proc.stderr[-800:])
    time.sleep(1.0)  # anything spawned in the background has had time to run
    fired = sorted(p.name for p in markers.iterdir())
    shutil.rmtree(markers)
    assert not fired, fired
    assert f"touch {markers}/semi-title" in shown  # the merged commit carries the title verbatim, as text
