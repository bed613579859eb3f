"""`gt sling`: put work on an agent's hook and get it started — the dispatch command.

All or nothing. Flow for `sling BEAD [TARGET]`:
1. Preconditions, before anything is written: the bead exists and is open, the target exists, the runtime's
   program is on PATH (else RuntimeMissing, one line).
2. Reserve the agent: its lease (agents/lease.py) is taken in the same transaction that checks the bead could be
   hooked there (a rig → the first free polecat that is not leased; an address → that agent).
3. The worktree on `polecat/<name>/<bead>` (journalled in the lease before it is made).
4. ONE ledger transaction: hook (status hooked, assignee = address), pour the workflow molecule attached to the
   bead (default `mol-polecat-work` for polecats), ensure a convoy, record worktree/branch/molecule on the bead
   and the agent, release the lease.
5. Start the session through the engine, or queue the start in the ledger when no engine runs.
A failure before step 4 commits undoes step 3 here; a kill leaves a stale lease whose journal the engine's start
repair (agents/repair.py) undoes. After step 4 the sling is complete: the engine's recover starts a hooked agent.
Fault points (GT_FAULT=sling:<step>) let the drills kill the process at each write step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gastown_tui import events as feed
from gastown_tui.agents.hooks import AgentBusy, hook_bead, hooked_bead
from gastown_tui.agents.lease import (
    AgentLeased,
    Lease,
    note_made,
    release_lease,
    take_lease,
)
from gastown_tui.agents.pending import queue_op
from gastown_tui.agents.polecats import (
    candidates,
    ensure_workdir,
    is_free,
    prepare_worktree,
)
from gastown_tui.agents.registry import agent_meta, ensure_agent
from gastown_tui.agents.runtimes import get_runtime
from gastown_tui.costs.budget import guard_sling
from gastown_tui.errors import Conflict, GastownError, InvalidInput, NotFound
from gastown_tui.faults import fault_point
from gastown_tui.records import STATUS_HOOKED, TOWN_PREFIX, Address, parse_address
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


def _check_hookable(ledger: Any, bead_id: str, address: Address, *, force: bool) -> None:
    """The checks `hook_bead` makes, run before anything is created (so a refusal leaves nothing behind)."""
    bead = ledger.get(bead_id)
    if bead.status in ("closed", "tombstone"):
        raise Conflict(f"cannot hook {bead.id}: it is {bead.status}")
    if bead.issue_type in ("agent", "message", "merge-request", "convoy"):
        raise InvalidInput(f"cannot hook {bead.id}: it is a {bead.issue_type}, not work")
    holder = bead.assignee or ""
    if bead.status in (STATUS_HOOKED, "in_progress") and holder and holder != str(address) and not force:
        raise Conflict(f"{bead.id} is already {bead.status} by {holder} (use --force to take it)")
    current = hooked_bead(ledger, address)
    if current is not None and current.id != bead_id and not force:
        raise AgentBusy(f"{address} already has {current.id} on its hook (finish it or use --force)")


def _clear_stale(town: TownPaths, ledger: Any, address: Address) -> None:
    """Undo a killed sling's leftovers on `address` before leasing it again (its journal would be overwritten)."""
    from gastown_tui.agents.lease import current_lease
    from gastown_tui.agents.repair import undo_sling

    if ledger.exists(address.agent_id):
        lease = current_lease(ledger, address)
        if lease is not None and not lease.live():
            undo_sling(town, ledger, address, actor="sling")


def _reserve(town: TownPaths, ledger: Any, bead_id: str, rig: str | None, address: Address | None, *,
             force: bool) -> tuple[Address, Lease]:
    """Lease `address`, or the first free, unleased polecat of `rig`, after checking the bead may go there."""
    if address is not None:
        _clear_stale(town, ledger, address)
        with ledger.transaction():
            ensure_agent(ledger, address)
            _check_hookable(ledger, bead_id, address, force=force)
            return address, take_lease(ledger, address, "sling", bead=bead_id)
    assert rig is not None
    for candidate in candidates(ledger, rig):
        _clear_stale(town, ledger, candidate)
        try:
            with ledger.transaction():
                ensure_agent(ledger, candidate)
                if not is_free(ledger, candidate):
                    continue  # another sling took this polecat a moment ago
                _check_hookable(ledger, bead_id, candidate, force=force)
                return candidate, take_lease(ledger, candidate, "sling", bead=bead_id)
        except (AgentBusy, AgentLeased):
            continue
    raise Conflict(f"no free polecat in rig {rig!r}")


def _pour(ledger: Any, town: TownPaths, bead_id: str, formula: str, vars: dict[str, str], address: Address,
          actor: str) -> str:
    """Pour the workflow molecule attached to the bead (burning a stale one from an earlier sling)."""
    from gastown_tui.formulas import (
        FormulaLibrary,
        burn,
        find_molecule,
        pour,
        search_path,
    )

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


