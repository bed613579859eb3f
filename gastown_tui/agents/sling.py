"""`gt sling`: put work on an agent's hook and get it started — the dispatch command.

Flow for `sling BEAD [TARGET]`: resolve the bead (refuse closed ones) → choose the agent (a rig → a free or new
polecat; an address → that agent; none → a polecat of the rig whose prefix the bead has) → hook atomically
(status hooked, assignee = address) → pour the workflow molecule attached to the bead (default
`mol-polecat-work` for polecats) → ensure a convoy tracks the bead → worktree on `polecat/<name>/<bead>` →
start the session through the engine, or queue the start in the ledger when no engine runs. A failure after
hooking puts the bead back to open, so nothing stays hooked to an agent that will never run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gastown_tui import events as feed
from gastown_tui.agents.hooks import AgentBusy, clear_hook, hook_bead
from gastown_tui.agents.pending import queue_op
from gastown_tui.agents.polecats import candidates, ensure_workdir, prepare_worktree
from gastown_tui.agents.registry import ensure_agent, update_agent
from gastown_tui.agents.runtimes import get_runtime
from gastown_tui.errors import Conflict, GastownError, InvalidInput, NotFound
from gastown_tui.records import TOWN_PREFIX, Address, parse_address
from gastown_tui.town.paths import TownPaths

DEFAULT_FORMULA = "mol-polecat-work"


@dataclass
class SlingResult:
    """What a sling did."""

    bead_id: str
    address: str
    branch: str = ""
    molecule: str = ""
    convoy: str = ""
    started: str = ""          # "started", "notified", "queued"
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"bead": self.bead_id, "agent": self.address, "branch": self.branch, "molecule": self.molecule,
                "convoy": self.convoy, "start": self.started, **self.detail}


def _rig_names(town: TownPaths) -> dict[str, str]:
    """rig name -> bead prefix, from each rig's rig.toml."""
    from gastown_tui.town import list_rigs

    return {rig.name: rig.config.prefix for rig in list_rigs(town)}


def _resolve_target(town: TownPaths, bead_id: str, target: str | None) -> tuple[str | None, Address | None]:
    """(rig for a new polecat, or None; explicit agent address, or None)."""
    rigs = _rig_names(town)
    if not target:
        for rig, prefix in rigs.items():
            if bead_id.startswith(prefix + "-"):
                return rig, None
        raise InvalidInput(f"no target given and no rig has the prefix of {bead_id}; name a rig or an agent")
    if "/" not in target and target not in ("mayor", "deacon", "overseer"):
        if target not in rigs:
            raise NotFound(f"unknown rig {target!r} (rigs: {', '.join(sorted(rigs)) or 'none'})")
        return target, None
    address = parse_address(target if target not in ("mayor", "deacon") else target + "/")
    if address.role == "overseer":
        raise InvalidInput("work cannot be slung to the overseer; sling it to an agent or a rig")
    if address.rig and address.rig not in rigs:
        raise NotFound(f"unknown rig {address.rig!r} in {target!r}")
    return None, address


def _hook_somewhere(ledger: Any, bead_id: str, rig: str | None, address: Address | None, *, actor: str,
                    force: bool) -> Address:
    """Hook the bead onto `address`, or onto the first free polecat of `rig` (skipping ones that got busy)."""
    if address is not None:
        ensure_agent(ledger, address)
        hook_bead(ledger, bead_id, address, actor=actor, force=force)
        return address
    assert rig is not None
    for candidate in candidates(ledger, rig):
        ensure_agent(ledger, candidate)
        try:
            hook_bead(ledger, bead_id, candidate, actor=actor, force=force)
        except AgentBusy:
            continue  # another sling took this polecat a moment ago
        return candidate
    raise Conflict(f"no free polecat in rig {rig!r}")


def _pour(ledger: Any, town: TownPaths, bead_id: str, formula: str, vars: dict[str, str], address: Address,
          actor: str) -> str:
    """Pour the workflow molecule attached to the bead (burning a stale one from an earlier sling)."""
    from gastown_tui.formulas import FormulaLibrary, burn, find_molecule, pour, search_path

    stale = find_molecule(ledger, str(address))
    if stale is not None and (ledger.get(stale).metadata or {}).get("attached_to") == bead_id:
        burn(ledger, stale, actor=actor)  # an unfinished molecule from an earlier sling of this same bead
    library = FormulaLibrary(search_path(town, address.rig or None))
    # Offer the sling's context only as vars the formula declares: unknown vars are an error by design.
    declared = _declared_vars(library, formula)
    context = {"issue": bead_id, "rig": address.rig}
    values = {k: v for k, v in context.items() if declared is None or k in declared}
    values.update(vars)
    mol = pour(ledger, formula, values, attach_to=bead_id, actor=actor, library=library)
    return str(mol.id)


def _declared_vars(library: Any, formula: str) -> set[str] | None:
    """Names of the vars `formula` declares (its `extends` included); None when it is not a formula file
    (e.g. a persisted proto id, which keeps its own checks)."""
    from gastown_tui.errors import GastownError
    from gastown_tui.formulas import cook

    try:
        return set(cook(library.load(formula), None, loader=library.load).var_defs)
    except GastownError:
        return None


