"""Deacon patrol (town): heartbeat, convoy completion, stranded convoys within capacity, wisp GC, orphans, commit.

Step handlers for `mol-deacon-patrol`. Convoys close only when all their work has *merged* (convoys.landing), and
the Overseer gets mail saying what landed and how long it took. Ready tracked beads with nobody on them are slung,
at most as many as the capacity governor allows (`[scheduler] max_polecats` minus polecats already busy); the rest
wait in a visible queue for the next run. Orphans are reported, never killed or deleted on a guess.
"""

from __future__ import annotations

import json
import os
from typing import Any

from gastown_tui import gitops
from gastown_tui.convoys import check_completion, list_convoys, tracked_ids
from gastown_tui.formulas.convoy_run import prepare_syntheses
from gastown_tui.errors import GastownError
from gastown_tui.events import emit
from gastown_tui.patrols.context import PatrolContext
from gastown_tui.patrols.runs import Run
from gastown_tui.patrols.usage import deacon_usage
from gastown_tui.records import LABEL_AGENT

STEPS = ["heartbeat", "convoy-completion", "stranded-convoys", "capacity", "wisp-gc", "orphans", "ledger-commit"]
ACTOR = "deacon/"
WISP_MAX_AGE = 7 * 24 * 3600.0


class DeaconPatrol:
    """The town's deacon; `handlers()` maps formula step ids to its methods."""

    def __init__(self, ctx: PatrolContext, *, max_polecats: int | None = None, wisp_max_age: float = WISP_MAX_AGE,
                 commit: bool = True) -> None:
        self.ctx = ctx
        self._max_polecats = max_polecats
        self.wisp_max_age = wisp_max_age
        self.commit = commit

    def handlers(self) -> dict[str, Any]:
        """Formula step id -> handler."""
        return {"heartbeat": self.heartbeat, "convoy-completion": self.convoy_completion,
                "check-convoy-completion": self.convoy_completion, "stranded-convoys": self.stranded,
                "capacity": self.capacity, "wisp-gc": self.wisp_gc, "orphans": self.orphans,
                "orphan-check": self.orphans, "ledger-commit": self.ledger_commit}

    @property
    def max_polecats(self) -> int:
        """The capacity limit: explicit, else town.toml `[scheduler] max_polecats`."""
        if self._max_polecats is not None:
            return self._max_polecats
        from gastown_tui.town.config import load_town_config  # noqa: PLC0415

        return load_town_config(self.ctx.town).max_polecats

    def heartbeat(self, run: Run) -> str:
        """Record that the deacon is alive (read by `gt patrol status` and the UI)."""
        self.ctx.ledger.meta_set("deacon.heartbeat", str(self.ctx.clock.now()))
        return f"alive; {deacon_usage(self.ctx)}"  # usage read and budgets evaluated before anything is slung

    def convoy_completion(self, run: Run) -> str:
        """Close convoys whose tracked work all merged; mail the Overseer a summary with the duration."""
        from gastown_tui.patrols.pr_poll import poll_prs  # noqa: PLC0415

        prs = poll_prs(self.ctx)  # a PR merged since the last run lands its bead (and maybe its convoy) now
        if prs:
            run.note("; ".join(prs))
        landed = check_completion(self.ctx.ledger, actor=ACTOR)
        for convoy in landed:
            self.ctx.dispatch.mail(convoy.notify, convoy.subject, convoy.body, sender=ACTOR)
            self._emit("convoy.landed", convoy=convoy.id, title=convoy.title, duration_s=round(convoy.duration_s, 1))
        if landed:
            run.note(f"landed {', '.join(c.id for c in landed)}")
        return f"landed {', '.join(c.id for c in landed)}" if landed else "no convoy landed"

    def stranded(self, run: Run) -> str:
        """Sling ready tracked beads that nobody works on, within capacity; queue the rest."""
        ledger = self.ctx.ledger
        prepare_syntheses(ledger, actor=ACTOR)  # a convoy formula's synthesis gets its legs' outputs first
        ready = {b.id: b for b in ledger.ready(unassigned=True)}
        stranded: list[str] = []
        for convoy in list_convoys(ledger):
            stranded += [b for b in tracked_ids(ledger, convoy.id) if b in ready and b not in stranded]
        room = max(0, self.max_polecats - self.ctx.dispatch.active_polecats())
        slung, failed = [], []
        for bead_id in stranded[:room]:
            rig = self._rig_of(bead_id)
            if rig is None:
                failed.append(f"{bead_id}: no rig has its prefix")
                continue
            try:
                address = self.ctx.dispatch.sling(bead_id, rig)
            except GastownError as exc:
                failed.append(f"{bead_id}: {exc.one_line()}")
                continue
            slung.append(f"{bead_id}→{address}")
            self._emit("convoy.fed", bead=bead_id, agent=address)
        queued = stranded[room:]
        run.data["queued"] = queued
        if queued:
            self._emit("scheduler.queued", beads=queued, capacity=self.max_polecats)
        parts = [f"slung {', '.join(slung)}" if slung else "", f"queued {len(queued)} (capacity)" if queued else "",
                 f"failed {'; '.join(failed)}" if failed else ""]
        summary = "; ".join(p for p in parts if p)
        if summary:
            run.note(summary)
        return summary or "nothing stranded"

    def capacity(self, run: Run) -> str:
        """Report busy polecats against the limit (over-capacity is reported, never fixed by killing)."""
        busy, limit = self.ctx.dispatch.active_polecats(), self.max_polecats
        run.data["capacity"] = {"busy": busy, "max": limit, "queued": len(run.data.get("queued") or [])}
        if busy > limit:
            self._emit("scheduler.over_capacity", busy=busy, max=limit)
        return f"{busy}/{limit} polecats busy"

    def wisp_gc(self, run: Run) -> str:
        """Delete closed or stale wisps older than the configured age."""
        removed = self.ctx.ledger.gc_wisps(self.wisp_max_age)
        return f"removed {removed} wisp(s)"

    def orphans(self, run: Run) -> str:
        """Report worktree directories git does not know and agent processes no session owns."""
        found: list[str] = []
        from gastown_tui.town.rigs import list_rigs  # noqa: PLC0415

        for rig in list_rigs(self.ctx.town):
            trees = gitops.list_worktrees(rig.paths)
            known = {os.path.realpath(w.path) for w in trees}
            found += [f"worktree {w.path} is registered but its directory is gone (git worktree prune)"
                      for w in trees if getattr(w, "prunable", False)]
            if rig.paths.polecats.is_dir():
                for child in sorted(rig.paths.polecats.iterdir()):
                    if child.is_dir() and os.path.realpath(child) not in known:
                        found.append(f"directory {child} is not a git worktree")
        sessions = self.ctx.sessions
        for bead in self.ctx.ledger.list(labels=[LABEL_AGENT], include_closed=True):
            meta = bead.metadata or {}
            pid, address = meta.get("pid"), str(meta.get("address") or "")
            if not isinstance(pid, int) or sessions is None or sessions.alive(address):
                continue
            if _pid_alive(pid):
                found.append(f"process {pid} of {address} runs without an engine session")
        run.data["orphans"] = found
        if found:
            more = f" (+{len(found) - 1} more)" if len(found) > 1 else ""
            self.ctx.dispatch.escalate(f"ORPHANS: {found[0]}{more}",
                                       "\n".join(found) + "\n\nNothing was killed or deleted.", severity="medium",
                                       source=ACTOR, dedupe_key="orphans:" + json.dumps(sorted(found)))
        return f"{len(found)} orphan(s) reported" if found else "no orphans"

    def ledger_commit(self, run: Run) -> str:
        """Export the persistent beads to JSONL and commit them to the town repository."""
        if not self.commit:
            return "commit disabled"
        # Patrol steps of other patrols write from worker threads; export refuses to run while any transaction is
        # open on the shared store, so wait for a quiet moment by holding the store's lock (re-entrant) meanwhile.
        lock = getattr(getattr(self.ctx.ledger, "store", None), "lock", None)
        if lock is None:
            sha = self.ctx.ledger.commit("ledger: deacon patrol")
        else:
            with lock:
                sha = self.ctx.ledger.commit("ledger: deacon patrol")
        return f"committed {sha[:10]}" if sha else "ledger unchanged"

    def _rig_of(self, bead_id: str) -> str | None:
        """The rig whose bead prefix `bead_id` carries."""
        from gastown_tui.town.rigs import list_rigs  # noqa: PLC0415

        for rig in sorted(list_rigs(self.ctx.town), key=lambda r: -len(r.config.prefix)):
            if bead_id.startswith(rig.config.prefix + "-"):
                return rig.name
        return None

    def _emit(self, event: str, **data: Any) -> None:
        """Feed event from the deacon."""
        try:
            emit(self.ctx.events, event, actor=ACTOR, **data)
        except OSError:
            pass


def _pid_alive(pid: int) -> bool:
    """True if a process with this pid exists (signal 0 probes without touching it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # an exited child not yet reaped still answers signal 0; it is not a running orphan
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True
