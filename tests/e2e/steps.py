"""Steps and readers shared by the scenario tests: create and sling beads, wait for `gt done`, read the feed."""

from __future__ import annotations

import re
from typing import Any

from policy import read_conversation
from stub_api import StubApi
from town import Town

ID = re.compile(r"\b[a-z][a-z0-9]{1,7}-[a-z0-9]{3,12}\b")


def create_bead(town: Town, title: str, description: str) -> str:
    """`gt bd create` in the calc rig; returns the new id."""
    out = town.gt("bd", "create", title, "--prefix", "ca", "-d", description, "--silent").stdout.strip()
    assert ID.fullmatch(out), f"unexpected bd create output {out!r}"
    return out


def first_id(text: str) -> str:
    """The first bead id in a command's output."""
    match = ID.search(text)
    assert match, f"no bead id in {text!r}"
    return match.group(0)


def bead(town: Town, bead_id: str) -> Any:
    """The bead as stored now."""
    return town.read(lambda ledger: ledger.get(bead_id))


def has_merge_request(town: Town, bead_id: str) -> bool:
    """True once `gt done` has queued a merge request for `bead_id`."""
    from gastown_tui.convoys.landing import merge_requests, mr_meta

    def check(ledger: Any) -> bool:
        """Any merge request (open or merged) whose source issue is the bead."""
        return any(mr_meta(mr).get("source_issue") == bead_id for mr in merge_requests(ledger, include_closed=True))

    return town.read(check)


def start_mayor(town: Town) -> None:
    """Start the Mayor's session: its agent record (domain API, no CLI creates it yet), then engine `spawn`."""
    from gastown_tui.agents.registry import ensure_agent
    from gastown_tui.records import parse_address

    town.read(lambda ledger: ensure_agent(ledger, parse_address("mayor/"), actor="overseer"))
    town.request("spawn", address="mayor/", topic="cold-start")


def pid_alive(pid: int) -> bool:
    """True if the process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def exits(town: Town, agent: str) -> list[Any]:
    """Exit statuses of the agent's sessions so far (from the feed)."""
    return [e.get("exit_status") for e in town.events() if e.get("kind") == "session.exit"
            and e.get("address") == agent]


def sling(town: Town, bead_id: str, target: str = "calc") -> str:
    """`gt sling BEAD TARGET`; returns the address of the agent that got it."""
    out = town.gt("sling", bead_id, target).stdout
    match = re.search(r" to (\S+/polecats/\S+)", out)
    assert match, f"unexpected sling output {out!r}"
    return match.group(1)


def turns_from(stub: StubApi, marker: str) -> list[Any]:
    """Main-turn requests whose conversation mentions `marker` (one agent's requests in a shared stub)."""
    out = []
    for body in stub.main_turns():
        if marker in read_conversation(body).all_text():
            out.append(body)
    return out


def wait_for_done(town: Town, *bead_ids: str, timeout: float = 60) -> None:
    """Wait until each bead has a merge request (its polecat ran `gt done`)."""
    for bead_id in bead_ids:
        town.wait(lambda: has_merge_request(town, bead_id), f"gt done / a merge request for {bead_id}", timeout)
