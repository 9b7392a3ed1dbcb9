"""Ops on transfers: request, state transitions (with the bed chosen on accepting), redirect."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

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
    Op,
    TransferRedirectPayload,
    TransferRequestPayload,
    TransferTransitionPayload,
)
from sync_server.db import is_sqlite
from sync_server.feed import record_change
from sync_server.handlers.beds import alternatives, end_booking, lock_free_bed, reserve
from sync_server.models import Bed, Booking, Hospital, Transfer
from sync_server.op_context import (
    OpContext,
    Refused,
    bed_data,
    publish_bed,
    publish_booking,
    publish_transfer,
    require,
    transfer_data,
)


def request(ctx: OpContext, op: Op, p: Any) -> int:
    assert isinstance(p, TransferRequestPayload)
    require(ctx, {Role.PARAMEDIC, Role.COORDINATOR}, "request a transfer")
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
    publish_transfer(ctx, t)
    return t.version

def _step(ctx: OpContext, state: TransferState, reason: str) -> dict[str, str]:
    return {"state": state.value, "by": ctx.user.id, "by_name": ctx.user.display_name, "at": ctx.now.isoformat(),
            "reason": reason}

def _publish_transfer_moved(ctx: OpContext, t: Transfer, previous_hospital_id: str) -> None:
    """A redirected transfer is published to both wards: the old one drops it, the new one sees it."""
    publish_transfer(ctx, t)
    record_change(ctx.session, entity="transfer", entity_id=t.id, version=t.version, data=transfer_data(t),
                  hospital_id=previous_hospital_id, owner_user_id=None, now=ctx.now)

def transition(ctx: OpContext, op: Op, p: Any) -> int:
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
    publish_transfer(ctx, transfer)
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
        reserve(ctx, new_id(), transfer, bed)
        return
    old = ctx.session.get(Bed, booking.bed_id) if booking.bed_id else None
    if old is not None and old.status == "reserved":
        old.status, old.version = "available", old.version + 1
        publish_bed(ctx, old)
    bed.status, bed.version = "reserved", bed.version + 1
    booking.bed_id, booking.version, booking.updated_at = bed.id, booking.version + 1, ctx.now
    publish_bed(ctx, bed)
    publish_booking(ctx, booking)

_NURSE_TARGETS = {TransferState.ACCEPTED, TransferState.REJECTED, TransferState.ARRIVED, TransferState.COMPLETED}

_CREW_TARGETS = {TransferState.EN_ROUTE, TransferState.CANCELLED, TransferState.ARRIVED}

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
            publish_booking(ctx, booking)
        elif target is TransferState.ARRIVED:
            booking.state = next_booking_state(state, BookingState.OCCUPIED).value
            booking.version += 1
            bed = ctx.session.get(Bed, booking.bed_id) if booking.bed_id else None
            if bed is not None:
                bed.status = "occupied"
                bed.version += 1
                publish_bed(ctx, bed)
            publish_booking(ctx, booking)

def redirect(ctx: OpContext, op: Op, p: Any) -> int:
    """All or nothing: the new bed is held first, so a refusal leaves the transfer where it was."""
    assert isinstance(p, TransferRedirectPayload)
    require(ctx, {Role.COORDINATOR, Role.ADMIN}, "redirect a transfer")
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
    bed = lock_free_bed(ctx.session, hospital.id, p.unit)
    if bed is None:
        raise Refused(f"No {p.unit} bed left at {hospital.short_name}: the transfer stays where it was.",
                      alternatives=[a for a in alternatives(ctx.session, hospital, p.unit, limit=4)
                                    if a.hospital_id != transfer.destination_hospital_id][:3])
    for booking in ctx.session.scalars(select(Booking).where(Booking.transfer_id == transfer.id)):
        if booking.state in (BookingState.HELD.value, BookingState.TENTATIVE.value):
            end_booking(ctx, booking, BookingState.RELEASED)
    reserve(ctx, p.booking_id, transfer, bed)
    previous = transfer.destination_hospital_id
    transfer.destination_hospital_id, transfer.unit, transfer.state = hospital.id, p.unit, state.value
    transfer.version += 1
    transfer.updated_at = ctx.now
    transfer.history = [*transfer.history, _step(ctx, state, f"redirected to {hospital.short_name}: {p.reason}")]
    _publish_transfer_moved(ctx, transfer, previous)
    return transfer.version
