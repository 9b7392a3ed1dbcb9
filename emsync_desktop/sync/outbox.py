"""The transactional outbox on the device.

Contract: ``enqueue`` runs inside the caller's transaction, next to the row changes
it describes, so the op and the change commit or vanish together. Ops go up in
``device_seq`` order; an op is marked done only when the server answered it.
Nothing is ever deleted: a rejected op stays with its reason.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from emsync_desktop.domain.ids import new_id
from emsync_desktop.store.models import BookingRecord, HandoffRecord, ImagingStudy, OutboxOp, TransferRecord
from emsync_desktop.sync.protocol import PAYLOADS, Op, OpKind, OpResult

SyncedRecord = TransferRecord | BookingRecord | HandoffRecord | ImagingStudy

PENDING = "pending"


def enqueue(session: Session, *, user_id: str, kind: OpKind, entity_id: str, payload: BaseModel,
            now: datetime, base_version: int | None = None) -> OutboxOp:
    """Append an op. ``payload`` must be the protocol model of ``kind`` (checked here, not on the server)."""
    if not isinstance(payload, PAYLOADS[kind]):
        raise TypeError(f"{kind.value} takes {PAYLOADS[kind].__name__}, not {type(payload).__name__}")
    row = OutboxOp(op_id=new_id(), user_id=user_id, kind=kind.value, entity_id=entity_id,
                   payload=payload.model_dump_json(), base_version=base_version, hlc=now.isoformat(),
                   created_at=now, state=PENDING, attempts=0)
    session.add(row)
    return row


def pending_ops(session: Session, device_id: str, limit: int) -> list[Op]:
    rows = session.scalars(select(OutboxOp).where(OutboxOp.state == PENDING)
                           .order_by(OutboxOp.device_seq).limit(limit)).all()
    return [_to_op(row, device_id) for row in rows]


def _to_op(row: OutboxOp, device_id: str) -> Op:
    return Op(op_id=row.op_id, device_id=device_id, device_seq=row.device_seq, kind=OpKind(row.kind),
              entity_id=row.entity_id, payload=json.loads(row.payload), base_version=row.base_version,
              hlc=row.hlc)


def pending_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(OutboxOp).where(OutboxOp.state == PENDING)) or 0)


def count_attempt(session: Session, op_ids: Sequence[str]) -> None:
    for row in session.scalars(select(OutboxOp).where(OutboxOp.op_id.in_(op_ids))):
        row.attempts += 1


def record_results(session: Session, results: Sequence[OpResult], now: datetime) -> None:
    """Store the server's answers and carry them onto the records they concern.

    Set-based (a few queries per batch, not per op); answers are carried in the order given, so a
    record ends as its last answered op left it, exactly as one op at a time would."""
    rows = {r.op_id: r for r in session.scalars(select(OutboxOp).where(
        OutboxOp.op_id.in_([result.op_id for result in results])))}
    answered: list[tuple[OutboxOp, OpResult]] = []
    for result in results:
        row = rows.get(result.op_id)
        if row is None or row.state != PENDING:
            continue  # answered before (a repeated push): nothing changes
        row.state = result.status
        row.reason = result.reason
        row.result = result.model_dump_json()
        row.answered_at = now
        answered.append((row, result))
    if not answered:
        return
    session.flush()
    entity_ids = {row.entity_id for row, _ in answered}
    still_pending = set(session.scalars(select(OutboxOp.entity_id).where(
        OutboxOp.state == PENDING, OutboxOp.entity_id.in_(entity_ids))))
    _load_records(session, answered)
    for row, result in answered:
        _carry_to_record(session, row, result, row.entity_id in still_pending)


def _load_records(session: Session, answered: Sequence[tuple[OutboxOp, OpResult]]) -> None:
    """Bring the records into the session's identity map in one query per kind of record."""
    by_model: dict[type[SyncedRecord], set[str]] = {}
    for row, _ in answered:
        model = _RECORDS.get(OpKind(row.kind))
        if model is not None:
            by_model.setdefault(model, set()).add(row.entity_id)
    for model, ids in by_model.items():
        session.scalars(select(model).where(model.id.in_(ids))).all()


def _carry_to_record(session: Session, row: OutboxOp, result: OpResult, other_pending: bool) -> None:
    record = _record_of(session, OpKind(row.kind), row.entity_id)
    if record is None:
        return
    if result.status == "applied":
        if isinstance(record, BookingRecord) and row.kind == OpKind.BOOKING_HOLD.value:
            record.state = "HELD"  # the pull that follows brings the bed and expiry
        if not other_pending:
            record.sync_state, record.sync_reason = "synced", None
        return
    record.sync_state, record.sync_reason = result.status, result.reason
    if isinstance(record, BookingRecord) and row.kind == OpKind.BOOKING_HOLD.value and result.status == "rejected":
        record.state = "REJECTED"
        record.alternatives = json.dumps([a.model_dump() for a in result.alternatives])


_RECORDS: dict[OpKind, type[SyncedRecord]] = {
    OpKind.TRANSFER_REQUEST: TransferRecord,
    OpKind.TRANSFER_TRANSITION: TransferRecord,
    OpKind.TRANSFER_REDIRECT: TransferRecord,
    OpKind.IMAGING_ADD: ImagingStudy,
    OpKind.BOOKING_HOLD: BookingRecord,
    OpKind.BOOKING_RELEASE: BookingRecord,
    OpKind.HANDOFF_ADD: HandoffRecord,
    OpKind.HANDOFF_ACK: HandoffRecord,
}


def _record_of(session: Session, kind: OpKind, entity_id: str) -> SyncedRecord | None:
    model = _RECORDS.get(kind)
    if model is None:
        return None
    record = session.get(model, entity_id)
    assert record is None or isinstance(record, SyncedRecord)
    return record


def answered_problems(session: Session, user_id: str) -> Sequence[OutboxOp]:
    """Ops of this user the server refused, newest first: shown until dealt with."""
    return session.scalars(select(OutboxOp).where(OutboxOp.user_id == user_id,
                                                  OutboxOp.state.in_(("rejected", "conflict")))
                           .order_by(OutboxOp.device_seq.desc())).all()
