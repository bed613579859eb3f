"""Operations that need a live engine, queued in the ledger while it is not running (wisps, `gt:pending-op`).

`gt sling` with no engine queues a `start`; `gt handoff` queues a `restart`. The engine runs them in creation
order at its next start and closes each one, so none is lost and none runs twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LABEL_PENDING_OP = "gt:pending-op"
OPS = ("start", "restart", "nudge")


@dataclass(frozen=True)
class PendingOp:
    """One queued operation."""

    id: str
    op: str
    address: str
    args: dict[str, Any]


def queue_op(ledger: Any, op: str, address: str, *, actor: str, **args: Any) -> str:
    """Queue `op` for `address`; returns the wisp id."""
    if op not in OPS:
        raise ValueError(f"unknown pending op {op!r}")
    bead = ledger.create(f"pending {op} {address}", labels=[LABEL_PENDING_OP], ephemeral=True, actor=actor,
                         metadata={"op": op, "address": address, "args": args})
    return bead.id


def pending_ops(ledger: Any) -> list[PendingOp]:
    """Open pending operations, oldest first."""
    beads = [b for b in ledger.list(labels=[LABEL_PENDING_OP], ephemeral=True) if b.status != "closed"]
    beads.sort(key=lambda b: (b.created_at, b.id))
    out = []
    for bead in beads:
        meta = bead.metadata or {}
        out.append(PendingOp(bead.id, str(meta.get("op", "")), str(meta.get("address", "")),
                             dict(meta.get("args") or {})))
    return out


def finish_op(ledger: Any, op_id: str, *, result: str = "done") -> None:
    """Close a pending operation with `result` as the reason."""
    ledger.close(op_id, reason=result, actor="engine")
