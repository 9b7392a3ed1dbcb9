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
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from emsync_desktop.domain.ids import new_id
from emsync_desktop.store.bulk import update_rows
from emsync_desktop.store.models import (
    BookingRecord,
    HandoffRecord,
    HistoryEntry,
    ImagingStudy,
    MedicationEntry,
    OutboxOp,
    ProcedureEntry,
    TimelineStamp,
    TransferMessage,
    TransferRecord,
)
from emsync_desktop.store.models_blood import BloodParRow, BloodRequestRecord, BloodUnitRecord, DonorRow
from emsync_desktop.store.models_tasks import WardTaskRecord
from emsync_desktop.sync.protocol import PAYLOADS, Op, OpKind, OpResult

SyncedRecord = (TransferRecord | BookingRecord | HandoffRecord | ImagingStudy | TimelineStamp | MedicationEntry
                | ProcedureEntry | HistoryEntry | TransferMessage | BloodUnitRecord | BloodRequestRecord | DonorRow
                | BloodParRow | WardTaskRecord)

PENDING = "pending"
SUPERSEDED = "superseded"  # a position report replaced by a newer one before it was sent (``services.positions``)


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


def pending_ops(session: Session, device_id: str, limit: int, after_seq: int = 0,
                user_id: str | None = None) -> list[Op]:
    """Unanswered ops in order; ``user_id``: only that person's (a device pushes each person's changes under their
    own sign-in: a shared PC's next user must not send the last one's as their own)."""
    statement = _PENDING if user_id is None else _PENDING_OF_USER
    rows = session.connection().execute(statement, {"limit": limit, "after_seq": after_seq,
                                                    "user_id": user_id}).all()
    return [Op.model_construct(op_id=r.op_id, device_id=device_id, device_seq=r.device_seq, kind=OpKind(r.kind),
                               entity_id=r.entity_id, payload=json.loads(r.payload), base_version=r.base_version,
                               hlc=r.hlc) for r in rows]  # written by enqueue: already valid


def pending_count(session: Session, user_id: str | None = None) -> int:
    """Unanswered ops (``user_id``: only that person's)."""
    query = select(func.count()).select_from(OutboxOp).where(OutboxOp.state == PENDING)
    if user_id is not None:
        query = query.where(OutboxOp.user_id == user_id)
    return int(session.scalar(query) or 0)


def first_pending_seq(session: Session) -> int | None:
    """The lowest ``device_seq`` still unanswered, whoever's: every answer before it is stored on this device."""
    found = session.scalar(select(func.min(OutboxOp.device_seq)).where(OutboxOp.state == PENDING))
    return int(found) if found is not None else None


def count_attempt(session: Session, op_ids: Sequence[str]) -> None:
    if op_ids:
        session.connection().execute(_COUNT_ATTEMPT, {"op_ids": list(op_ids)})


def record_results(session: Session, results: Sequence[OpResult], now: datetime) -> None:
    """Store the server's answers and carry them onto the records they concern.

    Set-based (a few statements per batch, not per op); answers are carried in the order given, so a
    record ends as its last answered op left it, exactly as one op at a time would."""
    conn = session.connection()
    results = [r for r in results if r.status != "deferred"]  # not answered yet: stays pending, sent again later
    waiting = {r.op_id: r for r in conn.execute(_WAITING, {"op_ids": [result.op_id for result in results]})}
    answered: list[tuple[Any, OpResult]] = []
    for result in results:
        row = waiting.pop(result.op_id, None)  # popped: a repeated answer changes nothing
        if row is not None:
            answered.append((row, result))
    if not answered:
        return
    refused_requests = {row.entity_id: result.reason for row, result in answered
                        if row.kind == OpKind.TRANSFER_REQUEST.value and result.status == "rejected"}
    answered += _orphans_of(conn, refused_requests, now)
    update_rows(conn, _OUTBOX, "op_id", ({"op_id": result.op_id, "state": result.status, "reason": result.reason,
                                         "result": result.model_dump_json(), "answered_at": now}
                                        for _, result in answered))
    _forget_personal_data(conn, [row.op_id for row, _ in answered if row.kind in _PERSONAL_FIELDS],
                          {row.op_id: row.kind for row, _ in answered})
    still_pending = set(conn.execute(_STILL_PENDING, {"entity_ids": list({row.entity_id for row, _ in answered})})
                        .scalars())
    changes: dict[tuple[type[SyncedRecord], str], dict[str, Any]] = {}
    for row, result in answered:
        model = _RECORDS.get(OpKind(row.kind))
        if model is not None:
            values = changes.setdefault((model, row.entity_id), {"id": row.entity_id})
            values.update(_carried(row, result, row.entity_id in still_pending))
    for model in set(model for model, _ in changes):
        update_rows(conn, model.__table__, "id", (v for (m, _), v in changes.items() if m is model))  # type: ignore[arg-type]


