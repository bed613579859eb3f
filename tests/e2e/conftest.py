"""Harness for the end-to-end tests: the pinned Claude Code binary, an isolated config per test, the stub API,
and failure diagnostics (screen captures and the stub's request log appended to the failing test's report)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

E2E_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(E2E_DIR))  # stub_api / policy are plain modules next to the tests

from stub_api import StubApi  # noqa: E402

CLAUDE_BIN = E2E_DIR / "node_modules" / ".bin" / "claude"
CLAUDE_VERSION = "2.1.197"
# Looks like a real key; the CLI remembers approval by the last 20 characters.
API_KEY = "sk-ant-api03-e2e-stub-key-0123456789abcdefghij"


@pytest.fixture(scope="session")
def claude_bin() -> Path:
    """The pinned Claude Code CLI; fail (not skip) when missing so nobody mistakes a skip for a pass."""
    if not CLAUDE_BIN.exists():
        pytest.fail(f"Claude Code CLI not installed at {CLAUDE_BIN}: run `npm ci` in {E2E_DIR} "
                    f"(it installs @anthropic-ai/claude-code@{CLAUDE_VERSION} from package-lock.json)",
                    pytrace=False)
    return CLAUDE_BIN


@dataclass
class Diagnostics:
    """Things to print when the test fails: screens (callables, read at failure time), files, the stub."""

    screens: dict[str, Callable[[], str]] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)
    stub: StubApi | None = None

    def add_screen(self, name: str, capture: Callable[[], str]) -> None:
        """Register a pane whose current screen is printed on failure."""
        self.screens[name] = capture

    def add_file(self, name: str, path: Path) -> None:
        """Register a log file whose tail is printed on failure."""
        self.files[name] = path

    def render(self) -> str:
        """Everything, as one text block."""
        parts: list[str] = []
        for name, capture in self.screens.items():
            try:
                screen = capture()
            except Exception as exc:  # a dead session must not hide the rest of the report
                screen = f"<capture failed: {exc!r}>"
            parts.append(f"--- screen: {name} ---\n{screen}")
        for name, path in self.files.items():
            text = path.read_text(errors="replace")[-6000:] if path.exists() else "<missing>"
            parts.append(f"--- file: {name} ({path}) ---\n{text}")
        if self.stub is not None:
            parts.append(f"--- stub API ---\n{self.stub.summary()}")
        return "\n".join(parts)


@pytest.fixture
def diagnostics() -> Diagnostics:
    """Per-test registry of what to print on failure (see pytest_runtest_makereport)."""
    return Diagnostics()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """On a failed e2e test, append screens and the stub request digest to the report."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and report.when in ("setup", "call"):
        diag = getattr(item, "funcargs", {}).get("diagnostics")
        if isinstance(diag, Diagnostics):
            report.sections.append(("e2e diagnostics", diag.render()))


@pytest.fixture
def stub(tmp_path: Path, diagnostics: Diagnostics) -> Iterator[StubApi]:
    """The stub Anthropic API on 127.0.0.1 (ephemeral port), logging every request to stub-requests.jsonl."""
    server = StubApi(tmp_path / "stub-requests.jsonl").start()
    diagnostics.stub = server
    try:
        yield server
    finally:
        server.stop()


def seed_claude_config(home: Path, trusted: list[Path], *, accept_dialogs: bool = True) -> None:
    """Pre-seed an isolated Claude config so interactive mode opens with no first-run dialogs.

    With `accept_dialogs=False` only onboarding is marked done (offline, the onboarding screen would wait for
    api.anthropic.com forever), leaving the trust, API-key and bypass dialogs for the engine to answer.
    """
    state: dict[str, object] = {"hasCompletedOnboarding": True, "lastReleaseNotesSeen": CLAUDE_VERSION}
    if accept_dialogs:
        state.update({
            "customApiKeyResponses": {"approved": [API_KEY[-20:]], "rejected": []},
            "projects": {str(p): {"hasTrustDialogAccepted": True} for p in trusted},
            "bypassPermissionsModeAccepted": True,
        })
    (home / ".claude.json").write_text(json.dumps(state, indent=2))
    settings_dir = home / ".claude"
    settings_dir.mkdir(parents=True, exist_ok=True)
    settings = {"skipDangerousModePermissionPrompt": True} if accept_dialogs else {}
    (settings_dir / "settings.json").write_text(json.dumps(settings))


def claude_environment(home: Path, stub: StubApi) -> dict[str, str]:
    """Variables that point the CLI at the stub, isolated in `home`, quiet on the network."""
    return {
        "HOME": str(home),
        "ANTHROPIC_BASE_URL": stub.url,
        "ANTHROPIC_API_KEY": API_KEY,
        "IS_SANDBOX": "1",  # root may use --dangerously-skip-permissions only in a declared sandbox
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",  # no auto-update, telemetry or error reporting
        "DISABLE_AUTOUPDATER": "1",
        "PATH": f"{CLAUDE_BIN.parent}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
    }


@pytest.fixture
def claude_home(isolated_env: Path) -> Path:
    """The per-test HOME (from the root conftest); the CLI keeps .claude.json and .claude/ in it."""
    return isolated_env


@pytest.fixture
def claude_env(claude_bin: Path, claude_home: Path, stub: StubApi, tmp_path: Path,
               monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Pre-seeded config trusting tmp_path (children included), exported so engines and `gt` inherit it."""
    seed_claude_config(claude_home, [tmp_path])
    env = claude_environment(claude_home, stub)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return dict(os.environ)


@pytest.fixture
def unseeded_claude_env(claude_bin: Path, claude_home: Path, stub: StubApi,
                        monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Like claude_env but the trust, API-key and bypass dialogs are left for someone to answer."""
    seed_claude_config(claude_home, [], accept_dialogs=False)
    env = claude_environment(claude_home, stub)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return dict(os.environ)


@pytest.fixture
def make_town(claude_env: dict[str, str], tmp_path: Path, diagnostics: Diagnostics) -> Iterator[Callable[..., "Town"]]:
    """Factory: a town with the `calc` rig (failing test, missing feature); engine stopped and agents ended after."""
    from town import Town, make_calc_project

    towns: list[Town] = []

    def factory(env: dict[str, str] | None = None) -> Town:
        """Install the town (with `env`, default the pre-seeded one) and register its diagnostics."""
        environment = env or claude_env
        town = Town.install(tmp_path / "town", environment)
        town.add_rig("calc", make_calc_project(tmp_path / "calc-src", environment))
        town.patrols_on_demand()
        towns.append(town)
        diagnostics.add_screen("agent screens (transcripts replayed)", town.screens)
        diagnostics.add_screen("gt/gastown commands", lambda: "\n".join(town.cli_log[-25:]))
        diagnostics.add_screen("feed", lambda: "\n".join(json.dumps(e) for e in town.events()[-40:]))
        diagnostics.add_file("engine log", town.engine_log)
        return town

    yield factory
    for town in towns:
        town.stop_engine()
        _end_agents(town)


def _end_agents(town: "Town") -> None:
    """SIGKILL processes left over from this town (agents outliving a killed engine), found by GT_TOWN=<root>."""
    import signal

    marker = f"GT_TOWN={town.root}".encode() + b"\0"
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            environ = (proc / "environ").read_bytes()
        except OSError:
            continue
        if marker in environ:
            try:
                os.kill(int(proc.name), signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
