"""EnginePort on a real demo town (real install, rig, git, ledger), without starting sessions or patrols."""

from __future__ import annotations

from pathlib import Path

import pytest

from gastown_tui.demo import build_demo_town
from gastown_tui.demo.town import RIG
from gastown_tui.engine import Engine
from gastown_tui.errors import GastownError
from gastown_tui.ui.engine_port import EnginePort, agent_name


@pytest.fixture
def port(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A port over an engine that is not started: reads and ledger commands only."""
    demo = build_demo_town(tmp_path / "demo")
    port = EnginePort(Engine(demo.paths), time_format=lambda ts: "12:00:00")
    port.demo = demo  # type: ignore[attr-defined]
    yield port
    if port.engine.ledger is not None:
        port.engine.ledger.shutdown()


def test_agent_name() -> None:
    assert agent_name("greeter/polecats/nux") == "nux"
    assert agent_name("mayor/") == "mayor"
    assert agent_name("greeter/witness") == "witness"


def test_snapshot_shows_the_demo_convoy_and_graph(port: EnginePort) -> None:
    demo = port.demo  # type: ignore[attr-defined]
    snap = port.snapshot()
    assert port.town_name == "demo"
    assert [c.title for c in snap.convoys] == ["Friendlier greeter"]
    tracked = {b.id: b.status for b in snap.convoys[0].beads}
    assert set(tracked) == set(demo.beads.values())
    assert tracked[demo.beads["shout"]] == "blocked" and tracked[demo.beads["crowd"]] == "ready"
    nodes, edges = port.bead_graph(demo.convoy)
    assert {n.id for n in nodes} == set(demo.beads.values())
    assert (demo.beads["farewell"], demo.beads["shout"]) in edges
    assert RIG in port.sling_targets()
    assert snap.agents == [] and port.live_sessions() == 0


def test_ledger_commands(port: EnginePort) -> None:
    bead = port.new_bead("Wave goodbye", "details", RIG)
    assert bead.startswith("gr-")
    with pytest.raises(GastownError):
        port.new_bead("x", "", "no-such-rig")
    convoy = port.new_convoy("Waves", [bead])
    assert any(c.id == convoy for c in port.snapshot().convoys)
    port.send_mail("mayor/", "status?", "How is it going?")
    from gastown_tui.mail.mailbox import inbox, send

    send(port.ledger, "overseer", "Hello Overseer", "body", sender="mayor/")
    mail = port.snapshot().mail
    assert mail[0].subject == "Hello Overseer" and mail[0].unread and mail[0].when == "12:00"
    port.mark_read(mail[0].id)
    assert not port.snapshot().mail[0].unread
    port.reply_mail(mail[0].id, "All good.")
    assert any(m.subject == "Re: Hello Overseer" for m in inbox(port.ledger, "mayor/"))


def test_recent_feed_reads_the_town_feed(port: EnginePort) -> None:
    entries = port.recent_feed()
    assert entries and all(e.when == "12:00:00" for e in entries)
    assert any(e.kind == "bead.created" for e in entries)