def _check_runtime(town: TownPaths, ledger: Any, address: Address | None, runtime: str | None) -> None:
    """Refuse (RuntimeMissing) a sling whose agent could not start here, before anything is created."""
    from gastown_tui.agents.spawn import effective_runtime, require_program

    meta: dict[str, Any] = {}
    if address is not None and ledger.exists(address.agent_id):
        meta = agent_meta(ledger.get(address.agent_id))
    require_program(effective_runtime(town, meta, runtime))


def sling(town: TownPaths, ledger: Any, bead: str, target: str | None = None, *, actor: str,
          formula: str | None = None, vars: dict[str, str] | None = None, runtime: str | None = None,
          force: bool = False, start: bool = True) -> SlingResult:
    """Hook `bead` onto an agent with its molecule, convoy and worktree, all or nothing, then start the agent."""
    if "/polecats/" in actor:
        raise InvalidInput("polecats cannot sling work; mail the mayor or escalate instead")
    bead_id = ledger.resolve(bead)
    work = ledger.get(bead_id)
    if work.status in ("closed", "tombstone"):
        raise Conflict(f"cannot sling {bead_id}: it is {work.status}")
    runtime = runtime or (work.metadata or {}).get("runtime")  # e.g. a convoy leg's `agent`
    if runtime:
        get_runtime(runtime, town.town_toml)  # an unknown runtime name fails before touching anything
    guard_sling(town, ledger, bead_id, runtime, force=force)  # an open budget breaker or a rate-limit backoff refuses
    rig, address = _resolve_target(town, bead_id, target)
    _check_runtime(town, ledger, address, runtime)
    address, _lease = _reserve(town, ledger, bead_id, rig, address, force=force)
    fault_point("sling:reserved")
    result = SlingResult(bead_id, str(address))
    try:
        if rig is not None:  # a reused polecat may carry another runtime on its record
            _check_runtime(town, ledger, address, runtime)
        if address.role == "polecat":
            path, result.branch = _make_worktree(town, ledger, address, bead_id)
        else:
            path = ensure_workdir(town, address)
        fault_point("sling:worktree")
        chosen = formula or (DEFAULT_FORMULA if address.role == "polecat" else None)
        with ledger.transaction():  # everything the ledger records about this sling commits at once, or not at all
            hook_bead(ledger, bead_id, address, actor=actor, force=force)
            if chosen:
                result.molecule = _pour(ledger, town, bead_id, chosen, dict(vars or {}), address, actor)
            result.convoy = _ensure_convoy(ledger, bead_id, actor)
            meta = dict(ledger.get(bead_id).metadata or {})
            # `attached_molecule`, not `molecule`: formulas reads `molecule` on step beads only
            meta.update(worker=str(address), branch=result.branch, attached_molecule=result.molecule,
                        formula=chosen or "", rig=address.rig, vars=dict(vars or {}))
            ledger.update(bead_id, metadata=meta, actor=actor)
            changes: dict[str, Any] = {"worktree": str(path)}
            if result.branch:
                changes["branch"] = result.branch
            if runtime:
                changes["runtime"] = runtime
            release_lease(ledger, address, **changes)
        fault_point("sling:committed")
    except BaseException:
        from gastown_tui.agents.repair import undo_sling

        undo_sling(town, ledger, address, actor=actor)  # worktree made for nothing, and our lease
        raise
    feed.emit(town.events, "sling", actor=actor, bead=bead_id, agent=str(address), branch=result.branch,
              molecule=result.molecule, convoy=result.convoy)
    if start:
        result.started, result.detail = start_agent(town, ledger, address, bead_id, actor=actor)
    return result


def _make_worktree(town: TownPaths, ledger: Any, address: Address, bead_id: str) -> tuple[Any, str]:
    """The polecat's worktree for `bead_id`; a branch that did not exist before is journalled as ours."""
    from gastown_tui import gitops
    from gastown_tui.agents.identity import polecat_branch

    branch = polecat_branch(address, bead_id)
    rig = town.rig(address.rig)
    path = rig.polecat(address.name)
    if not rig.bare_repo.is_dir():
        raise NotFound(f"rig {address.rig!r} has no repository at {rig.bare_repo}")
    if not (path.is_dir() and any(path.iterdir()) and gitops.current_branch(path) == branch):
        note_made(ledger, address, "worktree", str(path))
    if not gitops.branch_exists(rig, branch):
        note_made(ledger, address, "branch", branch)
    fault_point("sling:journalled")
    return prepare_worktree(town, address, bead_id)


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
