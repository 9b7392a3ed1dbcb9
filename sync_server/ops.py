"""Applying pushed ops: at most once each, one transaction each, authorized per role.

Contract: ``apply_op`` runs inside the caller's transaction and never commits. It
returns the stored answer for an op seen before. A rejected op is answered with a
reason a person can read, and is stored too, so a retry gets the same answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from emsync_desktop.sync.protocol import (
    Op,
    OpKind,
    OpResult,
)
from sync_server.audit import append_audit
from sync_server.handlers import beds, handoffs, imaging, transfers
from sync_server.models import AppliedOp
from sync_server.op_context import OpContext, Refused


def apply_op(ctx: OpContext, op: Op) -> OpResult:
    stored = ctx.session.get(AppliedOp, op.op_id)
    if stored is not None:
        return OpResult.model_validate(stored.result)
    result = _answer(ctx, op)
    ctx.session.add(AppliedOp(op_id=op.op_id, device_id=op.device_id, device_seq=op.device_seq,
                              user_id=ctx.user.id, kind=op.kind.value, result=result.model_dump(mode="json"),
                              applied_at=ctx.now))
    append_audit(ctx.session, at=ctx.now, user_id=ctx.user.id, action=f"{op.kind.value}:{result.status}",
                 record_id=op.entity_id, detail=result.reason or "")
    return result

def _answer(ctx: OpContext, op: Op) -> OpResult:
    try:
        payload = op.parsed_payload()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        reason = f"Malformed {op.kind.value}: {where}: {first['msg']}"
        return OpResult(op_id=op.op_id, status="rejected", reason=reason)
    savepoint = ctx.session.begin_nested()
    try:
        version = HANDLERS[op.kind](ctx, op, payload)
    except Refused as refusal:
        savepoint.rollback()  # nothing of a refused op is kept
        return OpResult(op_id=op.op_id, status=refusal.status, reason=str(refusal),  # type: ignore[arg-type]
                        current=refusal.current, alternatives=refusal.alternatives)
    savepoint.commit()
    return OpResult(op_id=op.op_id, status="applied", version=version)

HANDLERS: dict[OpKind, Callable[[OpContext, Op, Any], int]] = {
    OpKind.TRANSFER_REQUEST: transfers.request,
    OpKind.TRANSFER_TRANSITION: transfers.transition,
    OpKind.TRANSFER_REDIRECT: transfers.redirect,
    OpKind.BOOKING_HOLD: beds.hold,
    OpKind.BOOKING_RELEASE: beds.release,
    OpKind.BED_SET_STATUS: beds.set_status,
    OpKind.HANDOFF_ADD: handoffs.add,
    OpKind.HANDOFF_ACK: handoffs.acknowledge,
    OpKind.IMAGING_ADD: imaging.add,
}
