"""Witness patrol (per rig): survey polecats, restart the dead with their hook, nudge the idle, clean up the done.

Step handlers for `mol-witness-patrol`: survey-polecats, restart-dead, nudge-idle, cleanup-done, escalate.
Policy: restart first, never delete work. A respawn re-checks liveness just before acting (the session may have
come back since the survey), and each bead gets at most `respawn_limit` respawns before it is escalated. A live
session silent for twice the stall threshold (nudged, dialogs answered, still no output and no `gt` call) is hung
and gets the same respawn. A polecat whose runtime program is missing is left `failed` (no respawn count, no
escalation storm). A worktree is removed only when the polecat has no session, nothing hooked, no uncommitted
changes and its branch is merged — all re-checked while holding the polecat's lease (agents/lease.py), the same
lease a sling takes, so a deacon slinging new work to that polecat in the same second can never lose its worktree.
"""

from __future__ import annotations

import json
from typing import Any

from gastown_tui import gitops
from gastown_tui.costs.budget import allows_nudge
from gastown_tui.errors import GastownError
from gastown_tui.events import emit
from gastown_tui.patrols.context import PatrolContext
from gastown_tui.patrols.merge_queue import set_meta
from gastown_tui.patrols.polecats import DEAD, IDLE, STALLED, ZOMBIE, PolecatFacts, Thresholds, survey
from gastown_tui.patrols.runs import Run
from gastown_tui.patrols.usage import mark_rate_limited, resume_rate_limited

STEPS = ["survey-polecats", "restart-dead", "nudge-idle", "cleanup-done", "escalate"]
NUDGE_TEXT = ("You have {bead} on your hook and have been quiet for a while. Run `gt prime` to see your work, "
              "continue it, and run `gt done` when it is committed.")


