"""Ops on beds and bed bookings: hold (decided under the bed's lock), release, ward status; lapsed holds."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from emsync_desktop.domain.beds import BedChangeRefused, BedStatus, check_manual_change
from emsync_desktop.domain.lifecycle import (
    BookingState,
    IllegalTransition,
    next_booking_state,
)
from emsync_desktop.domain.roles import Role
from emsync_desktop.sync.protocol import (
    Alternative,
    BedSetStatusPayload,
    BookingHoldPayload,
    BookingReleasePayload,
    Op,
)
from sync_server.db import is_sqlite
from sync_server.models import Bed, Booking, Hospital, Transfer, User
from sync_server.op_context import (
    OpContext,
    Refused,
    bed_data,
    booking_data,
    own_transfer,
    publish_bed,
    publish_booking,
    require,
)


def hold(ctx: OpContext, op: Op, p: Any) -> int:
    assert isinstance(p, BookingHoldPayload)
    require(ctx, {Role.PARAMEDIC, Role.COORDINATOR}, "hold a bed")
    existing = ctx.session.get(Booking, op.entity_id)
    if existing is not None:
        raise Refused("This booking already exists.", status="conflict", current=booking_data(existing))
    transfer = own_transfer(ctx, p.transfer_id)
    hospital = ctx.session.get(Hospital, p.hospital_id)
    if hospital is None:
        raise Refused("Unknown hospital: refresh the hospital list and choose again.")
    bed = lock_free_bed(ctx.session, hospital.id, p.unit)
    if bed is None:
        raise Refused(f"No {p.unit} bed left at {hospital.short_name}.",
                      alternatives=alternatives(ctx.session, hospital, p.unit))
    return reserve(ctx, op.entity_id, transfer, bed).version

def reserve(ctx: OpContext, booking_id: str, transfer: Transfer, bed: Bed) -> Booking:
    """Reserve ``bed`` (found free under lock) for ``transfer`` until the hold lapses."""
    bed.status = "reserved"
    bed.version += 1
    booking = Booking(id=booking_id, transfer_id=transfer.id, hospital_id=bed.hospital_id, unit=bed.unit,
                      bed_id=bed.id, state=BookingState.HELD.value, version=1, requested_by=transfer.requested_by,
                      hold_expires_at=ctx.now + timedelta(minutes=ctx.hold_minutes), updated_at=ctx.now)
    ctx.session.add(booking)
    ctx.session.flush()
    publish_bed(ctx, bed)
    publish_booking(ctx, booking)
    return booking

def lock_free_bed(session: Session, hospital_id: str, unit: str) -> Bed | None:
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

def release(ctx: OpContext, op: Op, p: Any) -> int:
    assert isinstance(p, BookingReleasePayload)
    booking = ctx.session.get(Booking, op.entity_id)
    if booking is None:
        raise Refused("No such booking on the server.", status="conflict")
    if ctx.role is Role.PARAMEDIC and booking.requested_by != ctx.user.id:
        raise Refused("This booking belongs to another crew.")
    require(ctx, {Role.PARAMEDIC, Role.COORDINATOR, Role.NURSE}, "release a bed booking")
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
        publish_bed(ctx, bed)
    publish_booking(ctx, booking)

def set_status(ctx: OpContext, op: Op, p: Any) -> int:
    assert isinstance(p, BedSetStatusPayload)
    bed = ctx.session.get(Bed, op.entity_id)
    if bed is None:
        raise Refused("No such bed.")
    if ctx.role is Role.NURSE and bed.hospital_id != ctx.user.hospital_id:
        raise Refused("This bed belongs to another hospital.")
    require(ctx, {Role.NURSE, Role.COORDINATOR}, "change bed status")
    if op.base_version is not None and op.base_version != bed.version:
        raise Refused("The bed changed meanwhile; its current state is shown.", status="conflict",
                      current=bed_data(bed))
    try:
        check_manual_change(BedStatus(bed.status), BedStatus(p.status))
    except BedChangeRefused as refusal:
        raise Refused(str(refusal), status="conflict", current=bed_data(bed)) from refusal
    bed.status = p.status
    bed.version += 1
    publish_bed(ctx, bed)
    return bed.version

def expire_holds(session: Session, now: datetime, system_user: User) -> int:
    """Release every HELD booking whose hold has lapsed. Returns how many. Caller commits."""
    ctx = OpContext(session, system_user, now, 0)
    lapsed = session.scalars(select(Booking).where(Booking.state == BookingState.HELD.value,
                                                   Booking.hold_expires_at.is_not(None),
                                                   Booking.hold_expires_at <= now)).all()
    for booking in lapsed:
        end_booking(ctx, booking, BookingState.EXPIRED)
    return len(lapsed)
