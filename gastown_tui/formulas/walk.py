"""Walking a molecule: load its steps from the ledger, status, current step, claim, step done, find by hook.

A molecule is a root bead with step beads below it (parent-child). A step is ready when it is open, not blocked
(the ledger's stored flag: `blocks` edges from `needs`, inherited by children of a blocked epic step) and not an
epic (epics are containers: they close themselves when their last child closes).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from gastown_tui.errors import Conflict, InvalidInput, NotFound
from gastown_tui.events import default_actor, emit
from gastown_tui.formulas import interactive, rootonly

if TYPE_CHECKING:
    from gastown_tui.ledger import Bead, Ledger

DONE = ("closed", "pinned", "tombstone")
ACTIVE = ("in_progress", "hooked")
ATTACH_DEP = "relates-to"  # non-blocking edge molecule root -> the work bead it is attached to


@dataclass
class StepState:
    """One step bead as the walker sees it: ids, title, state (done/in_progress/ready/blocked) and needs."""

    bead_id: str
    step_id: str
    title: str
    state: str
    status: str
    issue_type: str = "task"
    assignee: str | None = None
    needs: list[str] = field(default_factory=list)  # step ids
    parent: str | None = None  # step id of the containing epic step
    order: int = 0
    description: str = ""
    acceptance: str = ""
    closed_at: str | None = None
    children_done: int = 0  # for epic steps: progress over their children
    children_total: int = 0
    interactive: bool = False  # done by its assignee (a person), never by a walking polecat

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form."""
        return asdict(self)


@dataclass
class Molecule:
    """A molecule root and its steps in walking order."""

    id: str
    title: str
    formula: str
    status: str
    ephemeral: bool
    steps: list[StepState]
    attached_to: str | None = None
    root_only: bool = False  # steps live in the root's metadata (`pour = false`), not as beads

    def step(self, key: str) -> StepState:
        """A step by bead id or formula step id (NotFound otherwise)."""
        for step in self.steps:
            if key in (step.bead_id, step.step_id):
                return step
        raise NotFound(f"molecule {self.id} has no step {key!r}")

    def counts(self) -> dict[str, int]:
        """Progress counts over work steps (epics excluded): total, done, in_progress, ready, blocked."""
        work = [s for s in self.steps if s.issue_type != "epic"]
        out = {"total": len(work)}
        for state in ("done", "in_progress", "ready", "blocked"):
            out[state] = sum(1 for s in work if s.state == state)
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form, with progress counts."""
        return {"id": self.id, "title": self.title, "formula": self.formula, "status": self.status,
                "ephemeral": self.ephemeral, "attached_to": self.attached_to, "root_only": self.root_only,
                "progress": self.counts(),
                "complete": self.complete, "steps": [s.to_dict() for s in self.steps]}

    @property
    def complete(self) -> bool:
        """True when every step is done."""
        return all(s.state == "done" for s in self.steps)


MoleculeStatus = Molecule  # `molecule_status` returns the molecule with its counts; one type serves both


def _state(bead: "Bead") -> str:
    if bead.status in DONE:
        return "done"
    if bead.status in ACTIVE:
        return "in_progress"
    if bead.status == "open" and not bead.is_blocked:
        return "ready"
    return "blocked"


def load_molecule(ledger: "Ledger", mol_id: str) -> Molecule:
    """Read a molecule (or any epic with children) from the ledger."""
    root = ledger.get(mol_id)
    if rootonly.is_root_only(root):
        return rootonly.load(root)
    meta = root.metadata or {}
    beads: list[tuple["Bead", str | None]] = []

    def collect(parent: "Bead", parent_step: str | None) -> None:
        for child in ledger.children(parent.id):
            if (child.metadata or {}).get("digest_of"):
                continue  # a squash digest hangs off the root but is not a step
            beads.append((child, parent_step))
            collect(child, (child.metadata or {}).get("step_id", child.id))

    collect(root, None)
    if not beads and root.issue_type not in ("molecule", "epic"):
        raise InvalidInput(f"{root.id} is a {root.issue_type}, not a molecule or an epic with children")
    ids = {b.id: (b.metadata or {}).get("step_id", b.id) for b, _ in beads}
    steps = []
    for index, (bead, parent_step) in enumerate(beads):
        bmeta = bead.metadata or {}
        needs = bmeta.get("needs")
        if needs is None:  # a hand-made epic: needs come from blocks edges between its beads
            needs = [ids[d.depends_on_id] for d in bead.dependencies
                     if d.type in ("blocks", "conditional-blocks") and d.depends_on_id in ids]
        steps.append(StepState(bead_id=bead.id, step_id=ids[bead.id], title=bead.title, state=_state(bead),
                               status=bead.status, issue_type=bead.issue_type, assignee=bead.assignee,
                               needs=list(needs), parent=parent_step, order=int(bmeta.get("order", index)),
                               description=bead.description, acceptance=bead.acceptance_criteria,
                               closed_at=bead.closed_at, interactive=bool(bmeta.get("interactive"))))
    steps.sort(key=lambda s: s.order)
    totals: dict[str, list[int]] = {}  # step id -> [children, children done]; one pass, not one per step
    for step in steps:
        if step.parent is not None:
            count = totals.setdefault(step.parent, [0, 0])
            count[0] += 1
            count[1] += step.state == "done"
    for epic in steps:
        epic.children_total, epic.children_done = totals.get(epic.step_id, (0, 0))
    return Molecule(id=root.id, title=root.title, formula=str(meta.get("formula", "")), status=root.status,
                    ephemeral=root.ephemeral, steps=steps, attached_to=meta.get("attached_to"))


def molecule_status(ledger: "Ledger", mol_id: str) -> Molecule:
    """The molecule with every step's state; `.counts()` gives progress."""
    return load_molecule(ledger, ledger.resolve(mol_id))


