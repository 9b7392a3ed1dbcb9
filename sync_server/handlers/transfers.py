"""Ops on transfers: request, state transitions (with the bed chosen on accepting), redirect."""

from __future__ import annotations

from typing import Any

from emsync_desktop.domain.ids import new_id
from emsync_desktop.domain.lifecycle import (
    BookingState,
    IllegalTransition,
    TransferState,
    is_active_transfer,
    next_booking_state,
    next_transfer_state,
    redirected_transfer_state,
    second_active_transfer_reason,
)
from emsync_desktop.domain.roles import Role
from emsync_desktop.sync.protocol import (
    Op,
    TransferEtaPayload,
    TransferRedirectPayload,
    TransferRequestPayload,
    TransferTransitionPayload,
)
from sync_server.handlers.beds import alternatives, end_booking, reserve, set_bed_status, update_booking
from sync_server.handlers.blood_requests import close_pre_alerts
from sync_server.handlers.handoffs import republish_handoffs
from sync_server.handlers.messages import republish_messages
from sync_server.handlers.records import republish_records
from sync_server.handlers.ward_tasks import cancel_transfer_tasks, tasks_for_transfer
from sync_server.op_context import (
    OpContext,
    Refused,
    bed_data,
    publish_transfer,
    require,
    transfer_data,
)
from sync_server.rows import BEDS, BOOKINGS, TRANSFERS, Row, rows_where

_LIVE_BOOKING = (BookingState.HELD.value, BookingState.TENTATIVE.value)


def request(ctx: OpContext, op: Op, p: Any) -> int:
    assert isinstance(p, TransferRequestPayload)
    require(ctx, {Role.PARAMEDIC, Role.COORDINATOR}, "request a transfer")
    existing = ctx.get(TRANSFERS, op.entity_id)
    if existing is not None:
        raise Refused("This transfer already exists.", status="conflict", current=transfer_data(existing))
    hospital = ctx.open_hospital(p.destination_hospital_id)
    active = ctx.active_transfer_of(p.encounter_id)
    if active is not None:
        going_to = ctx.hospital(active["destination_hospital_id"])
        raise Refused(second_active_transfer_reason(going_to["short_name"] if going_to else "another hospital",
                                                    active["unit"], active["state"]),
                      current=transfer_data(active))
    t = {"id": op.entity_id, "encounter_id": p.encounter_id, "requested_by": ctx.user.id,
         "destination_hospital_id": hospital["id"], "unit": p.unit, "state": TransferState.PENDING.value,
         "version": 1, "eta_s": p.eta_s, "severity": p.severity, "summary": p.summary, "created_at": ctx.now,
         "updated_at": ctx.now, "history": [_step(ctx, TransferState.PENDING, "requested")],
         "age_band": p.age_band, "sex": p.sex, "complaint_group": p.complaint_group}
    ctx.insert(TRANSFERS, t)
    publish_transfer(ctx, t)
    republish_records(ctx, t)  # the record so far goes to the hospital with the case
    return 1

def _step(ctx: OpContext, state: TransferState, reason: str, **extra: str) -> dict[str, str]:
    return {"state": state.value, "by": ctx.user.id, "by_name": ctx.user.display_name, "at": ctx.now.isoformat(),
            "reason": reason, **extra}

def _move_transfer(ctx: OpContext, t: Row, state: TransferState, reason: str, step_extra: dict[str, str] | None = None,
                   **values: Any) -> Row:
    """Write the transfer's next step (state, version, history, and any ``values``) and publish it."""
    values = {**values, "state": state.value, "version": t["version"] + 1, "updated_at": ctx.now,
              "history": [*t["history"], _step(ctx, state, reason, **(step_extra or {}))]}
    moved = ctx.update(TRANSFERS, t, values)
    publish_transfer(ctx, moved)
    return moved

