"""Applying pushed ops: at most once each, one transaction each, authorized per role.

Contract: ``apply_op`` runs inside the caller's transaction and never commits. It
returns the stored answer for an op seen before. A rejected op is answered with a
reason a person can read, and is stored too, so a retry gets the same answer.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from emsync_desktop.domain.beds import BedChangeRefused, BedStatus, check_manual_change
from emsync_desktop.domain.ids import new_id
from emsync_desktop.domain.lifecycle import (
    BookingState,
    IllegalTransition,
    TransferState,
    next_booking_state,
    next_transfer_state,
    redirected_transfer_state,
)
from emsync_desktop.domain.roles import Role
from emsync_desktop.sync.protocol import (
    Alternative,
    BedSetStatusPayload,
    BookingHoldPayload,
    BookingReleasePayload,
    HandoffAckPayload,
    HandoffAddPayload,
    ImagingAddPayload,
    Op,
    OpKind,
    OpResult,
    TransferRedirectPayload,
    TransferRequestPayload,
    TransferTransitionPayload,
)
from sync_server.audit import append_audit
from sync_server.db import is_sqlite
from sync_server.feed import record_change
from sync_server.models import AppliedOp, Bed, Booking, Handoff, Hospital, ImagingStudy, Transfer, User


@dataclass(frozen=True)
class OpContext:
    session: Session
    user: User
    now: datetime
    hold_minutes: float

    @property
    def role(self) -> Role:
        return Role(self.user.role)


class Refused(Exception):
    """Raised by a handler to answer ``rejected`` (or ``conflict``) with a reason."""

    def __init__(self, reason: str, *, status: str = "rejected", current: dict[str, Any] | None = None,
                 alternatives: list[Alternative] | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.current = current
        self.alternatives = alternatives or []


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


def _require(ctx: OpContext, allowed: set[Role], what: str) -> None:
    if ctx.role not in allowed:
        raise Refused(f"A {ctx.role.value} may not {what}.")


def transfer_data(t: Transfer) -> dict[str, Any]:
    return {"id": t.id, "encounter_id": t.encounter_id, "requested_by": t.requested_by,
            "destination_hospital_id": t.destination_hospital_id, "unit": t.unit, "state": t.state,
            "version": t.version, "eta_s": t.eta_s, "severity": t.severity, "summary": t.summary,
            "history": t.history, "updated_at": t.updated_at.isoformat()}


def booking_data(b: Booking) -> dict[str, Any]:
    return {"id": b.id, "transfer_id": b.transfer_id, "hospital_id": b.hospital_id, "unit": b.unit,
            "bed_id": b.bed_id, "state": b.state, "version": b.version,
            "hold_expires_at": b.hold_expires_at.isoformat() if b.hold_expires_at else None}


def bed_data(b: Bed) -> dict[str, Any]:
    return {"id": b.id, "hospital_id": b.hospital_id, "unit": b.unit, "label": b.label, "status": b.status,
            "version": b.version}


def _publish_transfer(ctx: OpContext, t: Transfer) -> None:
    record_change(ctx.session, entity="transfer", entity_id=t.id, version=t.version, data=transfer_data(t),
                  hospital_id=t.destination_hospital_id, owner_user_id=t.requested_by, now=ctx.now)


def _publish_transfer_moved(ctx: OpContext, t: Transfer, previous_hospital_id: str) -> None:
    """A redirected transfer is published to both wards: the old one drops it, the new one sees it."""
    _publish_transfer(ctx, t)
    record_change(ctx.session, entity="transfer", entity_id=t.id, version=t.version, data=transfer_data(t),
                  hospital_id=previous_hospital_id, owner_user_id=None, now=ctx.now)


def _publish_booking(ctx: OpContext, b: Booking) -> None:
    record_change(ctx.session, entity="booking", entity_id=b.id, version=b.version, data=booking_data(b),
                  hospital_id=b.hospital_id, owner_user_id=b.requested_by, now=ctx.now)


def _publish_bed(ctx: OpContext, b: Bed) -> None:
    record_change(ctx.session, entity="bed", entity_id=b.id, version=b.version, data=bed_data(b),
                  hospital_id=b.hospital_id, owner_user_id=None, now=ctx.now)


def _request_transfer(ctx: OpContext, op: Op, p: Any) -> int:
    assert isinstance(p, TransferRequestPayload)
    _require(ctx, {Role.PARAMEDIC, Role.COORDINATOR}, "request a transfer")
    existing = ctx.session.get(Transfer, op.entity_id)
    if existing is not None:
        raise Refused("This transfer already exists.", status="conflict", current=transfer_data(existing))
    hospital = ctx.session.get(Hospital, p.destination_hospital_id)
    if hospital is None:
        raise Refused("Unknown destination hospital: refresh the hospital list and choose again.")
    t = Transfer(id=op.entity_id, encounter_id=p.encounter_id, requested_by=ctx.user.id,
                 destination_hospital_id=hospital.id, unit=p.unit, state=TransferState.PENDING.value, version=1,
                 eta_s=p.eta_s, severity=p.severity, summary=p.summary, created_at=ctx.now, updated_at=ctx.now,
                 history=[_step(ctx, TransferState.PENDING, "requested")])
    ctx.session.add(t)
    ctx.session.flush()
    _publish_transfer(ctx, t)
    return t.version


def _step(ctx: OpContext, state: TransferState, reason: str) -> dict[str, str]:
    return {"state": state.value, "by": ctx.user.id, "by_name": ctx.user.display_name, "at": ctx.now.isoformat(),
            "reason": reason}


def _own_transfer(ctx: OpContext, transfer_id: str) -> Transfer:
    t = ctx.session.get(Transfer, transfer_id)
    if t is None:
        raise Refused("The transfer is not on the server yet: it will be retried after the transfer is sent.",
                      status="conflict")
    if ctx.role is Role.PARAMEDIC and t.requested_by != ctx.user.id:
        raise Refused("This transfer belongs to another crew.")
    return t


def _hold_bed(ctx: OpContext, op: Op, p: Any) -> int:
    assert isinstance(p, BookingHoldPayload)
    _require(ctx, {Role.PARAMEDIC, Role.COORDINATOR}, "hold a bed")
    existing = ctx.session.get(Booking, op.entity_id)
    if existing is not None:
        raise Refused("This booking already exists.", status="conflict", current=booking_data(existing))
    transfer = _own_transfer(ctx, p.transfer_id)
    hospital = ctx.session.get(Hospital, p.hospital_id)
    if hospital is None:
        raise Refused("Unknown hospital: refresh the hospital list and choose again.")
    bed = _lock_free_bed(ctx.session, hospital.id, p.unit)
    if bed is None:
        raise Refused(f"No {p.unit} bed left at {hospital.short_name}.",
                      alternatives=alternatives(ctx.session, hospital, p.unit))
    return _hold(ctx, op.entity_id, transfer, bed).version


def _hold(ctx: OpContext, booking_id: str, transfer: Transfer, bed: Bed) -> Booking:
    """Reserve ``bed`` (found free under lock) for ``transfer`` until the hold lapses."""
    bed.status = "reserved"
    bed.version += 1
    booking = Booking(id=booking_id, transfer_id=transfer.id, hospital_id=bed.hospital_id, unit=bed.unit,
                      bed_id=bed.id, state=BookingState.HELD.value, version=1, requested_by=transfer.requested_by,
                      hold_expires_at=ctx.now + timedelta(minutes=ctx.hold_minutes), updated_at=ctx.now)
    ctx.session.add(booking)
    ctx.session.flush()
    _publish_bed(ctx, bed)
    _publish_booking(ctx, booking)
    return booking


def _lock_free_bed(session: Session, hospital_id: str, unit: str) -> Bed | None:
    query = (select(Bed).where(Bed.hospital_id == hospital_id, Bed.unit == unit, Bed.status == "available")
             .order_by(Bed.label).limit(1))
    if not is_sqlite(session.connection()):
        query = query.with_for_update(skip_locked=True)
    return session.scalar(query)


def alternatives(session: Session, origin: Hospital, unit: str, limit: int = 3) -> list[Alternative]:
    """Hospitals with a free bed of ``unit``, nearest to the refused one first."""
    free = session.execute(
        select(Hospital, func.count(Bed.id)).join(Bed, Bed.hospital_id == Hospital.id)
        .where(Bed.unit == unit, Bed.status == "available", Hospital.id != origin.id).group_by(Hospital.id)
    ).all()
    ranked = sorted(free, key=lambda row: _km(origin, row[0]))
    return [Alternative(hospital_id=h.id, name=h.name, unit=unit, free_beds=n,
                        distance_km=round(_km(origin, h), 1)) for h, n in ranked[:limit]]


def _km(a: Hospital, b: Hospital) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _release_booking(ctx: OpContext, op: Op, p: Any) -> int:
    assert isinstance(p, BookingReleasePayload)
    booking = ctx.session.get(Booking, op.entity_id)
    if booking is None:
        raise Refused("No such booking on the server.", status="conflict")
    if ctx.role is Role.PARAMEDIC and booking.requested_by != ctx.user.id:
        raise Refused("This booking belongs to another crew.")
    _require(ctx, {Role.PARAMEDIC, Role.COORDINATOR, Role.NURSE}, "release a bed booking")
    end_booking(ctx, booking, BookingState.RELEASED)
    return booking.version


def end_booking(ctx: OpContext, booking: Booking, target: BookingState) -> None:
    """Move a booking to RELEASED / EXPIRED / REJECTED and give its bed back."""
    try:
        booking.state = next_booking_state(BookingState(booking.state), target).value
    except IllegalTransition as exc:
        raise Refused(str(exc), current=booking_data(booking)) from exc
    booking.version += 1
    booking.hold_expires_at = None
    booking.updated_at = ctx.now
    bed = ctx.session.get(Bed, booking.bed_id) if booking.bed_id else None
    if bed is not None and bed.status == "reserved":
        bed.status = "available"
        bed.version += 1
        _publish_bed(ctx, bed)
    _publish_booking(ctx, booking)


_NURSE_TARGETS = {TransferState.ACCEPTED, TransferState.REJECTED, TransferState.ARRIVED, TransferState.COMPLETED}
_CREW_TARGETS = {TransferState.EN_ROUTE, TransferState.CANCELLED, TransferState.ARRIVED}


def _transition(ctx: OpContext, op: Op, p: Any) -> int:
    assert isinstance(p, TransferTransitionPayload)
    transfer = ctx.session.get(Transfer, op.entity_id)
    if transfer is None:
        raise Refused("No such transfer on the server.", status="conflict")
    _authorize_transition(ctx, transfer, p.target)
    if p.target is TransferState.REJECTED and not p.reason.strip():
        raise Refused("Give a reason when rejecting a transfer.")
    try:
        transfer.state = next_transfer_state(TransferState(transfer.state), p.target).value
    except IllegalTransition as exc:
        raise Refused(str(exc), status="conflict", current=transfer_data(transfer)) from exc
    if p.bed_id is not None:
        if p.target is not TransferState.ACCEPTED:
            raise Refused("A bed is chosen only when accepting a transfer.")
        _place_in_bed(ctx, transfer, p.bed_id)
    transfer.version += 1
    transfer.updated_at = ctx.now
    transfer.history = [*transfer.history, _step(ctx, p.target, p.reason)]
    _follow_booking(ctx, transfer, p.target)
    _publish_transfer(ctx, transfer)
    return transfer.version


def _place_in_bed(ctx: OpContext, transfer: Transfer, bed_id: str) -> None:
    """The accepting ward chose a bed: move the transfer's hold onto it (or hold it, if none was held)."""
    booking = ctx.session.scalar(select(Booking).where(
        Booking.transfer_id == transfer.id, Booking.state.in_((BookingState.HELD.value, BookingState.TENTATIVE.value))))
    if booking is not None and booking.bed_id == bed_id:
        return  # the held bed confirmed
    query = select(Bed).where(Bed.id == bed_id)
    if not is_sqlite(ctx.session.connection()):
        query = query.with_for_update()
    bed = ctx.session.scalar(query)
    if bed is None or bed.hospital_id != transfer.destination_hospital_id or bed.unit != transfer.unit:
        raise Refused(f"Choose a {transfer.unit} bed of this hospital for this transfer.")
    if bed.status != "available":
        raise Refused(f"Bed {bed.label} is no longer free ({bed.status}): choose another or keep the held bed.",
                      status="conflict", current=bed_data(bed))
    if booking is None:
        _hold(ctx, new_id(), transfer, bed)
        return
    old = ctx.session.get(Bed, booking.bed_id) if booking.bed_id else None
    if old is not None and old.status == "reserved":
        old.status, old.version = "available", old.version + 1
        _publish_bed(ctx, old)
    bed.status, bed.version = "reserved", bed.version + 1
    booking.bed_id, booking.version, booking.updated_at = bed.id, booking.version + 1, ctx.now
    _publish_bed(ctx, bed)
    _publish_booking(ctx, booking)