def ready_steps(ledger: "Ledger", mol_id: str) -> list[StepState]:
    """Work steps that can start now, in formula order."""
    return [s for s in load_molecule(ledger, mol_id).steps if s.state == "ready" and s.issue_type != "epic"]


def current_step(ledger: "Ledger", mol_id: str, actor: str | None = None) -> StepState | None:
    """The step in progress (the actor's first), else the first ready step; None when nothing is left or ready."""
    mol = load_molecule(ledger, mol_id)
    active = [s for s in mol.steps if s.state == "in_progress" and s.issue_type != "epic"]
    mine = [s for s in active if actor and s.assignee == actor]
    if mine or active:
        return (mine or active)[0]
    ready = [s for s in mol.steps if s.state == "ready" and s.issue_type != "epic" and _for(s, actor)]
    return ready[0] if ready else None


def _pick(mol: Molecule, actor: str) -> StepState | None:
    """The step a bare `claim` / `done` acts on: the actor's own step in progress, else the first ready step.

    Never someone else's claimed step, so two agents sharing a molecule cannot close each other's work.
    """
    work = [s for s in mol.steps if s.issue_type != "epic"]
    mine = [s for s in work if s.state == "in_progress" and s.assignee == actor]
    ready = [s for s in work if s.state == "ready" and _for(s, actor)]
    return (mine or ready or [None])[0]


def _for(step: StepState, actor: str | None) -> bool:
    """A walker may pick `step`: any ordinary step, an interactive one only when it is the actor's."""
    return not step.interactive or (actor is not None and step.assignee == actor)


def emit_event(ledger: "Ledger", kind: str, actor: str, **data: Any) -> None:
    """Feed event, written before the transaction commits: a crash may repeat an event, never lose one."""
    emit(ledger.paths.events, kind, actor=actor, **data)


def resolve_step(ledger: "Ledger", mol_id: str, step: str) -> str:
    """The bead id of `step` (a bead id, a formula step id, or a partial bead id) within molecule `mol_id`."""
    mol = load_molecule(ledger, mol_id)
    try:
        return mol.step(step).bead_id
    except NotFound:
        pass
    bead_id = ledger.resolve(step)
    return mol.step(bead_id).bead_id


def claim_step(ledger: "Ledger", mol_id: str, step: str | None = None, actor: str | None = None) -> StepState:
    """Claim `step` (default: the current step) for `actor`; claiming your own claimed step again is a no-op."""
    actor = actor or default_actor()
    with ledger.transaction():
        mol = load_molecule(ledger, mol_id)
        target = mol.step(step) if step else _pick(mol, actor)
        if target is None:
            raise NotFound(f"molecule {mol_id} has no ready step to claim")
        if target.state == "in_progress" and target.assignee == actor:
            return target
        if target.state == "done":
            raise Conflict(f"step {target.step_id} ({target.bead_id}) is already done")
        if target.state == "blocked":
            raise Conflict(f"step {target.step_id} ({target.bead_id}) is blocked by {', '.join(target.needs)}")
        if mol.root_only:
            rootonly.mark(ledger, mol.id, target.step_id, "in_progress", actor)
        else:
            ledger.claim(target.bead_id, actor)
        emit_event(ledger, "mol.step_claimed", actor, mol=mol.id, step=target.bead_id, step_id=target.step_id,
              title=target.title)
        return load_molecule(ledger, mol_id).step(target.bead_id)


