"""One agent never blocks the town: a polecat hooked with the `codex` runtime on a machine where codex is not
installed. The engine starts anyway, runs its patrols, a scripted polecat's work is merged, and the codex polecat
is shown `failed` with a one-line reason (its hook kept, no respawn storm). Real engine in-process (FakeClock for
patrol time), real PTYs and git, the scripted runtime; `codex` exists on PATH only while it is slung."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time

import pytest

from gastown_tui.agents.sling import sling
from gastown_tui.clock import FakeClock
from gastown_tui.engine import Engine
from gastown_tui.events import iter_events
from gastown_tui.patrols.state import LedgerStateStore
from gastown_tui.town.config import load_town_config
from tests.agents.conftest import cli

pytestmark = pytest.mark.slow
REASON = "codex: not found on PATH; install the Codex CLI or re-sling with --runtime NAME"


def on_main(town, name: str) -> bool:
    """True once `name` is on the rig's main branch."""
    proc = subprocess.run(["git", "show", f"main:{name}"], cwd=town.rig("app").bare_repo, capture_output=True,
                          check=False)
    return proc.returncode == 0


async def test_engine_runs_the_town_while_a_codex_polecat_cannot_start(town, ledger, tmp_path, monkeypatch) -> None:
    config = load_town_config(town)
    for key, seconds in (("patrols.deacon", 60), ("patrols.witness", 60), ("patrols.refinery", 30)):
        config.set(key, seconds)
    config.save()
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "codex").write_text("#!/bin/sh\nexit 0\n")
    (fake / "codex").chmod(0o755)
    path = os.environ["PATH"]
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{path}")
    codex_bead = ledger.create("Codex job", prefix="ap", description="Needs codex.")
    codex = sling(town, ledger, codex_bead.id, "app", actor="overseer", runtime="codex", start=False).address
    monkeypatch.setenv("PATH", path)  # codex is uninstalled before the engine starts
    work = ledger.create("Scripted job", prefix="ap", description="```sh\necho merged > merged.txt\n```\n")
    scripted = sling(town, ledger, work.id, "app", actor="overseer", start=False).address

    clock = FakeClock(time.time())
    engine = Engine(town, clock, ledger=ledger)
    await engine.start()  # used to exit with FileNotFoundError: nothing else in the town could run
    try:
        assert engine.sessions.live(scripted) is not None and engine.sessions.live(codex) is None
        deadline = time.monotonic() + 180
        while not on_main(town, "merged.txt") and time.monotonic() < deadline:
            await clock.advance(30)
            while any(row.running for row in engine.scheduler.status()):
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.3)
        assert on_main(town, "merged.txt"), "the scripted polecat's work was not merged"
        await clock.advance(120)  # past the witness's spawn grace: it sees the codex polecat dead with work
        await engine.scheduler.run_now("witness:app")
        history = {h.patrol for h in LedgerStateStore(ledger).history()}
        assert {"witness:app", "refinery:app", "deacon"} <= history
        rows = {row["address"]: row for row in engine.status()}
        assert (rows[codex]["state"], rows[codex]["detail"]) == ("failed", REASON)
        # the same through the control socket, as the TUI/CLI see it
        result = await asyncio.to_thread(cli, town, "agents", "--json")
        assert result.returncode == 0, result.stderr
        shown = {row["address"]: row for row in json.loads(result.stdout)}
        assert (shown[codex]["state"], shown[codex]["detail"]) == ("failed", REASON)
        assert ledger.get(codex_bead.id).status == "hooked"  # the work stays on its hook for a re-sling
        failed = [e for e in iter_events(town.events, {"session.spawn_failed"}) if e.data["address"] == codex]
        assert failed and REASON in failed[0].data["error"]
        storms = [b.title for b in ledger.list(labels=["gt:escalation"]) if codex in b.title]
        assert not storms, storms
    finally:
        await engine.stop()