def _authorize_transition(ctx: OpContext, t: Transfer, target: TransferState) -> None:
    if ctx.role in (Role.COORDINATOR, Role.ADMIN):
        return
    if ctx.role is Role.NURSE:
        if t.destination_hospital_id != ctx.user.hospital_id:
            raise Refused("This transfer goes to another hospital.")
        if target not in _NURSE_TARGETS:
            raise Refused(f"A nurse may not mark a transfer {target.value}.")
        return
    if t.requested_by != ctx.user.id:
        raise Refused("This transfer belongs to another crew.")
    if target not in _CREW_TARGETS:
        raise Refused(f"The ambulance crew may not mark a transfer {target.value}.")


def _follow_booking(ctx: OpContext, transfer: Transfer, target: TransferState) -> None:
    """Keep the bed booking in step with its transfer."""
    for booking in ctx.session.scalars(select(Booking).where(Booking.transfer_id == transfer.id)):
        state = BookingState(booking.state)
        if state not in (BookingState.HELD, BookingState.TENTATIVE):
            continue
        if target in (TransferState.REJECTED, TransferState.CANCELLED, TransferState.EXPIRED):
            end_booking(ctx, booking, BookingState.RELEASED)
        elif target is TransferState.ACCEPTED:
            booking.hold_expires_at = None  # the transfer moved on: the hold no longer lapses
            booking.version += 1
            _publish_booking(ctx, booking)
        elif target is TransferState.ARRIVED:
            booking.state = next_booking_state(state, BookingState.OCCUPIED).value
            booking.version += 1
            bed = ctx.session.get(Bed, booking.bed_id) if booking.bed_id else None
            if bed is not None:
                bed.status = "occupied"
                bed.version += 1
                _publish_bed(ctx, bed)
            _publish_booking(ctx, booking)