def step_done(ledger: "Ledger", mol_id: str, step: str | None = None, actor: str | None = None,
              reason: str = "", *, force: bool = False, result: Any = None) -> list[StepState]:
    """Close `step` (default: your step in progress, else the first ready one); return the steps it made ready.

    A step claimed by someone else needs `force`. Epic steps whose children are all closed close too; when every
    step is closed the root closes (mol.completed).
    """
    actor = actor or default_actor()
    with ledger.transaction():
        mol = load_molecule(ledger, mol_id)
        target = mol.step(step) if step else _pick(mol, actor)
        if target is None:
            others = [f"{s.step_id} ({s.assignee})" for s in mol.steps if s.state == "in_progress"]
            held = f"; claimed by others: {', '.join(others)}" if others else ""
            raise NotFound(f"molecule {mol_id} has no step of yours in progress and none ready{held}")
        if target.state == "in_progress" and target.assignee and target.assignee != actor and not force:
            raise Conflict(f"step {target.step_id} ({target.bead_id}) is claimed by {target.assignee}")
        if target.state == "done":
            raise Conflict(f"step {target.step_id} ({target.bead_id}) is already done")
        if target.state == "blocked":
            raise Conflict(f"step {target.step_id} ({target.bead_id}) is blocked by {', '.join(target.needs)}")
        if target.issue_type == "epic":
            raise InvalidInput(f"step {target.step_id} is an epic: it closes when its children are done")
        before = {s.bead_id for s in mol.steps if s.state == "ready"}
        rule = _step_metadata(ledger, mol, target).get("on_complete")
        if mol.root_only:  # containers of a root-only molecule are done by derivation, nothing to close
            rootonly.mark(ledger, mol.id, target.step_id, "closed", actor, reason)
        else:
            if result is not None:
                meta = dict(ledger.get(target.bead_id).metadata or {})
                ledger.update(target.bead_id, metadata={**meta, "result": result}, actor=actor)
            ledger.close(target.bead_id, reason=reason or "done", actor=actor)
            _close_finished_epics(ledger, mol_id, actor)
        if isinstance(rule, dict):
            from gastown_tui.formulas.oncomplete import fan_out
            bonded = fan_out(ledger, mol.id if mol.root_only else target.bead_id, target.step_id, rule,
                             result if result is not None else {}, ephemeral=mol.ephemeral, actor=actor)
            emit_event(ledger, "mol.bonded", actor, mol=mol.id, step_id=target.step_id, bonded=bonded)
        after = load_molecule(ledger, mol_id)
        emit_event(ledger, "mol.step_done", actor, mol=mol.id, step=target.bead_id, step_id=target.step_id,
              title=target.title)
        if after.complete and after.status not in DONE:
            ledger.close(mol.id, reason="all steps done", actor=actor)
            emit_event(ledger, "mol.completed", actor, mol=mol.id, title=mol.title)
        newly = [s for s in after.steps if s.state == "ready" and s.bead_id not in before and s.issue_type != "epic"]
        interactive.notify_ready(ledger, after, newly, actor)
        return newly


def _step_metadata(ledger: "Ledger", mol: Molecule, step: StepState) -> dict[str, Any]:
    """The formula metadata of one step (from its bead, or from the root of a root-only molecule)."""
    if mol.root_only:
        records = (ledger.get(mol.id).metadata or {})[rootonly.KEY]["steps"]
        return next((dict(r.get("metadata") or {}) for r in records if r["id"] == step.step_id), {})
    return dict(ledger.get(step.bead_id).metadata or {})


def _close_finished_epics(ledger: "Ledger", mol_id: str, actor: str) -> None:
    """Close epic steps whose children are all done (innermost first, so nesting resolves in one call)."""
    while True:
        mol = load_molecule(ledger, mol_id)
        finished = [s for s in mol.steps if s.issue_type == "epic" and s.state != "done"
                    and s.children_total and s.children_done == s.children_total]
        if not finished:
            return
        for epic in finished:
            ledger.close(epic.bead_id, reason="all children done", actor=actor)


def find_molecule(ledger: "Ledger", actor: str | None = None) -> str | None:
    """The open molecule of the bead on `actor`'s hook (status hooked, assignee actor), else of its active step."""
    actor = actor or os.environ.get("GT_AGENT") or os.environ.get("BD_ACTOR") or default_actor()
    for bead in ledger.list(status="hooked", assignee=actor):
        if bead.issue_type == "molecule":
            return bead.id
        linked = (bead.metadata or {}).get("attached_molecule")
        if linked and ledger.exists(str(linked)):
            return str(linked)
        for dep in ledger.dependents(bead.id):
            if dep.type == ATTACH_DEP:
                candidate = ledger.get(dep.issue_id)
                if candidate.issue_type == "molecule" and candidate.status not in DONE:
                    return candidate.id
    for bead in ledger.list(status=list(ACTIVE), assignee=actor, ephemeral=None):
        mol = (bead.metadata or {}).get("molecule")
        if mol and ledger.exists(mol):
            return str(mol)
    return None


def require_molecule(ledger: "Ledger", mol: str | None, actor: str | None = None) -> str:
    """Resolve a typed molecule id, or find the actor's molecule; NotFound with a hint when there is none."""
    if mol:
        return ledger.resolve(mol)
    found = find_molecule(ledger, actor)
    if found is None:
        who = actor or os.environ.get("GT_AGENT") or os.environ.get("BD_ACTOR") or default_actor()
        raise NotFound(f"no molecule on {who}'s hook; name one (gt mol status MOL)")
    return found