def transition(ctx: OpContext, op: Op, p: Any) -> int:
    assert isinstance(p, TransferTransitionPayload)
    transfer = ctx.get(TRANSFERS, op.entity_id, for_update=True)
    if transfer is None:
        raise Refused("No such transfer on the server.", status="conflict")
    _authorize_transition(ctx, transfer, p.target)
    if p.target is TransferState.REJECTED and not p.reason.strip():
        raise Refused("Give a reason when rejecting a transfer.")
    try:
        target = next_transfer_state(TransferState(transfer["state"]), p.target)
    except IllegalTransition as exc:
        raise Refused(str(exc), status="conflict", current=transfer_data(transfer)) from exc
    if p.bed_id is not None:
        if target is not TransferState.ACCEPTED:
            raise Refused("A bed is chosen only when accepting a transfer.")
        _place_in_bed(ctx, transfer, p.bed_id)
    moved = _move_transfer(ctx, transfer, target, p.reason)
    _follow_booking(ctx, moved, target)
    tasks_for_transfer(ctx, moved, _bed_of(ctx, moved))
    if target in (TransferState.REJECTED, TransferState.CANCELLED, TransferState.EXPIRED):
        close_pre_alerts(ctx, {**moved, "destination_hospital_id": None}, f"the transfer was {target.value.lower()}")
    return int(moved["version"])

def _place_in_bed(ctx: OpContext, transfer: Row, bed_id: str) -> None:
    """The accepting ward chose a bed: move the transfer's hold onto it (or hold it, if none was held)."""
    booking = next((b for b in rows_where(ctx.conn, BOOKINGS, "transfer_id", transfer["id"])
                    if b["state"] in _LIVE_BOOKING), None)
    if booking is not None and booking["bed_id"] == bed_id:
        return  # the held bed confirmed
    bed = ctx.get(BEDS, bed_id, for_update=True)
    if bed is None or bed["hospital_id"] != transfer["destination_hospital_id"] or bed["unit"] != transfer["unit"]:
        raise Refused(f"Choose a {transfer['unit']} bed of this hospital for this transfer.")
    if bed["status"] != "available":
        raise Refused(f"Bed {bed['label']} is no longer free ({bed['status']}): choose another or keep the held bed.",
                      status="conflict", current=bed_data(bed))
    if booking is None:
        reserve(ctx, new_id(), transfer, bed)
        return
    old = ctx.get(BEDS, booking["bed_id"], for_update=True) if booking["bed_id"] else None
    if old is not None and old["status"] == "reserved":
        set_bed_status(ctx, old, "available")
    set_bed_status(ctx, bed, "reserved")
    update_booking(ctx, booking, bed_id=bed["id"])

def _bed_of(ctx: OpContext, transfer: Row) -> Row | None:
    """The bed the transfer holds or occupies at its destination, if any."""
    booking = next((b for b in rows_where(ctx.conn, BOOKINGS, "transfer_id", transfer["id"])
                    if b["state"] in (*_LIVE_BOOKING, BookingState.OCCUPIED.value) and b["bed_id"]), None)
    return ctx.get(BEDS, booking["bed_id"]) if booking is not None else None

_NURSE_TARGETS = {TransferState.ACCEPTED, TransferState.REJECTED, TransferState.ARRIVED, TransferState.COMPLETED}

_CREW_TARGETS = {TransferState.EN_ROUTE, TransferState.CANCELLED, TransferState.ARRIVED}

def _authorize_transition(ctx: OpContext, t: Row, target: TransferState) -> None:
    if ctx.role in (Role.COORDINATOR, Role.ADMIN):
        return
    if ctx.role is Role.NURSE:
        if t["destination_hospital_id"] != ctx.user.hospital_id:
            raise Refused("This transfer goes to another hospital.")
        if target not in _NURSE_TARGETS:
            raise Refused(f"A nurse may not mark a transfer {target.value}.")
        return
    if t["requested_by"] != ctx.user.id:
        raise Refused("This transfer belongs to another crew.")
    if target not in _CREW_TARGETS:
        raise Refused(f"The ambulance crew may not mark a transfer {target.value}.")

def _follow_booking(ctx: OpContext, transfer: Row, target: TransferState) -> None:
    """Keep the bed booking in step with its transfer."""
    for booking in rows_where(ctx.conn, BOOKINGS, "transfer_id", transfer["id"]):
        state = BookingState(booking["state"])
        if state not in (BookingState.HELD, BookingState.TENTATIVE):
            continue
        if target in (TransferState.REJECTED, TransferState.CANCELLED, TransferState.EXPIRED):
            end_booking(ctx, booking, BookingState.RELEASED)
        elif target is TransferState.ACCEPTED:
            update_booking(ctx, booking, hold_expires_at=None)  # the transfer moved on: the hold no longer lapses
        elif target is TransferState.ARRIVED:
            bed = ctx.get(BEDS, booking["bed_id"], for_update=True) if booking["bed_id"] else None
            if bed is not None:
                set_bed_status(ctx, bed, "occupied")
            update_booking(ctx, booking, state=next_booking_state(state, BookingState.OCCUPIED).value)

