"""Applying pushed ops: at most once each, each all or nothing, authorized per role.

Contract: ``apply_ops`` runs inside the caller's transaction and never commits. It
returns the stored answer for an op seen before. A rejected op is answered with a
reason a person can read, and is stored too, so a retry gets the same answer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Table

from emsync_desktop.sync.protocol import (
    Op,
    OpKind,
    OpResult,
)
from sync_server.answers import device_marks, forgotten_repeat
from sync_server.blood_shelf import BLOOD_REQUESTS, BLOOD_UNITS
from sync_server.handlers import (
    beds,
    blood_par,
    blood_requests,
    blood_units,
    donors,
    formulary,
    handoffs,
    imaging,
    messages,
    positions,
    records,
    transfers,
    ward_tasks,
)
from sync_server.models import AppliedOp
from sync_server.op_context import OpContext, Refused
from sync_server.rows import BOOKINGS, FORMULARIES, HANDOFFS, MESSAGES, RECORDS, STUDIES, TRANSFERS, rows_with_ids

_APPLIED: Table = AppliedOp.__table__  # type: ignore[assignment]


def prepare(ctx: OpContext, ops: Sequence[Op]) -> None:
    """Read, for a whole batch at once, the stored answers of ``ops``, which of the records they would
    create exist already, and free beds for their holds (a few queries, not several per op). Ops
    prepared before are skipped, so ``apply_ops`` may call this again for a push the batch prepared."""
    fresh = [op for op in ops if op.op_id not in ctx.prepared]
    if not fresh:
        return
    ctx.prepared.update(op.op_id for op in fresh)
    stored = rows_with_ids(ctx.conn, _APPLIED, [op.op_id for op in fresh], column="op_id")
    ctx.answered.update({row["op_id"]: OpResult.model_validate(row["result"]) for row in stored})
    ctx.answered_for.update({row["op_id"]: row["user_id"] for row in stored})
    ctx.marks.update(device_marks(ctx.conn, {op.device_id for op in fresh if op.op_id not in ctx.answered}))
    for kind, table in _CREATES.items():
        ctx.prefetch(table, [op.entity_id for op in fresh if op.kind is kind and op.op_id not in ctx.answered])
    encounters = _texts(op.payload.get("encounter_id") for op in fresh
                        if op.kind is OpKind.TRANSFER_REQUEST and op.op_id not in ctx.answered)
    ctx.preload_encounters(encounters)
    ctx.preload_transfers(_texts(op.payload.get("transfer_id") for op in fresh if op.kind in _REFER_TO_TRANSFER))
    ctx.preload_holds(_texts(op.payload.get("transfer_id") for op in fresh if op.kind is OpKind.BOOKING_HOLD))
    holds = Counter((h, u) for op in fresh if op.kind is OpKind.BOOKING_HOLD and op.op_id not in ctx.answered
                    for h, u in [(op.payload.get("hospital_id"), op.payload.get("unit"))]
                    if isinstance(h, str) and isinstance(u, str))
    ctx.lock_free_beds(dict(holds))


def _texts(values: Iterable[object]) -> list[str]:
    """The distinct strings among ``values``, in order. Payloads are not validated yet here: a list or an
    object where an id belongs (unhashable) is skipped, and the op is refused as malformed when answered."""
    return list(dict.fromkeys(v for v in values if isinstance(v, str)))


def apply_ops(ctx: OpContext, ops: Sequence[Op]) -> list[OpResult]:
    """Answer each op in order, as ``ctx.user``. An op answered before (in an earlier push or earlier in
    this batch) gets its stored answer and changes nothing. The caller writes ``ctx.journal`` before
    committing."""
    prepare(ctx, ops)
    results = []
    for op in ops:
        result = ctx.answered.get(op.op_id)
        if result is not None and ctx.answered_for.get(op.op_id) != ctx.user.id:
            result = _foreign(op)  # stored answers are their account's own: another account learns nothing
        elif result is None:
            result = forgotten_repeat(op, ctx.marks.get(op.device_id, []))
        if result is None:
            result = _answer(ctx, op)
            if result.status != "deferred":  # a deferred op is not answered yet: it comes again
                ctx.answered[op.op_id], ctx.answered_for[op.op_id] = result, ctx.user.id
                _journal_answer(ctx, op, result)
        results.append(result)
    return results


def _foreign(op: Op) -> OpResult:
    return OpResult(op_id=op.op_id, status="rejected",
                    reason="This change's id is already used by another account: each change needs its own id.")


def refuse_unappliable(ctx: OpContext, op: Op) -> OpResult:
    """Answer, and store, a refusal for an op that failed to apply even alone (a database error on its
    data, a handler fault), so the device moves on to the ops behind it. Caller commits."""
    prepare(ctx, [op])
    if op.op_id in ctx.answered:
        return ctx.answered[op.op_id] if ctx.answered_for.get(op.op_id) == ctx.user.id else _foreign(op)
    result = OpResult(op_id=op.op_id, status="rejected",
                      reason="The server could not apply this change and set it aside so the rest could go on; "
                             f"tell your administrator (change {op.op_id}).")
    _journal_answer(ctx, op, result)
    ctx.finish()
    return result

# Ops whose handler first checks that its new record does not exist.
_CREATES = {OpKind.TRANSFER_REQUEST: TRANSFERS, OpKind.BOOKING_HOLD: BOOKINGS, OpKind.HANDOFF_ADD: HANDOFFS,
            OpKind.IMAGING_ADD: STUDIES, OpKind.RECORD_TIMELINE: RECORDS, OpKind.RECORD_MEDICATION: RECORDS,
            OpKind.RECORD_PROCEDURE: RECORDS, OpKind.RECORD_HISTORY: RECORDS, OpKind.FORMULARY_PUBLISH: FORMULARIES,
            OpKind.MESSAGE_SEND: MESSAGES, OpKind.BLOOD_UNIT_ADD: BLOOD_UNITS, OpKind.BLOOD_REQUEST: BLOOD_REQUESTS,
            OpKind.DONOR_REGISTER: donors.DONORS, OpKind.TASK_CREATE: ward_tasks.WARD_TASKS}
_REFER_TO_TRANSFER = {OpKind.BOOKING_HOLD, OpKind.HANDOFF_ADD, OpKind.IMAGING_ADD,
                      OpKind.TRANSFER_POSITION, OpKind.MESSAGE_SEND}  # payload "transfer_id"


def _journal_answer(ctx: OpContext, op: Op, result: OpResult) -> None:
    ctx.journal.answers.append({"op_id": op.op_id, "device_id": op.device_id, "device_seq": op.device_seq,
                                "user_id": ctx.user.id, "kind": op.kind.value,
                                "result": result.model_dump(mode="json"), "applied_at": ctx.now})
    if op.kind is OpKind.TRANSFER_POSITION and result.status == "applied":
        return  # telemetry every 15 s: its track row says who reported it and when (docs/decisions.md)
    ctx.journal.audit.append({"at": ctx.now, "user_id": ctx.user.id, "action": f"{op.kind.value}:{result.status}",
                              "record_id": op.entity_id, "detail": result.reason or ""})

def _answer(ctx: OpContext, op: Op) -> OpResult:
    poisoned = op.nul_reason()
    if poisoned is not None:
        return OpResult(op_id=op.op_id, status="rejected", reason=poisoned)
    try:
        payload = op.parsed_payload()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        reason = f"Malformed {op.kind.value}: {where}: {first['msg']}"
        return OpResult(op_id=op.op_id, status="rejected", reason=reason)
    guarded = op.kind in _MAY_REFUSE_AFTER_WRITING
    if guarded:  # plain SQL: begin_nested() compiles its clause on every call (~0.1 ms an op)
        ctx.conn.exec_driver_sql("SAVEPOINT emsync_op")
    mark = ctx.journal.mark()
    ctx.wrote = False
    try:
        version = HANDLERS[op.kind](ctx, op, payload)
    except Refused as refusal:
        if guarded:
            ctx.conn.exec_driver_sql("ROLLBACK TO SAVEPOINT emsync_op")  # nothing of a refused op is kept
            ctx.conn.exec_driver_sql("RELEASE SAVEPOINT emsync_op")
            ctx.rolled_back()
        elif ctx.wrote:  # a broken contract: abort the whole batch rather than keep half an op
            raise RuntimeError(f"{op.kind.value} refused after writing: add it to _MAY_REFUSE_AFTER_WRITING") \
                from refusal
        ctx.journal.rollback_to(mark)
        return OpResult(op_id=op.op_id, status=refusal.status, reason=str(refusal),  # type: ignore[arg-type]
                        current=refusal.current, alternatives=refusal.alternatives)
    if guarded:
        ctx.conn.exec_driver_sql("RELEASE SAVEPOINT emsync_op")
    return OpResult(op_id=op.op_id, status="applied", version=version)

# Kinds whose handler may refuse after it has written (a transition moves its booking along; a
# redirect releases the old hold first): they run inside a savepoint, so a refusal undoes them. Every
# other handler checks everything first and writes last, so a refusal has nothing to undo, and it
# costs no savepoint; ``_answer`` checks that contract on every refusal.
_MAY_REFUSE_AFTER_WRITING = {OpKind.TRANSFER_TRANSITION, OpKind.TRANSFER_REDIRECT}

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
    OpKind.TRANSFER_ETA: transfers.update_eta,
    OpKind.RECORD_TIMELINE: records.add,
    OpKind.RECORD_MEDICATION: records.add,
    OpKind.RECORD_PROCEDURE: records.add,
    OpKind.RECORD_HISTORY: records.add,
    OpKind.FORMULARY_PUBLISH: formulary.publish,
    OpKind.TRANSFER_POSITION: positions.report,
    OpKind.MESSAGE_SEND: messages.send,
    OpKind.MESSAGE_READ: messages.read,
    OpKind.BLOOD_UNIT_ADD: blood_units.add,
    OpKind.BLOOD_UNIT_MOVE: blood_units.move,
    OpKind.BLOOD_TRANSFUSE: blood_units.transfuse,
    OpKind.BLOOD_UNIT_SEND: blood_units.send,
    OpKind.BLOOD_PAR_SET: blood_par.set_levels,
    OpKind.BLOOD_REQUEST: blood_requests.request,
    OpKind.BLOOD_ALLOCATE: blood_requests.allocate,
    OpKind.BLOOD_ISSUE: blood_requests.issue,
    OpKind.BLOOD_CANCEL: blood_requests.cancel,
    OpKind.DONOR_REGISTER: donors.register,
    OpKind.DONOR_DONATION: donors.donation,
    OpKind.DONOR_DEFER: donors.defer,
    OpKind.TASK_CREATE: ward_tasks.create,
    OpKind.TASK_MOVE: ward_tasks.move,
}
