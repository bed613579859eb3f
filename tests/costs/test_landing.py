"""The convoy's landing mail carries its total: tokens and estimated cost of every tracked bead's turns."""

from __future__ import annotations

from pathlib import Path

from gastown_tui.convoys import check_completion, create_convoy
from gastown_tui.costs.report import convoy_usage
from tests.costs.conftest import FORKED, RESUMED, relocate, served, write_transcript


def test_landing_mail_has_the_convoy_total(town, ledger, claude_dir: Path) -> None:
    """Two beads worked by two polecats (one of them resumed and forked): the mail's total is their sum."""
    one, two = ledger.create("one", prefix="ap").id, ledger.create("two", prefix="ap").id
    convoy = create_convoy(ledger, "Pair", [one, two], actor="overseer").id
    for bead, name, fixtures in ((one, "nux", (RESUMED, FORKED)), (two, "fury", (RESUMED,))):
        cwd = town.rig("app").polecat(name)
        for fixture in fixtures:
            lines = relocate(fixture.read_text().splitlines(), cwd, f"polecat/{name}/{bead}")
            if name == "fury":  # another session: its own message ids
                lines = [line.replace('"msg_0', '"msg_1') for line in lines]
            write_transcript(claude_dir, cwd, f"{name}-{fixture.stem}", lines)
    for bead in (one, two):
        ledger.close(bead, reason="merged", actor="ap/refinery")
    (landed,) = check_completion(ledger)
    usage = convoy_usage(town, ledger, convoy)
    truth = served()
    expected_total = sum(sum(u.values()) for u in truth.values()) + sum(
        sum(truth[m].values()) for m in ("msg_000002", "msg_000003", "msg_000005", "msg_000006"))
    assert usage.tokens.total == expected_total and usage.turns == 10
    assert f"Cost: ${usage.cost:.4f}, estimate at list price; {expected_total} tokens" in landed.body, landed.body
