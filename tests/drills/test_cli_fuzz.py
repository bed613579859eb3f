"""CLI fuzz drill (hypothesis): every subcommand and option read from the real parser, hostile values, hostile
environment variables and stdin, and damaged copies of every file the town reads. Zero tracebacks, zero hangs over
10 s, zero error lines over 300 characters, one error line per failure; >= 2,000 generated inputs in all. Calls
run in-process (fast); a sample also runs as real `gt` subprocesses."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.agents.conftest import make_source, make_town
from tests.drills.cli_fuzz import (
    ENV_VARS,
    HOSTILE,
    STDIN,
    Outcome,
    call,
    command_tree,
    summary,
)

pytestmark = pytest.mark.slow
ARGV_EXAMPLES = int(os.environ.get("GT_FUZZ_EXAMPLES", "1700"))
FILE_EXAMPLES = 400
COMMANDS = command_tree()
READERS = [["bd", "list"], ["rig", "list"], ["rig", "show", "app"], ["formula", "list"], ["formula", "check"],
           ["prime", "--agent", "app/polecats/nux"], ["agents"], ["convoy", "list"], ["bd", "ready"],
           ["sling", "ap-zzz", "app"], ["hook", "--agent", "app/polecats/nux"], ["mail", "inbox"],
           ["patrol", "status"], ["ledger", "import"], ["formula", "show", "fuzz"]]
DAMAGE = [b"\xff\xfe bad utf-8", b"name = \"ok\"\n\xc3\x28 = 1\n", b"a = " + b"[" * 5000 + b"]" * 5000,
          b"{" * 60_000, b"x" * 1_000_000, b"", b"\x00" * 64, b'{"id": "ap-1", "title": 5}\n' * 3,
          b"[[[\n", b'prefix = "' + b"p" * 100_000 + b'"\n', b"\xef\xbb\xbf[town]\n", b"\n" * 100_000]
SETTINGS = settings(deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large, HealthCheck.large_base_example])
values = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=30))


@pytest.fixture
def fuzz_town(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A town with rig `app`, one bead and a town formula; commands run from a deep scratch directory (so relative
    paths like ../../x stay inside the test's tmp dir)."""
    town = make_town(tmp_path / "town", make_source(tmp_path / "src"))
    (town.root / "formulas").mkdir(exist_ok=True)
    (town.root / "formulas" / "fuzz.formula.toml").write_text('formula = "fuzz"\n[[steps]]\nid = "a"\n'
                                                              'title = "A"\n')
    deep = tmp_path / "s" / "c" / "r" / "a" / "t" / "c" / "h"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    monkeypatch.setenv("GT_TOWN", str(town.root))
    return town


def _with_env(env: dict[str, str]) -> dict[str, str | None]:
    """Apply `env`; returns what to restore."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    return saved


def _restore(saved: dict[str, str | None]) -> None:
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@st.composite
def command_lines(draw: st.DrawFn) -> tuple[list[str], dict[str, str], str]:
    """(argv, env overrides, stdin) for one leaf command with random options and hostile values."""
    command = draw(st.sampled_from(COMMANDS))
    argv = list(command.words)
    for flag, arity in draw(st.lists(st.sampled_from(command.options), max_size=4)) if command.options else []:
        argv += [flag] + ([draw(values)] if arity else [])
    argv += [draw(values) for _ in range(draw(st.integers(0, command.positionals + 1)))]
    if draw(st.booleans()):
        argv.insert(draw(st.integers(0, len(argv))), draw(values))  # a stray word anywhere
    env = {k: draw(values) for k in draw(st.lists(st.sampled_from(ENV_VARS), max_size=2, unique=True))}
    return argv, env, draw(st.sampled_from(STDIN))


def test_fuzz_every_command_option_env_and_stdin(fuzz_town) -> None:
    outcomes: list[Outcome] = []

    @settings(SETTINGS, max_examples=ARGV_EXAMPLES)
    @given(command_lines())
    def one(case: tuple[list[str], dict[str, str], str]) -> None:
        argv, env, stdin = case
        env = {k: v.replace("\x00", "") for k, v in env.items()}  # the OS cannot carry NUL in the environment
        saved = _with_env(env)
        try:
            outcomes.append(call(argv, stdin))
        finally:
            _restore(saved)

    one()
    print(summary(outcomes))
    assert len(outcomes) >= ARGV_EXAMPLES * 0.9
    assert not [o for o in outcomes if o.problems], summary(outcomes)


def town_files(town) -> list[Path]:
    """Every file the town reads at run time."""
    files = [town.town_toml, town.rig("app").rig_toml, town.root / "formulas" / "fuzz.formula.toml"]
    files += sorted(town.beads_dir.glob("*.jsonl"))
    return files


def test_fuzz_damaged_town_files(fuzz_town) -> None:
    files = town_files(fuzz_town)
    originals = {path: path.read_bytes() for path in files}
    outcomes: list[Outcome] = []

    @settings(SETTINGS, max_examples=FILE_EXAMPLES)
    @given(st.sampled_from(files), st.sampled_from(DAMAGE), st.sampled_from(READERS), st.integers(0, 200))
    def one(path: Path, damage: bytes, argv: list[str], at: int) -> None:
        original = originals[path]
        path.write_bytes(original[:at] + damage + original[at:])
        try:
            outcomes.append(call(list(argv)))
        finally:
            path.write_bytes(original)

    one()
    print(summary(outcomes))
    assert not [o for o in outcomes if o.problems], summary(outcomes)


@pytest.mark.parametrize("which", ["town.toml", "rig.toml"])
def test_invalid_utf8_is_reported_with_file_and_byte_offset(fuzz_town, which) -> None:
    path = fuzz_town.town_toml if which == "town.toml" else fuzz_town.rig("app").rig_toml
    data = path.read_bytes()
    path.write_bytes(data[:10] + b"\xff" + data[10:])
    outcome = call(["patrol", "status"] if which == "town.toml" else ["rig", "list"])
    assert outcome.code == 1 and not outcome.problems
    assert outcome.stderr.strip() == f"gt: error: {path}: invalid UTF-8 at byte offset 10"


def test_subprocess_sample_has_no_tracebacks(fuzz_town) -> None:
    rng = random.Random(7)
    code = "from gastown_tui.cli.main import run; import sys; sys.exit(run('gt', sys.argv[1:]))"
    for _ in range(12):
        command = rng.choice(COMMANDS)
        argv = [*command.words, *(rng.choice(HOSTILE[:30]).replace("\x00", "") for _ in range(command.positionals))]
        proc = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=10,
                              stdin=subprocess.DEVNULL, check=False)
        lines = proc.stderr.splitlines()
        assert "Traceback" not in proc.stderr and proc.returncode != 70, (argv[:3], proc.stderr[-500:])
        assert all(len(line) <= 300 for line in lines), (argv[:3], proc.stderr[:500])
    assert shutil.which("git")