def _redirect(ctx: OpContext, op: Op, p: Any) -> int:
    """All or nothing: the new bed is held first, so a refusal leaves the transfer where it was."""
    assert isinstance(p, TransferRedirectPayload)
    _require(ctx, {Role.COORDINATOR, Role.ADMIN}, "redirect a transfer")
    transfer = ctx.session.get(Transfer, op.entity_id)
    if transfer is None:
        raise Refused("No such transfer on the server.", status="conflict")
    try:
        state = redirected_transfer_state(TransferState(transfer.state))
    except IllegalTransition as exc:
        raise Refused(str(exc), status="conflict", current=transfer_data(transfer)) from exc
    hospital = ctx.session.get(Hospital, p.destination_hospital_id)
    if hospital is None:
        raise Refused("Unknown hospital: refresh the hospital list and choose again.")
    if hospital.id == transfer.destination_hospital_id and p.unit == transfer.unit:
        raise Refused(f"The transfer already goes to {hospital.short_name} {p.unit}.")
    if ctx.session.get(Booking, p.booking_id) is not None:
        raise Refused("This booking already exists.", status="conflict")
    bed = _lock_free_bed(ctx.session, hospital.id, p.unit)
    if bed is None:
        raise Refused(f"No {p.unit} bed left at {hospital.short_name}: the transfer stays where it was.",
                      alternatives=[a for a in alternatives(ctx.session, hospital, p.unit, limit=4)
                                    if a.hospital_id != transfer.destination_hospital_id][:3])
    for booking in ctx.session.scalars(select(Booking).where(Booking.transfer_id == transfer.id)):
        if booking.state in (BookingState.HELD.value, BookingState.TENTATIVE.value):
            end_booking(ctx, booking, BookingState.RELEASED)
    _hold(ctx, p.booking_id, transfer, bed)
    previous = transfer.destination_hospital_id
    transfer.destination_hospital_id, transfer.unit, transfer.state = hospital.id, p.unit, state.value
    transfer.version += 1
    transfer.updated_at = ctx.now
    transfer.history = [*transfer.history, _step(ctx, state, f"redirected to {hospital.short_name}: {p.reason}")]
    _publish_transfer_moved(ctx, transfer, previous)
    return transfer.version


