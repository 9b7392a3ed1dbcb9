"""Blood units (ops ``blood.unit_add``, ``blood.unit_move``, ``blood.unit_send``, ``blood.transfuse``; issue 24): a
bag registered on a hospital's shelf, moved (back to stock, quarantined, discarded, returned unused), sent to
another hospital, and transfused at the bedside after the two-identifier check. Every move is checked against
``domain.blood_flow`` before anything is written, kept in the unit's history and audited (the op's own audit
event). Who: the hospital's blood-bank staff; a unit issued to a ward is returned or transfused by a nurse there
(or by the crew whose pre-alert it was for)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from emsync_desktop.domain.blood import (
    Component,
    DinProblem,
    ShelfLives,
    check_din,
    check_product_code,
    expiry,
    label_expiry_problem,
)
from emsync_desktop.domain.blood_flow import (
    MoveRefused,
    PatientIds,
    UnitState,
    bedside_problem,
    check_unit_move,
    other_group_text,
    same_donation_text,
)
from emsync_desktop.domain.roles import Role
from emsync_desktop.sync.protocol import Op
from emsync_desktop.sync.protocol_blood import (
    BLOOD_UNIT_ENTITY,
    BloodTransfusePayload,
    BloodUnitAddPayload,
    BloodUnitMovePayload,
    BloodUnitSendPayload,
)
from sync_server.blood_shelf import BLOOD_REQUESTS, BLOOD_UNITS, history_entry, publish_unit, unit_data
from sync_server.handlers.blood_requests import note_unit_moved
from sync_server.op_context import OpContext, Refused, own_transfer, require
from sync_server.rows import Row, rows_where

_STAFF = {Role.BLOOD_BANK}
_AT_BEDSIDE = {Role.NURSE, Role.PARAMEDIC}


def add(ctx: OpContext, op: Op, p: Any) -> int:
    assert isinstance(p, BloodUnitAddPayload)
    require(ctx, _STAFF, "register blood units")
    hospital_id = _own_hospital(ctx)
    try:
        din, product_code = check_din(p.din), check_product_code(p.product_code)
    except DinProblem as problem:
        raise Refused(str(problem)) from None
    if ctx.get(BLOOD_UNITS, op.entity_id) is not None:
        raise Refused("A unit with this id exists already; register it again as a new unit.")
    component = Component(p.component)
    siblings = rows_where(ctx.conn, BLOOD_UNITS, "din", din)
    twin = next((u for u in siblings if u["product_code"] == product_code or u["component"] == component.value), None)
    if twin is not None:
        raise Refused(same_donation_text(din, Component(twin["component"]), twin["product_code"]))
    other = next((u for u in siblings if (u["abo"], bool(u["rhd_positive"])) != (p.abo, p.rhd_positive)), None)
    if other is not None:
        raise Refused(other_group_text(din, f"{other['abo']} {'pos' if other['rhd_positive'] else 'neg'}"))
    expires_at = expiry(component, p.collected_at, p.expires_at, ShelfLives())
    too_late = label_expiry_problem(component, p.collected_at, expires_at)
    if too_late is not None:
        raise Refused(too_late)
    _check_dates(ctx, p.collected_at, expires_at)
    unit = {"id": op.entity_id, "hospital_id": hospital_id, "din": din, "product_code": product_code,
            "component": component.value, "abo": p.abo, "rhd_positive": p.rhd_positive, "volume_ml": p.volume_ml,
            "collected_at": p.collected_at, "expires_at": expires_at, "location": p.location.strip(),
            "state": UnitState.AVAILABLE.value, "request_id": None,
            "history": [history_entry(ctx, UnitState.AVAILABLE.value, "registered")], "version": 1,
            "updated_at": ctx.now}
    ctx.insert(BLOOD_UNITS, unit)
    publish_unit(ctx, unit)
    return 1


def _check_dates(ctx: OpContext, collected_at: datetime, expires_at: datetime) -> None:
    if collected_at > ctx.now:
        raise Refused("The collection date is in the future: check the label (and this device's clock).")
    if expires_at <= collected_at:
        raise Refused("The expiry is before the collection date: check the label.")
    if expires_at <= ctx.now:
        raise Refused(f"This unit expired at {expires_at:%Y-%m-%d %H:%M} UTC: do not put it on the shelf.")


def move(ctx: OpContext, op: Op, p: Any) -> int:
    """Back to stock, quarantined, discarded (blood bank), or returned unused (the blood bank, or a nurse of the
    ward it was issued to). A reserved unit taken back leaves its request (which waits for another); a returned
    one stays on it, as returned."""
    assert isinstance(p, BloodUnitMovePayload)
    unit, request = _locked(ctx, op.entity_id)
    target = UnitState(p.target)
    if target is UnitState.RETURNED and ctx.role in _AT_BEDSIDE:
        _check_bedside(ctx, unit, request)
    else:
        require(ctx, _STAFF, f"mark blood units {target.value}")
        _at_own_hospital(ctx, unit)
    _check_move(ctx, unit, target, p.reason)
    changed = _moved(ctx, unit, target, p.reason,
                     request_id=unit["request_id"] if target is UnitState.RETURNED else None)
    if request is not None:
        note_unit_moved(ctx, request, changed, released=target is not UnitState.RETURNED)
    return int(changed["version"])


def send(ctx: OpContext, op: Op, p: Any) -> int:
    """An available unit goes to another hospital's shelf (the sender's blood bank decides). Published to both
    hospitals: the sender's devices see it leave, the receiver's see it arrive."""
    assert isinstance(p, BloodUnitSendPayload)
    require(ctx, _STAFF, "send blood units to another hospital")
    unit = ctx.get(BLOOD_UNITS, op.entity_id, for_update=True)
    if unit is None:
        raise Refused("This blood unit is not on the server: register it first.")
    _at_own_hospital(ctx, unit)
    if p.to_hospital_id == unit["hospital_id"]:
        raise Refused("The unit is at this hospital already: choose another.")
    receiver = ctx.open_hospital(p.to_hospital_id)
    if unit["state"] != UnitState.AVAILABLE or unit["expires_at"] <= ctx.now:
        raise Refused(f"Only an available, unexpired unit can be sent; this one is {unit['state']} or expired.")
    sender = ctx.hospital(unit["hospital_id"])
    note = f"sent from {sender['short_name'] if sender else '?'} to {receiver['short_name']}: {p.reason}"
    changed = ctx.update(BLOOD_UNITS, unit, {
        "hospital_id": p.to_hospital_id, "location": f"received from {sender['short_name'] if sender else '?'}",
        "history": [*unit["history"], history_entry(ctx, UnitState.AVAILABLE.value, note)],
        "version": unit["version"] + 1, "updated_at": ctx.now})
    publish_unit(ctx, changed)
    ctx.publish(BLOOD_UNIT_ENTITY, unit_data(changed), hospital_id=unit["hospital_id"], owner_user_id=None)
    return int(changed["version"])


def transfuse(ctx: OpContext, op: Op, p: Any) -> int:
    """Started at the bedside: the bag scanned and the wristband read match the unit and its request."""
    assert isinstance(p, BloodTransfusePayload)
    unit, request = _locked(ctx, op.entity_id)
    request = _check_bedside(ctx, unit, request)
    if request["id"] != p.request_id:
        raise Refused("This unit was issued for another request: stop, and check the bag against the issue slip.")
    problem = bedside_problem(PatientIds(request["patient_name"], request["patient_second_id"]),
                              PatientIds(p.patient_name, p.patient_second_id), unit["din"], p.scanned_din)
    if problem is not None:
        raise Refused(problem)
    started_at = max(min(p.started_at, ctx.now), unit["updated_at"])
    _check_move(ctx, unit, UnitState.TRANSFUSED, "", at=started_at)
    changed = _moved(ctx, unit, UnitState.TRANSFUSED, "two identifiers and the unit number checked",
                     request_id=request["id"], at=started_at)
    note_unit_moved(ctx, request, changed, released=False)
    return int(changed["version"])


def _locked(ctx: OpContext, unit_id: str) -> tuple[Row, Row | None]:
    """The unit and, while it is reserved or issued, its request, both locked, the request first (the order
    allocation takes them in: two server processes never wait on each other in a circle)."""
    unit = ctx.get(BLOOD_UNITS, unit_id)
    if unit is None:
        raise Refused("This blood unit is not on the server: register it first.")
    request = None
    if unit["request_id"] and unit["state"] in (UnitState.RESERVED, UnitState.ISSUED):
        request = ctx.get(BLOOD_REQUESTS, unit["request_id"], for_update=True)
    unit = ctx.get(BLOOD_UNITS, unit_id, for_update=True)
    assert unit is not None  # units are never deleted
    on_request = unit["request_id"] is not None and unit["state"] in (UnitState.RESERVED, UnitState.ISSUED)
    if (request is None) == on_request or (request is not None and unit["request_id"] != request["id"]):
        # allocated, issued or released between the two reads: its request is not the one locked (or none was)
        raise Refused("This unit changed at the same moment: look at it again.", status="conflict",
                      current={"state": unit["state"], "version": unit["version"]})
    return unit, request


def _check_move(ctx: OpContext, unit: Row, target: UnitState, reason: str, *, at: datetime | None = None) -> None:
    """``at``: when the move happened (a transfusion's start), else now."""
    try:
        check_unit_move(UnitState(unit["state"]), target, expires_at=unit["expires_at"], now=at or ctx.now,
                        reason=reason)
    except MoveRefused as refusal:
        raise Refused(str(refusal), current={"state": unit["state"], "version": unit["version"]}) from None


def _moved(ctx: OpContext, unit: Row, target: UnitState, reason: str, *, request_id: str | None,
           at: datetime | None = None) -> Row:
    history = [*unit["history"], history_entry(ctx, target.value, reason.strip(), at)]
    changed = ctx.update(BLOOD_UNITS, unit, {"state": target.value, "request_id": request_id, "history": history,
                                             "version": unit["version"] + 1, "updated_at": ctx.now})
    publish_unit(ctx, changed)
    return changed


def _own_hospital(ctx: OpContext) -> str:
    if not ctx.user.hospital_id:
        raise Refused("This blood-bank account has no hospital: ask an administrator to assign one.")
    return str(ctx.user.hospital_id)


def _at_own_hospital(ctx: OpContext, unit: Row) -> None:
    if unit["hospital_id"] != _own_hospital(ctx):
        raise Refused("This unit is on another hospital's shelf.")


def _check_bedside(ctx: OpContext, unit: Row, request: Row | None) -> Row:
    """The request of a unit issued to a patient, if this nurse (its hospital) or crew (its transfer) may act
    on it."""
    if request is None or unit["state"] != UnitState.ISSUED:
        raise Refused(f"This unit is {unit['state']}, not issued to a patient: ask the blood bank.")
    require(ctx, _AT_BEDSIDE | _STAFF, "record a transfusion")
    if ctx.role in (Role.NURSE, Role.BLOOD_BANK) and request["hospital_id"] != ctx.user.hospital_id:
        raise Refused("This unit was issued to another hospital.")
    if ctx.role is Role.PARAMEDIC:
        if request["transfer_id"] is None:
            raise Refused("This unit was issued to a ward, not to your crew.")
        own_transfer(ctx, request["transfer_id"])
    return request