class WitnessPatrol:
    """The witness of one rig; `handlers()` maps formula step ids to its methods."""

    def __init__(self, ctx: PatrolContext, rig: str, thresholds: Thresholds | None = None) -> None:
        self.ctx = ctx
        self.rig = rig
        self.t = thresholds or Thresholds()
        self.actor = f"{rig}/witness"

    def handlers(self) -> dict[str, Any]:
        """Formula step id -> handler."""
        return {"survey-polecats": self.survey, "survey-workers": self.survey, "restart-dead": self.restart_dead,
                "nudge-idle": self.nudge_idle, "cleanup-done": self.cleanup_done, "escalate": self.escalate}

    def _facts(self, run: Run) -> list[PolecatFacts]:
        """The survey stored in the run (so a resumed run acts on what was observed)."""
        return [PolecatFacts(**raw) for raw in run.data.get("polecats", [])]

    def survey(self, run: Run) -> str:
        """Classify every polecat; the verdicts and reasons go to the run data and the feed."""
        found = survey(self.ctx, self.rig, self.t)
        mark_rate_limited(self.ctx, found)  # a rate-limited polecat waits for its retry time: not idle, not stuck
        run.data["polecats"] = [f.to_dict() for f in found]
        counts: dict[str, int] = {}
        for f in found:
            counts[f.state] = counts.get(f.state, 0) + 1
        self._emit("witness.survey", counts=counts,
                   polecats={f.address: f"{f.state}: {f.reason}" for f in found})
        return ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "no polecats"

    async def restart_dead(self, run: Run) -> str:
        """Respawn dead polecats with their hook (TOCTOU re-check, respawn limit per bead)."""
        sessions = self.ctx.sessions
        done = []
        for f in self._facts(run):
            hung = f.hung(self.t)
            if not f.hook or (f.state != DEAD and not hung):
                continue
            if sessions is None:
                done.append(f"{f.name}: dead, engine not running")
                continue
            outcome = await self._respawn_under_lease(f, sessions, hung)
            if outcome:
                done.append(outcome)
        if done:
            run.note("; ".join(done))
        return "; ".join(done) or "nobody dead"

    async def _respawn_under_lease(self, f: PolecatFacts, sessions: Any, hung: bool) -> str:
        """Respawn one dead (or hung) polecat while holding its lease, after re-checking that it is still dead and
        still holds the same work; returns what was done ('' when nothing was)."""
        from gastown_tui.agents.lease import AgentLeased, release_lease, take_lease
        from gastown_tui.records import parse_address

        if not f.hook:
            return ""
        address = parse_address(f.address)
        try:
            take_lease(self.ctx.ledger, address, "witness-restart")
        except AgentLeased:
            return f"{f.name}: busy (another patrol or a sling is acting on it)"
        try:
            if (sessions.alive(f.address) and not hung) or not self._still_hooked(f):
                return ""  # it came back, or its work moved on, since the survey
            bead = self.ctx.ledger.get(f.hook)
            respawns = int((bead.metadata or {}).get("respawns") or 0)
            if respawns >= self.t.respawn_limit:
                self._escalate_once(f"RESPAWN_LIMIT: {f.address} ({f.hook})",
                                    f"Polecat: {f.address}\nBead: {f.hook}\nRespawns: {respawns}\n\n{f.reason}",
                                    key=f"respawn-limit:{f.hook}")
                return f"{f.name}: escalated after {respawns} respawns"
            missing = self._runtime_missing(f.address)
            if missing:
                return f"{f.name}: failed ({missing})"
            set_meta(self.ctx.ledger, f.hook, self.actor, respawns=respawns + 1)
            try:
                await sessions.restart(f.address, reason=f.reason)
            except GastownError as exc:
                self._escalate_once(f"RESTART_FAILED: {f.address}", f"{exc}\n\n{f.reason}",
                                    key=f"restart-failed:{f.address}:{f.hook}")
                return f"{f.name}: restart failed"
            self._emit("witness.restart", address=f.address, bead=f.hook, reason=f.reason, respawn=respawns + 1)
            return f"restarted {f.name}"
        finally:
            release_lease(self.ctx.ledger, address)

    async def nudge_idle(self, run: Run) -> str:
        """Nudge polecats that sit on hooked work; a stalled one first gets its start-up dialog answered."""
        sessions = self.ctx.sessions
        if sessions is None:
            return "engine not running"
        nudged = await resume_rate_limited(self.ctx, sessions, self._facts(run), self.actor)
        last = self._nudge_times()
        now = self.ctx.clock.now()
        for f in self._facts(run):
            if f.state not in (IDLE, STALLED) or not f.hook or not f.alive:
                continue
            if f.state == STALLED and await sessions.dismiss_dialogs(f.address):
                nudged.append(f"{f.name}: dialog answered")
                continue
            if now - last.get(f.address, float("-inf")) < self.t.idle:
                continue  # nudged recently: give it time to act
            if not allows_nudge(self.ctx.ledger, f.address)[0]:
                continue  # under an open budget breaker: no nudge (the breaker's escalation says why)
            await sessions.nudge(f.address, NUDGE_TEXT.format(bead=f.hook))
            last[f.address] = now
            self._emit("witness.nudge", address=f.address, bead=f.hook, reason=f.reason)
            nudged.append(f"nudged {f.name}")
        self.ctx.ledger.meta_set(self._nudge_key(), json.dumps(last))
        return "; ".join(nudged) or "nobody to nudge"

    def cleanup_done(self, run: Run) -> str:
        """Remove worktrees of finished polecats whose branch is merged; never anything with unmerged work."""
        removed = []
        paths = self.ctx.town.rig(self.rig)
        for f in self._facts(run):
            if f.alive is not False or f.hook or not f.worktree or f.dirty or not f.branch or not f.merged:
                continue
            if f.state not in (IDLE,):
                continue
            skipped = self._remove_under_lease(f, paths)
            if skipped:
                run.note(f"cleanup of {f.name} skipped: {skipped}")
                continue
            self._emit("witness.cleanup", address=f.address, branch=f.branch)
            removed.append(f.name)
        if removed:
            run.note(f"cleaned up {', '.join(removed)}")
        return f"removed {', '.join(removed)}" if removed else "nothing to clean"

    def escalate(self, run: Run) -> str:
        """Escalate what the witness must not fix itself: zombies (work without a home) and long stalls."""
        raised = []
        for f in self._facts(run):
            if f.state == ZOMBIE:
                self._escalate_once(f"ZOMBIE: {f.address}", f"Polecat: {f.address}\nWorktree: {f.worktree}\n"
                                    f"Branch: {f.branch}\n\n{f.reason}\nNothing was deleted.",
                                    key=f"zombie:{f.address}:{f.branch}")
                raised.append(f.name)
            elif f.state == STALLED and f.alive:
                raised.append(f.name)
                self._escalate_once(f"STALLED: {f.address} ({f.hook})", f"Polecat: {f.address}\n\n{f.reason}",
                                    key=f"stalled:{f.address}:{f.hook}")
        return f"escalated {', '.join(raised)}" if raised else "nothing to escalate"

    # -- helpers -----------------------------------------------------------------------------------------------

    def _remove_under_lease(self, f: PolecatFacts, paths: Any) -> str:
        """Remove the polecat's worktree and branch while holding its lease, after re-checking every precondition
        the survey judged (hook, session, git); returns why it was skipped, or '' when removed."""
        from gastown_tui.agents.lease import AgentLeased, release_lease, take_lease
        from gastown_tui.agents.polecats import is_free
        from gastown_tui.records import parse_address

        address = parse_address(f.address)
        try:
            take_lease(self.ctx.ledger, address, "witness-cleanup")
        except AgentLeased as exc:
            return exc.one_line()  # a sling is giving it work right now
        try:
            if not is_free(self.ctx.ledger, address):
                return "it has work again"
            if self.ctx.sessions is not None and self.ctx.sessions.alive(f.address):
                return "its session is back"
            if gitops.has_uncommitted(f.worktree or "") or not gitops.is_merged(
                    paths, f.branch or "", gitops.default_branch(paths)) or gitops.current_branch(
                    f.worktree or "") != f.branch:
                return "work appeared since the survey"
            gitops.remove_worktree(paths, f.worktree or "")
            gitops.delete_branch(paths, f.branch or "")
        except GastownError as exc:
            return exc.one_line()
        finally:
            release_lease(self.ctx.ledger, address)
        return ""

    def _runtime_missing(self, address: str) -> str:
        """Why a polecat already marked `failed` still cannot start (its program is still missing), or ''."""
        from gastown_tui.agents.registry import agent_meta
        from gastown_tui.agents.spawn import effective_runtime, missing_program
        from gastown_tui.records import parse_address

        try:
            meta = agent_meta(self.ctx.ledger.get(parse_address(address).agent_id))
            if meta.get("agent_state") != "failed":
                return ""  # never tried, or it started before: let the restart try (and record why it fails)
            return missing_program(effective_runtime(self.ctx.town, meta)) or ""
        except GastownError:
            return ""

    def _still_hooked(self, f: PolecatFacts) -> bool:
        """True if `f.hook` is still hooked/in progress on this polecat."""
        try:
            bead = self.ctx.ledger.get(f.hook or "")
        except GastownError:
            return False
        return bead.status in ("hooked", "in_progress") and bead.assignee == f.address

    def _nudge_key(self) -> str:
        """Meta key of the last-nudge table."""
        return f"witness.{self.rig}.nudged"

    def _nudge_times(self) -> dict[str, float]:
        """When each polecat was last nudged (engine clock)."""
        raw = self.ctx.ledger.meta_get(self._nudge_key())
        try:
            return {str(k): float(v) for k, v in json.loads(raw).items()} if raw else {}
        except (ValueError, AttributeError):
            return {}

    def _escalate_once(self, subject: str, body: str, *, key: str) -> str:
        """Escalate, deduplicated by `key` while the escalation is open."""
        return self.ctx.dispatch.escalate(subject, f"Rig: {self.rig}\n{body}", severity="high", source=self.actor,
                                          dedupe_key=key)

    def _emit(self, event: str, **data: Any) -> None:
        """Feed event from this witness."""
        try:
            emit(self.ctx.events, event, actor=self.actor, rig=self.rig, **data)
        except OSError:
            pass