def _add_handoff(ctx: OpContext, op: Op, p: Any) -> int:
    assert isinstance(p, HandoffAddPayload)
    _require(ctx, {Role.PARAMEDIC, Role.COORDINATOR}, "send a handoff")
    transfer = _own_transfer(ctx, p.transfer_id)
    clash = ctx.session.scalar(select(Handoff).where(Handoff.transfer_id == transfer.id,
                                                     Handoff.version == p.version))
    if clash is not None:
        raise Refused(f"Handoff version {p.version} exists already; send the amendment as a new version.",
                      status="conflict", current={"id": clash.id, "version": clash.version})
    sections = {"situation": p.situation, "background": p.background, "assessment": p.assessment,
                "recommendation": p.recommendation}
    handoff = Handoff(id=op.entity_id, transfer_id=transfer.id, version=p.version, sections=sections,
                      author_id=ctx.user.id, created_at=ctx.now)
    ctx.session.add(handoff)
    ctx.session.flush()
    _publish_handoff(ctx, handoff, transfer)
    return handoff.version


def handoff_data(session: Session, h: Handoff) -> dict[str, Any]:
    acknowledger = session.get(User, h.acknowledged_by) if h.acknowledged_by else None
    return {"id": h.id, "transfer_id": h.transfer_id, "version": h.version, "sections": h.sections,
            "author_id": h.author_id, "created_at": h.created_at.isoformat(),
            "acknowledged_by_name": acknowledger.display_name if acknowledger else None,
            "acknowledged_at": h.acknowledged_at.isoformat() if h.acknowledged_at else None}


