"""UI test fixtures: a fake engine (these tests are about the UI), a deterministic app factory, no user config."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from gastown_tui.ui.app import GastownApp
from tests.ui.fake_engine import NOW, FakeEngine


def utc_hms(ts: float) -> str:
    """Fixed-zone time labels so snapshots do not depend on the machine's time zone."""
    return time.strftime("%H:%M:%S", time.gmtime(ts))


@pytest.fixture(autouse=True)
def no_user_config(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Point the keymap config at an empty temp file so a developer's config never leaks in."""
    monkeypatch.setenv("GASTOWN_TUI_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


@pytest.fixture
def engine() -> FakeEngine:
    """Fake engine: this test is about the UI."""
    return FakeEngine()


@pytest.fixture
def make_app(engine: FakeEngine) -> Callable[..., GastownApp]:
    """Build a deterministic GastownApp on the fake engine (fixed clock, UTC labels, no blink)."""

    def factory(**kwargs: object) -> GastownApp:
        options: dict[str, object] = dict(now=lambda: NOW, time_format=utc_hms, keymap={}, blink=False)
        options.update(kwargs)
        app = GastownApp(engine, **options)  # type: ignore[arg-type]
        app.animation_level = "none"  # TEXTUAL_ANIMATIONS is read at import time; this is what snapshots need
        return app

    return factory
