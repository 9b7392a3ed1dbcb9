"""Ops on beds and bed bookings: hold (decided under the bed's lock), release, ward status; lapsed holds."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
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
from sync_server.handlers.ward_tasks import bed_left_cleaning, task_for_cleaning
from sync_server.models import User
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
from sync_server.rows import BEDS, BOOKINGS, Row


def hold(ctx: OpContext, op: Op, p: Any) -> int:
    assert isinstance(p, BookingHoldPayload)
    require(ctx, {Role.PARAMEDIC, Role.COORDINATOR}, "hold a bed")
    existing = ctx.get(BOOKINGS, op.entity_id)
    if existing is not None:
        raise Refused("This booking already exists.", status="conflict", current=booking_data(existing))
    transfer = own_transfer(ctx, p.transfer_id)
    hospital = ctx.open_hospital(p.hospital_id)
    if (transfer["destination_hospital_id"], transfer["unit"]) != (hospital["id"], p.unit):
        going_to = ctx.hospital(transfer["destination_hospital_id"])
        raise Refused(f"A bed is held only where its transfer goes ({going_to['short_name'] if going_to else '?'} "
                      f"{transfer['unit']}), not at {hospital['short_name']} {p.unit}.")
    if ctx.live_hold_of(transfer["id"]) is not None:
        raise Refused("This transfer already holds a bed: release it (or send the case elsewhere) first.",
                      status="conflict")
    bed = ctx.free_bed(hospital["id"], p.unit)
    if bed is None:
        raise Refused(f"No {p.unit} bed left at {hospital['short_name']}.",
                      alternatives=alternatives(ctx, hospital, p.unit))
    return int(reserve(ctx, op.entity_id, transfer, bed)["version"])

def reserve(ctx: OpContext, booking_id: str, transfer: Row, bed: Row) -> Row:
    """Reserve ``bed`` (found free under lock) for ``transfer`` until the hold lapses. Returns the booking."""
    set_bed_status(ctx, bed, "reserved")
    booking = {"id": booking_id, "transfer_id": transfer["id"], "hospital_id": bed["hospital_id"],
               "unit": bed["unit"], "bed_id": bed["id"], "state": BookingState.HELD.value, "version": 1,
               "requested_by": transfer["requested_by"],
               "hold_expires_at": ctx.now + timedelta(minutes=ctx.hold_minutes), "updated_at": ctx.now}
    ctx.insert(BOOKINGS, booking)
    publish_booking(ctx, booking)
    return booking

def set_bed_status(ctx: OpContext, bed: Row, status: str) -> Row:
    """Give ``bed`` a new status and version, and publish it. Returns the bed as it is now."""
    changed = ctx.update(BEDS, bed, {"status": status, "version": bed["version"] + 1})
    publish_bed(ctx, changed)
    return changed

def update_booking(ctx: OpContext, booking: Row, **values: Any) -> Row:
    """Write ``values`` and a new version onto ``booking`` and publish it. Returns it as it is now."""
    changed = ctx.update(BOOKINGS, booking, {**values, "version": booking["version"] + 1, "updated_at": ctx.now})
    publish_booking(ctx, changed)
    return changed

def alternatives(ctx: OpContext, origin: Row, unit: str, limit: int = 3) -> list[Alternative]:
    """Hospitals with a free bed of ``unit``, nearest to the refused one first (from the batch's bed
    counts: a full unit refuses many holds of a burst or a reconnecting queue in a row)."""
    free = ctx.free_beds()
    ranked = sorted((h for h in ctx.hospitals()
                     if h["id"] != origin["id"] and not h["closed"] and free.get((h["id"], unit), 0) > 0),
                    key=lambda h: _km(origin, h["lat"], h["lon"]))
    return [Alternative(hospital_id=h["id"], name=h["name"], unit=unit, free_beds=free[(h["id"], unit)],
                        distance_km=round(_km(origin, h["lat"], h["lon"]), 1)) for h in ranked[:limit]]

def _km(a: Row, lat: float, lon: float) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a["lat"], a["lon"], lat, lon))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))

def release(ctx: OpContext, op: Op, p: Any) -> int:
    assert isinstance(p, BookingReleasePayload)
    booking = ctx.get(BOOKINGS, op.entity_id)
    if booking is None:
        raise Refused("No such booking on the server.", status="conflict")
    require(ctx, {Role.PARAMEDIC, Role.COORDINATOR, Role.NURSE}, "release a bed booking")
    if ctx.role is Role.PARAMEDIC and booking["requested_by"] != ctx.user.id:
        raise Refused("This booking belongs to another crew.")
    if ctx.role is Role.NURSE and booking["hospital_id"] != ctx.user.hospital_id:
        raise Refused("This booking is for another hospital.")
    return int(end_booking(ctx, booking, BookingState.RELEASED)["version"])

def end_booking(ctx: OpContext, booking: Row, target: BookingState) -> Row:
    """Move a booking to RELEASED / EXPIRED / REJECTED and give its bed back. Returns it as it is now."""
    try:
        state = next_booking_state(BookingState(booking["state"]), target).value
    except IllegalTransition as exc:
        raise Refused(str(exc), current=booking_data(booking)) from exc
    bed = ctx.get(BEDS, booking["bed_id"], for_update=True) if booking["bed_id"] else None
    if bed is not None and bed["status"] == "reserved":
        set_bed_status(ctx, bed, "available")
    return update_booking(ctx, booking, state=state, hold_expires_at=None)

def set_status(ctx: OpContext, op: Op, p: Any) -> int:
    assert isinstance(p, BedSetStatusPayload)
    bed = ctx.get(BEDS, op.entity_id, for_update=True)
    if bed is None:
        raise Refused("No such bed.")
    if ctx.role is Role.NURSE and bed["hospital_id"] != ctx.user.hospital_id:
        raise Refused("This bed belongs to another hospital.")
    require(ctx, {Role.NURSE, Role.COORDINATOR}, "change bed status")
    if op.base_version is not None and op.base_version != bed["version"]:
        raise Refused("The bed changed meanwhile; its current state is shown.", status="conflict",
                      current=bed_data(bed))
    try:
        check_manual_change(BedStatus(bed["status"]), BedStatus(p.status))
    except BedChangeRefused as refusal:
        raise Refused(str(refusal), status="conflict", current=bed_data(bed)) from refusal
    changed = set_bed_status(ctx, bed, p.status)
    if p.status == BedStatus.CLEANING.value:
        task_for_cleaning(ctx, changed)
    elif bed["status"] == BedStatus.CLEANING.value:
        bed_left_cleaning(ctx, changed)
    return int(changed["version"])

def expire_holds(session: Session, now: datetime, system_user: User) -> int:
    """Release every HELD booking whose hold has lapsed. Returns how many. Caller commits."""
    ctx = OpContext(session.connection(), system_user, now, 0)
    lapsed = ctx.conn.execute(select(BOOKINGS).where(
        BOOKINGS.c.state == BookingState.HELD.value, BOOKINGS.c.hold_expires_at.is_not(None),
        BOOKINGS.c.hold_expires_at <= now)).mappings().all()
    for booking in lapsed:
        end_booking(ctx, booking, BookingState.EXPIRED)
    ctx.finish()
    return len(lapsed)