def _publish_handoff(ctx: OpContext, handoff: Handoff, transfer: Transfer) -> None:
    record_change(ctx.session, entity="handoff", entity_id=handoff.id, version=handoff.version,
                  data=handoff_data(ctx.session, handoff), hospital_id=transfer.destination_hospital_id,
                  owner_user_id=transfer.requested_by, now=ctx.now)


def _ack_handoff(ctx: OpContext, op: Op, p: Any) -> int:
    assert isinstance(p, HandoffAckPayload)
    _require(ctx, {Role.NURSE, Role.COORDINATOR}, "acknowledge a handoff")
    handoff = ctx.session.get(Handoff, op.entity_id)
    transfer = ctx.session.get(Transfer, handoff.transfer_id) if handoff else None
    if handoff is None or transfer is None:
        raise Refused("No such handoff on the server.")
    if ctx.role is Role.NURSE and transfer.destination_hospital_id != ctx.user.hospital_id:
        raise Refused("This handoff is for another hospital.")
    if handoff.acknowledged_at is not None:
        data = handoff_data(ctx.session, handoff)
        raise Refused(f"Already acknowledged by {data['acknowledged_by_name']}.", status="conflict", current=data)
    handoff.acknowledged_by, handoff.acknowledged_at = ctx.user.id, ctx.now
    ctx.session.flush()
    _publish_handoff(ctx, handoff, transfer)
    return handoff.version


