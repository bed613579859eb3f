"""Rig, agent, bead and formula names that try to leave the town (`../x`, `a/b`, absolute paths, very long, NUL)
are refused by the CLI with one clear line -- and nothing is created where they point."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from gastown_tui.errors import GastownError
from tests.agents.conftest import cli


def bad_names(tmp: Path) -> list[str]:
    """Names aimed at places outside the town (each checked afterwards to still not exist)."""
    return ["../escape", "a/b", str(tmp / "abs-escape"), "..", "x" * 5000, "app/polecats/../../../escape"]


# {v} is the hostile value; {bead} a real bead. Each template is a valid command apart from the value (argparse
# usage errors are treated as a broken test below, so a typo cannot make a case pass).
COMMANDS = [
    ("gastown", "rig add {v} {src}"), ("gastown", "rig show {v}"), ("gastown", "rig remove {v}"),
    ("gt", "sling {bead} {v}"), ("gt", "sling {v} app"), ("gt", "nudge {v} hello"), ("gt", "peek {v}"),
    ("gt", "mail send {v} -s subj -m body"), ("gt", "mail inbox --as {v}"), ("gt", "hook show --agent {v}"),
    ("gt", "agents explain {v}"), ("gt", "seance {v}"), ("gt", "handoff {v}"),
    ("gt", "bd show {v}"), ("gt", "bd create title --id={v}"), ("gt", "bd create title --prefix={v}"),
    ("gt", "bd update {v} --status open"), ("gt", "bd comment {v} text"), ("gt", "bd close {v}"),
    ("gt", "formula show {v}"), ("gt", "cook {v}"), ("gt", "convoy status {v}"), ("gt", "patrol run witness:{v}"),
]


@pytest.mark.parametrize(("prog", "template"), COMMANDS, ids=[t.split(" {")[0] + f"[{p}]" for p, t in COMMANDS])
def test_hostile_names_are_refused(town, ledger, tmp_path, prog: str, template: str) -> None:
    bead = ledger.create("A real bead", prefix="ap")
    values = bad_names(tmp_path)
    argvs = [[w.format(v=value, bead=bead.id, src=str(tmp_path / "src")) for w in template.split()]
             for value in values]
    with ThreadPoolExecutor(3) as pool:  # independent read-mostly commands: overlap their start-up
        procs = list(pool.map(lambda words: cli(town, *words, prog=prog), argvs))
    for words, proc in zip(argvs, procs):
        shown = f"{prog} {' '.join(w[:60] for w in words)}"
        assert proc.returncode != 0, f"{shown} was accepted: {proc.stdout[:300]}"
        assert "Traceback" not in proc.stderr, f"{shown}\n{proc.stderr[-600:]}"
        for usage in ("invalid choice", "unrecognized arguments", "the following arguments are required"):
            assert usage not in proc.stderr, f"broken test command {shown}: {proc.stderr[-300:]}"
        error_lines = [line for line in proc.stderr.splitlines() if line.strip()]
        assert len(error_lines) == 1, f"{shown}\n{proc.stderr[-1000:]}"
    for escaped in (tmp_path / "escape", tmp_path.parent / "escape", tmp_path / "abs-escape",
                    town.root / "a" / "b", town.root.parent / "escape"):
        assert not escaped.exists(), escaped


@pytest.mark.parametrize("value", ["a\x00b", "\x00", "app\x00/../x"])
def test_nul_in_names_is_refused_by_the_validators(value: str) -> None:
    # NUL cannot travel through argv (execve refuses it), so the layer below the CLI is checked directly.
    from gastown_tui.ledger.ids import validate_prefix
    from gastown_tui.names import validate_bead_id, validate_name, validate_rig_name
    from gastown_tui.records import parse_address

    for check in (lambda v: validate_name("polecat", v), validate_rig_name, validate_bead_id, parse_address,
                  validate_prefix):
        with pytest.raises(GastownError):
            check(value)
