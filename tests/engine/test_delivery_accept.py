"""Delivery verification for hook runtimes (stand-in session objects: this test is about the acceptance rule)."""

from __future__ import annotations

from types import SimpleNamespace

from gastown_tui.engine.delivery import _accepted


def _session(event: str | None, ts: float) -> SimpleNamespace:
    verdict = SimpleNamespace(state="idle", source="hook")
    return SimpleNamespace(
        hook=None if event is None else SimpleNamespace(event=event, ts=ts),
        compute=lambda now: verdict,
        plan=SimpleNamespace(runtime=SimpleNamespace(has_turn_hooks=True)),
        pty=SimpleNamespace(last_output_at=None),
        display=lambda: [],
    )


def test_a_turn_seen_only_by_its_stop_hook_counts_as_delivered() -> None:
    assert _accepted(_session("user-prompt-submit", 10.0), "hi", hook_before=5.0, output_before=None)
    assert _accepted(_session("stop", 10.0), "hi", hook_before=5.0, output_before=None)


def test_old_hooks_and_echo_alone_do_not_count() -> None:
    assert not _accepted(_session("stop", 4.0), "hi", hook_before=5.0, output_before=None)
    assert not _accepted(_session("notification", 10.0), "hi", hook_before=5.0, output_before=None)
    assert not _accepted(_session(None, 0.0), "hi", hook_before=0.0, output_before=None)