def _forget_personal_data(conn: Any, op_ids: list[str], kinds: dict[str, str]) -> None:
    """An answered op's payload is kept (what was sent, for the record of the answer), but not a person's name,
    identifiers or phone: those live on in the encrypted columns of the record itself, not as plain text here."""
    if not op_ids:
        return
    rows = conn.execute(select(_OUTBOX.c.op_id, _OUTBOX.c.payload).where(_OUTBOX.c.op_id.in_(op_ids))).all()
    update_rows(conn, _OUTBOX, "op_id", (
        {"op_id": op_id, "payload": json.dumps({k: ("" if k in _PERSONAL_FIELDS[kinds[op_id]] else v)
                                                for k, v in json.loads(payload).items()})}
        for op_id, payload in rows))


def _orphans_of(conn: Any, refused: dict[str, str | None], now: datetime) -> list[tuple[Any, OpResult]]:
    """Ops still waiting that belong to a transfer whose request the server refused (its hold, handoff,
    studies): they can never apply, so they are refused here with the request's reason, not left waiting
    for a transfer that will never exist."""
    if not refused:
        return []
    orphans = []
    for row in conn.execute(_PENDING_OF_KINDS, {"kinds": [k.value for k in _FOLLOW_A_TRANSFER]}):
        transfer_id = json.loads(row.payload).get("transfer_id")
        if transfer_id in refused:
            reason = f"Not sent: its transfer request was refused ({refused[transfer_id] or 'no reason given'})."
            orphans.append((row, OpResult(op_id=row.op_id, status="rejected", reason=reason)))
    return orphans


def _carried(row: Any, result: OpResult, other_pending: bool) -> dict[str, Any]:
    """What an answer changes on the op's record."""
    hold = row.kind == OpKind.BOOKING_HOLD.value
    if result.status == "applied":
        values: dict[str, Any] = {"state": "HELD"} if hold else {}  # the pull that follows brings the bed and expiry
        if not other_pending:
            values |= {"sync_state": "synced", "sync_reason": None}
        return values
    values = {"sync_state": result.status, "sync_reason": result.reason}
    if hold and result.status == "rejected":
        values |= {"state": "REJECTED", "alternatives": json.dumps([a.model_dump() for a in result.alternatives])}
    return values


_OUTBOX: Table = OutboxOp.__table__  # type: ignore[assignment]
_PENDING = (select(_OUTBOX.c.op_id, _OUTBOX.c.device_seq, _OUTBOX.c.kind, _OUTBOX.c.entity_id, _OUTBOX.c.payload,
                   _OUTBOX.c.base_version, _OUTBOX.c.hlc)
            .where(_OUTBOX.c.state == PENDING, _OUTBOX.c.device_seq > bindparam("after_seq"))
            .order_by(_OUTBOX.c.device_seq).limit(bindparam("limit")))
_PENDING_OF_USER = _PENDING.where(_OUTBOX.c.user_id == bindparam("user_id"))
_COUNT_ATTEMPT = (update(_OUTBOX).where(_OUTBOX.c.op_id.in_(bindparam("op_ids", expanding=True)))
                  .values(attempts=_OUTBOX.c.attempts + 1))