def _ensure_convoy(ledger: Any, bead_id: str, actor: str) -> str:
    """The convoy tracking the bead (created if none)."""
    from gastown_tui.convoys import ensure_convoy

    return str(ensure_convoy(ledger, bead_id, actor=actor))


def start_agent(town: TownPaths, ledger: Any, address: Address, bead_id: str, *, actor: str) -> tuple[str, dict]:
    """Ask the engine to start (or notify) the agent; queue the start in the ledger if no engine runs."""
    from gastown_tui.control_socket import EngineNotRunning, request

    try:
        result = request(town, "sling-start", address=str(address), bead=bead_id, sender=actor)
    except EngineNotRunning:
        op_id = queue_op(ledger, "start", str(address), actor=actor, topic="assigned", sender=actor)
        return "queued", {"pending_op": op_id}
    return ("started" if result.get("started") else "notified"), dict(result)


def sling(town: TownPaths, ledger: Any, bead: str, target: str | None = None, *, actor: str,
          formula: str | None = None, vars: dict[str, str] | None = None, runtime: str | None = None,
          force: bool = False, start: bool = True) -> SlingResult:
    """Hook `bead` onto an agent, pour its molecule, ensure a convoy, prepare the worktree and start the agent."""
    if "/polecats/" in actor:
        raise InvalidInput("polecats cannot sling work; mail the mayor or escalate instead")
    bead_id = ledger.resolve(bead)
    work = ledger.get(bead_id)
    if work.status in ("closed", "tombstone"):
        raise Conflict(f"cannot sling {bead_id}: it is {work.status}")
    if runtime:
        get_runtime(runtime, town.town_toml)  # fail before touching anything
    rig, address = _resolve_target(town, bead_id, target)
    address = _hook_somewhere(ledger, bead_id, rig, address, actor=actor, force=force)
    result = SlingResult(bead_id, str(address))
    try:
        if runtime:
            update_agent(ledger, address, runtime=runtime)
        if address.role == "polecat":
            path, result.branch = prepare_worktree(town, address, bead_id)
            update_agent(ledger, address, worktree=str(path), branch=result.branch)
        else:
            path = ensure_workdir(town, address)
            update_agent(ledger, address, worktree=str(path))
        chosen = formula or (DEFAULT_FORMULA if address.role == "polecat" else None)
        if chosen:
            result.molecule = _pour(ledger, town, bead_id, chosen, dict(vars or {}), address, actor)
        result.convoy = _ensure_convoy(ledger, bead_id, actor)
        with ledger.transaction():
            meta = dict(ledger.get(bead_id).metadata or {})
            # `attached_molecule`, not `molecule`: formulas reads `molecule` on step beads only
            meta.update(worker=str(address), branch=result.branch, attached_molecule=result.molecule,
                        formula=chosen or "", rig=address.rig, vars=dict(vars or {}))
            ledger.update(bead_id, metadata=meta, actor=actor)
    except GastownError:
        clear_hook(ledger, address, actor=actor)
        raise
    feed.emit(town.events, "sling", actor=actor, bead=bead_id, agent=str(address), branch=result.branch,
              molecule=result.molecule, convoy=result.convoy)
    if start:
        result.started, result.detail = start_agent(town, ledger, address, bead_id, actor=actor)
    return result


def sling_formula(town: TownPaths, ledger: Any, formula: str, target: str | None = None, *, actor: str,
                  vars: dict[str, str] | None = None, runtime: str | None = None, force: bool = False
                  ) -> SlingResult:
    """`gt sling FORMULA TARGET`: create a work bead for the formula, then sling it with that formula poured."""
    if not target:
        raise InvalidInput(f"slinging formula {formula!r} needs a TARGET (rig or agent)")
    rig, address = _resolve_target(town, "", target)
    prefix = TOWN_PREFIX
    if rig or (address and address.rig):
        from gastown_tui.town import load_rig_config

        prefix = load_rig_config(town.rig(rig or address.rig)).prefix  # type: ignore[union-attr]
    pairs = ", ".join(f"{k}={v}" for k, v in (vars or {}).items())
    bead = ledger.create(f"{formula}" + (f" ({pairs})" if pairs else ""), prefix=prefix, actor=actor,
                         description=f"Run formula {formula}.", metadata={"formula": formula})
    return sling(town, ledger, bead.id, target, actor=actor, formula=formula, vars=vars, runtime=runtime,
                 force=force)


def parse_vars(pairs: list[str] | None) -> dict[str, str]:
    """Parse repeated `--var k=v` arguments."""
    out = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(f"--var needs key=value, got {pair!r}")
        out[key.strip()] = value
    return out


def is_formula_name(town: TownPaths, ledger: Any, word: str) -> bool:
    """True if `word` is not a bead but names a formula (so `gt sling WORD` slings the formula)."""
    try:
        ledger.resolve(word)
        return False
    except GastownError:
        pass
    try:
        from gastown_tui.formulas import FormulaLibrary, search_path

        FormulaLibrary(search_path(town)).load(word)
        return True
    except Exception:  # noqa: BLE001 - not a formula either: sling then reports the unknown bead
        return False
