"""Fuzzing bead fields (hypothesis): random titles, descriptions, labels and comments -- control characters,
bidi overrides, NUL, huge strings -- through the ledger API and the real CLI. Either the value is stored and
survives a JSONL export and a fresh import byte for byte, or it is refused with a GastownError (one line, exit 1)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gastown_tui.errors import GastownError
from gastown_tui.ledger import Ledger
from gastown_tui.town.paths import TownPaths
from tests.conftest import run_cli

NASTY = ["\x00", "\x1b[2J", "\x1b]0;pwned\x07", "\r", "\n", "\t", "\u202e", "\u2028", "\u2029", "\ufeff",
         "\U0001f600", "e\u0301", "\"", "\\", "<&>", "'", "$(touch MARKER)", "`id`", "{{v}}", "\x7f"]
nasty_text = st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=8)), max_size=12).map("".join)
# A title starting with NUL has its own (xfail) test below; keep it out so the fuzzing explores the rest.
titles = st.one_of(nasty_text, st.text(min_size=1, max_size=40), st.sampled_from(["x" * 500, "x" * 501, " ", ""])
                   ).filter(lambda t: not t.startswith("\x00"))
descriptions = st.one_of(nasty_text, st.just("d" * 300_000), st.text(max_size=200))
labels = st.lists(st.one_of(st.sampled_from(["area:ui", "a" * 100, "a" * 101, " pad ", "x\ny", "\x1b[31mred"]),
                            nasty_text), max_size=3)
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def ledger_town(bare_town: TownPaths):
    """A town and its open ledger."""
    with Ledger.open(bare_town) as ledger:
        yield bare_town, ledger


@FUZZ
@given(title=titles, description=descriptions, labels=labels, comment=nasty_text)
def test_api_stores_or_refuses_and_jsonl_round_trips(ledger_town, tmp_path_factory, title: str, description: str,
                                                     labels: list[str], comment: str) -> None:
    town, ledger = ledger_town
    try:
        bead = ledger.create(title, prefix="hq", description=description, labels=labels)
    except GastownError as exc:
        assert exc.one_line()
        return
    stored = ledger.get(bead.id)
    assert (stored.title, stored.description) == (title, description)
    try:
        ledger.comment(bead.id, comment, author="fuzz")
    except GastownError:
        comment = None  # refused: fine, but then it must not be there
    ledger.export_jsonl()
    # A fresh town importing only the exported JSONL sees exactly the same fields.
    other = TownPaths(tmp_path_factory.mktemp("import"))
    other.beads_dir.mkdir()
    shutil.copy(town.jsonl_for_prefix("hq"), other.jsonl_for_prefix("hq"))
    with Ledger.open(other) as fresh:
        assert all(not r.errors for r in fresh.import_reports), fresh.import_reports
        back = fresh.get(bead.id)
        assert (back.title, back.description) == (title, description)
        assert sorted(back.labels) == sorted(stored.labels)
        assert [c.text for c in back.comments] == ([comment] if comment is not None else [])


def test_title_starting_with_nul_is_refused_cleanly(ledger_town) -> None:
    _town, ledger = ledger_town
    with pytest.raises(GastownError):
        ledger.create("\x00 starts with NUL", prefix="hq")


def test_lone_surrogate_is_refused_not_crashing(ledger_town) -> None:
    _town, ledger = ledger_town
    for fields in ({"title": "bad \udcff title"}, {"title": "ok", "description": "\udcff"},
                   {"title": "ok", "labels": ["l\udcff"]}):
        with pytest.raises(GastownError):
            ledger.create(prefix="hq", **fields)


cli_text = st.lists(st.one_of(st.sampled_from([c for c in NASTY if c != "\x00"]),
                              st.text(alphabet=st.characters(blacklist_categories=("Cs",),
                                                             blacklist_characters="\x00"), max_size=8)),
                    max_size=10).map("".join)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(title=cli_text, description=cli_text, label=cli_text)
def test_cli_create_stores_or_refuses_with_one_line(bare_town: TownPaths, title: str, description: str,
                                                     label: str) -> None:
    env = {"GT_TOWN": str(bare_town.root)}
    # `--opt=value` so a value that starts with "-" is not taken for an option by argparse
    args = ["bd", "create", "--json", f"--description={description}", f"--labels={label}", "--", title]
    proc = run_cli(*args, env=env)
    assert "Traceback" not in proc.stderr, proc.stderr
    if proc.returncode != 0:
        assert proc.returncode in (1, 2) and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        return
    created = json.loads(proc.stdout)
    shown = json.loads(run_cli("bd", "show", "--json", created["id"], env=env).stdout)
    shown = shown[0] if isinstance(shown, list) else shown
    assert (shown["title"], shown.get("description", "")) == (title, description)


def test_cli_huge_description_and_nul(bare_town: TownPaths, tmp_path: Path) -> None:
    env = {"GT_TOWN": str(bare_town.root)}
    huge = "z" * 120_000
    proc = run_cli("bd", "create", "--json", "-d", huge, "huge", env=env)
    assert proc.returncode == 0, proc.stderr
    bead_id = json.loads(proc.stdout)["id"]
    assert run_cli("ledger", "export", env=env).returncode == 0
    line = next(x for x in bare_town.jsonl_for_prefix("hq").read_text().splitlines() if bead_id in x)
    assert json.loads(line)["description"] == huge
    # Comments with escape sequences are stored verbatim, never interpreted.
    proc = run_cli("bd", "comment", bead_id, "\x1b]52;c;cHduZWQ=\x07 clipboard grab", env=env)
    assert proc.returncode == 0, proc.stderr


def test_cli_argument_that_is_not_utf8_is_one_clear_line(bare_town: TownPaths) -> None:
    import os
    import subprocess
    import sys

    code = "from gastown_tui.cli.main import run; import sys; sys.exit(run('gt', sys.argv[1:]))"
    env = {**os.environ, "GT_TOWN": str(bare_town.root)}
    for args in ([b"bd", b"create", b"bad \xff title"], [b"bd", b"create", b"ok", b"-d", b"\xfe\xff"],
                 [b"bd", b"create", b"ok", b"-l", b"lab\xff"]):
        proc = subprocess.run([sys.executable.encode(), b"-c", code.encode(), *args], env=env, capture_output=True,
                              timeout=60, check=False)
        assert b"Traceback" not in proc.stderr, proc.stderr.decode(errors="replace")
        assert proc.returncode != 0 and len(proc.stderr.strip().splitlines()) == 1