def _add_imaging(ctx: OpContext, op: Op, p: Any) -> int:
    """A study kept with a transfer: by the destination ward (or a coordinator); seen by whoever sees
    the transfer. Append-only, like handoffs."""
    assert isinstance(p, ImagingAddPayload)
    _require(ctx, {Role.NURSE, Role.COORDINATOR, Role.ADMIN}, "add an imaging study")
    transfer = ctx.session.get(Transfer, p.transfer_id)
    if transfer is None:
        raise Refused("The transfer is not on the server (yet): the study will be retried after it.",
                      status="conflict")
    if ctx.role is Role.NURSE and transfer.destination_hospital_id != ctx.user.hospital_id:
        raise Refused("This transfer goes to another hospital.")
    if ctx.session.get(ImagingStudy, op.entity_id) is not None:
        raise Refused("This study already exists.", status="conflict")
    study = ImagingStudy(id=op.entity_id, transfer_id=transfer.id, sha256=p.sha256, data=p.model_dump(mode="json"),
                         author_id=ctx.user.id, created_at=ctx.now)
    ctx.session.add(study)
    ctx.session.flush()
    record_change(ctx.session, entity="imaging", entity_id=study.id, version=1, data=imaging_data(study),
                  hospital_id=transfer.destination_hospital_id, owner_user_id=transfer.requested_by, now=ctx.now)
    return 1


def imaging_data(study: ImagingStudy) -> dict[str, Any]:
    return {"id": study.id, **study.data, "author_id": study.author_id, "created_at": study.created_at.isoformat()}


def may_see_study(session: Session, user: User, sha256: str) -> bool:
    """Whether ``user`` may fetch the file: it belongs to a study of a transfer they may see."""
    role = Role(user.role)
    if role in (Role.COORDINATOR, Role.ADMIN):
        return session.scalar(select(ImagingStudy.id).where(ImagingStudy.sha256 == sha256).limit(1)) is not None
    mine = Transfer.destination_hospital_id == user.hospital_id if role is Role.NURSE else \
        Transfer.requested_by == user.id
    visible = select(ImagingStudy.id).join(Transfer, Transfer.id == ImagingStudy.transfer_id).where(
        ImagingStudy.sha256 == sha256, mine)
    return session.scalar(visible.limit(1)) is not None


def _set_bed_status(ctx: OpContext, op: Op, p: Any) -> int:
    assert isinstance(p, BedSetStatusPayload)
    bed = ctx.session.get(Bed, op.entity_id)
    if bed is None:
        raise Refused("No such bed.")
    if ctx.role is Role.NURSE and bed.hospital_id != ctx.user.hospital_id:
        raise Refused("This bed belongs to another hospital.")
    _require(ctx, {Role.NURSE, Role.COORDINATOR}, "change bed status")
    if op.base_version is not None and op.base_version != bed.version:
        raise Refused("The bed changed meanwhile; its current state is shown.", status="conflict",
                      current=bed_data(bed))
    try:
        check_manual_change(BedStatus(bed.status), BedStatus(p.status))
    except BedChangeRefused as refusal:
        raise Refused(str(refusal), status="conflict", current=bed_data(bed)) from refusal
    bed.status = p.status
    bed.version += 1
    _publish_bed(ctx, bed)
    return bed.version


HANDLERS: dict[OpKind, Callable[[OpContext, Op, Any], int]] = {
    OpKind.TRANSFER_REQUEST: _request_transfer,
    OpKind.TRANSFER_TRANSITION: _transition,
    OpKind.BOOKING_HOLD: _hold_bed,
    OpKind.BOOKING_RELEASE: _release_booking,
    OpKind.HANDOFF_ADD: _add_handoff,
    OpKind.BED_SET_STATUS: _set_bed_status,
    OpKind.HANDOFF_ACK: _ack_handoff,
    OpKind.TRANSFER_REDIRECT: _redirect,
    OpKind.IMAGING_ADD: _add_imaging,
}


def expire_holds(session: Session, now: datetime, system_user: User) -> int:
    """Release every HELD booking whose hold has lapsed. Returns how many. Caller commits."""
    ctx = OpContext(session, system_user, now, 0)
    lapsed = session.scalars(select(Booking).where(Booking.state == BookingState.HELD.value,
                                                   Booking.hold_expires_at.is_not(None),
                                                   Booking.hold_expires_at <= now)).all()
    for booking in lapsed:
        end_booking(ctx, booking, BookingState.EXPIRED)
    return len(lapsed)
