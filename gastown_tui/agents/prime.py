"""`gt prime`: the context an agent needs at session start — role, hooked bead, molecule step, handoff, mail.

Also the data source for the scripted agent (`gt prime --json`). A ledger failure is reported loudly and never
turned into "nothing on your hook" (an agent that believes it has no work would run `gt done` and lose it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gastown_tui.agents.datafiles import render_template
from gastown_tui.agents.handoff import latest_handoff
from gastown_tui.agents.hooks import hooked_bead
from gastown_tui.agents.identity import agent_cwd
from gastown_tui.mail.mailbox import inbox
from gastown_tui.records import Address
from gastown_tui.town.paths import TownPaths

TYPE_CHECKING = False  # not typing's: importing typing costs ~4 ms of every `gt` call, and only checkers need it
if TYPE_CHECKING:
    from typing import Any


@dataclass
class PrimeContext:
    """Everything `gt prime` shows."""

    address: Address
    role_text: str
    bead: dict[str, Any] | None = None
    molecule: str | None = None
    step: dict[str, Any] | None = None
    handoff: str | None = None
    mail: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON form (used by the scripted agent)."""
        return {"address": str(self.address), "role": self.address.role, "rig": self.address.rig,
                "bead": self.bead, "molecule": self.molecule, "step": self.step, "handoff": self.handoff,
                "mail": self.mail, "role_text": self.role_text}

    def render(self) -> str:
        """The text an agent reads."""
        out = [f"[GAS TOWN] role:{self.address.role} agent:{self.address}", "", self.role_text.strip(), ""]
        if self.handoff:
            out += ["## Handoff from your previous session", self.handoff.strip(), ""]
        if self.bead:
            out += [f"## ATTACHED WORK: {self.bead['id']} — {self.bead['title']}", "",
                    self.bead.get("description") or "(no description)", ""]
            if self.step:
                out += [f"## Current step ({self.molecule}): {self.step['step_id']} — {self.step['title']}",
                        self.step.get("description") or "", ""]
            out.append("GUPP: this work is on your hook. Begin now; no confirmation needed.")
        else:
            out.append("Nothing is on your hook. Check `gt mail inbox`, or wait for work to be slung to you.")
        if self.mail:
            out += ["", f"## Unread mail ({len(self.mail)})"]
            out += [f"- {m['id']} from {m['from']}: {m['subject']}" for m in self.mail]
        return "\n".join(out) + "\n"


def _molecule_step(ledger: Any, address: Address) -> tuple[str | None, dict[str, Any] | None]:
    """The molecule attached to the hooked work and its current step (None, None when there is none)."""
    from gastown_tui.formulas import current_step, find_molecule

    mol = find_molecule(ledger, str(address))
    if mol is None:
        return None, None
    step = current_step(ledger, mol, str(address))
    if step is None:
        return mol, None
    return mol, {"bead_id": step.bead_id, "step_id": step.step_id, "title": step.title,
                 "description": step.description, "state": step.state}


def prime_context(town: TownPaths, ledger: Any, address: Address) -> PrimeContext:
    """Gather the prime context for `address`."""
    values = {"name": address.name, "rig": address.rig, "address": str(address), "cwd": str(agent_cwd(town, address))}
    bead = hooked_bead(ledger, address)
    ctx = PrimeContext(address, "")
    if bead is not None:
        values["branch"] = (bead.metadata or {}).get("branch", "")
        ctx.bead = {"id": bead.id, "title": bead.title, "description": bead.description or "",
                    "status": bead.status, "branch": values["branch"]}
        ctx.molecule, ctx.step = _molecule_step(ledger, address)
    role = address.role if address.role != "overseer" else "mayor"
    ctx.role_text = render_template(role, **values)
    ctx.handoff = latest_handoff(ledger, address)
    ctx.mail = [{"id": m.id, "from": m.sender, "subject": m.subject} for m in inbox(ledger, str(address))]
    return ctx