def update_eta(ctx: OpContext, op: Op, p: Any) -> int:
    """The crew (or a coordinator) gives a new arrival time for an active transfer; wards see it at once."""
    assert isinstance(p, TransferEtaPayload)
    require(ctx, {Role.PARAMEDIC, Role.COORDINATOR, Role.ADMIN}, "change a transfer's ETA")
    transfer = ctx.get(TRANSFERS, op.entity_id, for_update=True)
    if transfer is None:
        raise Refused("Waiting for its transfer to reach the server.", status="deferred")
    if ctx.role is Role.PARAMEDIC and transfer["requested_by"] != ctx.user.id:
        raise Refused("This transfer belongs to another crew.")
    if not is_active_transfer(TransferState(transfer["state"])):
        raise Refused(f"Transfer is already {transfer['state']}: its ETA no longer matters.", status="conflict",
                      current=transfer_data(transfer))
    moved = ctx.update(TRANSFERS, transfer, {"eta_s": p.eta_s, "version": transfer["version"] + 1,
                                             "updated_at": ctx.now})
    publish_transfer(ctx, moved)
    return int(moved["version"])

def redirect(ctx: OpContext, op: Op, p: Any) -> int:
    """All or nothing: the new bed is held first, so a refusal leaves the transfer where it was."""
    assert isinstance(p, TransferRedirectPayload)
    require(ctx, {Role.COORDINATOR, Role.ADMIN}, "redirect a transfer")
    transfer = ctx.get(TRANSFERS, op.entity_id, for_update=True)
    if transfer is None:
        raise Refused("No such transfer on the server.", status="conflict")
    try:
        state = redirected_transfer_state(TransferState(transfer["state"]))
    except IllegalTransition as exc:
        raise Refused(str(exc), status="conflict", current=transfer_data(transfer)) from exc
    hospital = ctx.open_hospital(p.destination_hospital_id)
    if hospital["id"] == transfer["destination_hospital_id"] and p.unit == transfer["unit"]:
        raise Refused(f"The transfer already goes to {hospital['short_name']} {p.unit}.")
    if ctx.get(BOOKINGS, p.booking_id) is not None:
        raise Refused("This booking already exists.", status="conflict")
    bed = ctx.free_bed(hospital["id"], p.unit)
    if bed is None:
        raise Refused(f"No {p.unit} bed left at {hospital['short_name']}: the transfer stays where it was.",
                      alternatives=[a for a in alternatives(ctx, hospital, p.unit, limit=4)
                                    if a.hospital_id != transfer["destination_hospital_id"]][:3])
    for booking in rows_where(ctx.conn, BOOKINGS, "transfer_id", transfer["id"]):
        if booking["state"] in _LIVE_BOOKING:
            end_booking(ctx, booking, BookingState.RELEASED)
    previous = transfer["destination_hospital_id"]
    reserve(ctx, p.booking_id, transfer, bed)
    moved = _move_transfer(ctx, transfer, state, f"redirected to {hospital['short_name']} {p.unit}: {p.reason}",
                           step_extra={"redirected_from": previous, "redirected_to": hospital["id"]},
                           destination_hospital_id=hospital["id"], unit=p.unit)
    cancel_transfer_tasks(ctx, transfer["id"], f"the patient was redirected to {hospital['short_name']}")
    # Published to both wards: the old one is told where it went, the new one sees it with its handoff.
    ctx.publish("transfer", transfer_data(moved), hospital_id=previous, owner_user_id=None)
    republish_handoffs(ctx, moved)
    republish_records(ctx, moved)
    republish_messages(ctx, moved)
    close_pre_alerts(ctx, moved, f"the patient was redirected to {hospital['short_name']}: ask its blood bank")
    return int(moved["version"])
