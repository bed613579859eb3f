"""The review commands a port built on `engine.api` offers the UI: MR and polecat diffs, approve / reject, doctor.

`ReviewPortMixin` needs the port's `_call` (ClientPort has it); the app falls back to a warning for ports without
these methods. Results are the API's own typed rows (`api.DiffResult`, `api.ReviewDone`, `api.DoctorRow`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gastown_tui.engine.api as api


class ReviewPortMixin:
    """Review commands over `_call` (an awaitable API call)."""

    _call: Callable[..., Any]

    async def mr_diff(self, mr_id: str) -> api.DiffResult:
        """Merge request `mr_id`'s detail and its diff against the target."""
        result: api.DiffResult = await self._call(api.MrDiff(mr_id))
        return result

    async def polecat_diff(self, rig: str, name: str) -> api.DiffResult:
        """A live polecat's work so far against the rig's default branch."""
        result: api.DiffResult = await self._call(api.PolecatDiff(rig, name))
        return result

    async def approve_mr(self, mr_id: str) -> str:
        """Approve an MR awaiting review (the refinery lands it now); returns the line to show."""
        done: api.ReviewDone = await self._call(api.ApproveMr(mr_id))
        return done.text

    async def reject_mr(self, mr_id: str, note: str) -> str:
        """Reject an MR awaiting review with a note (rework mail to its polecat); returns the line to show."""
        done: api.ReviewDone = await self._call(api.RejectMr(mr_id, note))
        return done.text

    async def doctor_problems(self) -> tuple[api.DoctorRow, ...]:
        """What `gastown doctor` finds wrong now (computed by the engine, off every UI loop)."""
        report: api.DoctorReport = await self._call(api.RunDoctor())
        return report.problems
