"""Dogs: a maintenance formula handed to a free dog agent (start queued when no engine runs)."""

from __future__ import annotations

import pytest

from gastown_tui.errors import Conflict
from gastown_tui.patrols.dogs import KENNEL, dispatch_dog, free_dog

from .conftest import Town


def test_dog_gets_job_with_formula_and_queued_start(town: Town) -> None:
    from gastown_tui.town import load_town_config

    config = load_town_config(town.paths)
    config.set("default_runtime", "scripted")  # a sling to a runtime not installed here is refused up front
    config.save()
    result = dispatch_dog(town.paths, town.ledger, "mol-convoy-feed", variables={"convoy": "hq-x"})
    assert result["dog"] == "dogs/alpha" and result["start"] == "queued"
    job = town.ledger.get(result["bead"])
    assert (job.status, job.assignee) == ("hooked", "dogs/alpha")
    mol = town.ledger.get(result["molecule"])
    assert mol.metadata["formula"] == "mol-convoy-feed" and mol.metadata["attached_to"] == job.id
    assert free_dog(town.ledger) == "dogs/bravo"


def test_all_dogs_busy(town: Town) -> None:
    for name in KENNEL:
        town.ledger.create("busy", status="hooked", assignee=f"dogs/{name}")
    with pytest.raises(Conflict):
        free_dog(town.ledger)