_WAITING = select(_OUTBOX.c.op_id, _OUTBOX.c.kind, _OUTBOX.c.entity_id).where(
    _OUTBOX.c.state == PENDING, _OUTBOX.c.op_id.in_(bindparam("op_ids", expanding=True)))
_FOLLOW_A_TRANSFER = (OpKind.BOOKING_HOLD, OpKind.HANDOFF_ADD, OpKind.IMAGING_ADD, OpKind.TRANSFER_POSITION,
                      OpKind.MESSAGE_SEND, OpKind.BLOOD_REQUEST)
_PENDING_OF_KINDS = select(_OUTBOX.c.op_id, _OUTBOX.c.kind, _OUTBOX.c.entity_id, _OUTBOX.c.payload).where(
    _OUTBOX.c.state == PENDING, _OUTBOX.c.kind.in_(bindparam("kinds", expanding=True)))
_STILL_PENDING = select(_OUTBOX.c.entity_id).where(
    _OUTBOX.c.state == PENDING, _OUTBOX.c.entity_id.in_(bindparam("entity_ids", expanding=True)))

# Ops whose payload carries a person's identifiers, removed once the server has answered (``record_results``).
_PERSONAL_FIELDS: dict[str, frozenset[str]] = {
    OpKind.BLOOD_REQUEST.value: frozenset({"patient_name", "patient_second_id"}),
    OpKind.BLOOD_TRANSFUSE.value: frozenset({"patient_name", "patient_second_id"}),
    OpKind.DONOR_REGISTER.value: frozenset({"name", "phone"}),
}

_RECORDS: dict[OpKind, type[SyncedRecord]] = {
    OpKind.TRANSFER_REQUEST: TransferRecord,
    OpKind.TRANSFER_TRANSITION: TransferRecord,
    OpKind.TRANSFER_REDIRECT: TransferRecord,
    OpKind.TRANSFER_ETA: TransferRecord,
    OpKind.IMAGING_ADD: ImagingStudy,
    OpKind.BOOKING_HOLD: BookingRecord,
    OpKind.BOOKING_RELEASE: BookingRecord,
    OpKind.HANDOFF_ADD: HandoffRecord,
    OpKind.HANDOFF_ACK: HandoffRecord,
    OpKind.RECORD_TIMELINE: TimelineStamp,
    OpKind.RECORD_MEDICATION: MedicationEntry,
    OpKind.RECORD_PROCEDURE: ProcedureEntry,
    OpKind.RECORD_HISTORY: HistoryEntry,
    OpKind.MESSAGE_SEND: TransferMessage,
    OpKind.BLOOD_UNIT_ADD: BloodUnitRecord,
    OpKind.BLOOD_UNIT_MOVE: BloodUnitRecord,
    OpKind.BLOOD_TRANSFUSE: BloodUnitRecord,
    OpKind.BLOOD_UNIT_SEND: BloodUnitRecord,
    OpKind.BLOOD_PAR_SET: BloodParRow,
    OpKind.BLOOD_REQUEST: BloodRequestRecord,
    OpKind.BLOOD_ALLOCATE: BloodRequestRecord,
    OpKind.BLOOD_ISSUE: BloodRequestRecord,
    OpKind.BLOOD_CANCEL: BloodRequestRecord,
    OpKind.DONOR_REGISTER: DonorRow,
    OpKind.DONOR_DONATION: DonorRow,
    OpKind.DONOR_DEFER: DonorRow,
    OpKind.TASK_CREATE: WardTaskRecord,
    OpKind.TASK_MOVE: WardTaskRecord,
}


def answered_problems(session: Session, user_id: str) -> Sequence[OutboxOp]:
    """Ops of this user the server refused, newest first: shown until dealt with."""
    return session.scalars(select(OutboxOp).where(OutboxOp.user_id == user_id,
                                                  OutboxOp.state.in_(("rejected", "conflict")))
                           .order_by(OutboxOp.device_seq.desc())).all()
