"""Blood requests (ops ``blood.request``, ``blood.allocate``, ``blood.issue``, ``blood.cancel``; issue 24): a ward
or a crew asks a hospital's blood bank for components for one patient; the blood bank allocates units, which the
server chooses (or checks, when named) under row locks, and issues them.

Allocation is the scarce decision, made here and nowhere else: for each component still wanted, the donor groups
the patient may receive in tiers best first (``domain.blood.allocation_tiers``: closest match, O negative kept for
those who need it), and within a tier the first unit to expire (``blood_shelf.take_from_shelf``). What cannot be
had is said, and the request stays open for it. Every check runs before any write."""

from __future__ import annotations

from typing import Any

from emsync_desktop.domain.blood import (
    Abo,
    BloodGroup,
    Component,
    Match,
    Recipient,
    allocation_tiers,
    compatibility,
    counts_text,
)
from emsync_desktop.domain.blood_flow import RequestState, UnitState, Urgency, outstanding, request_state
from emsync_desktop.domain.roles import Role
from emsync_desktop.sync.protocol import Op
from emsync_desktop.sync.protocol_blood import (
    BloodAllocatePayload,
    BloodCancelPayload,
    BloodIssuePayload,
    BloodRequestPayload,
)
from sync_server.blood_shelf import (
    BLOOD_REQUESTS,
    BLOOD_UNITS,
    history_entry,
    publish_request,
    publish_unit,
    take_from_shelf,
)
from sync_server.op_context import OpContext, Refused, own_transfer, require
from sync_server.rows import Row, rows_where

_ASKERS = {Role.NURSE, Role.PARAMEDIC, Role.BLOOD_BANK}
_STAFF = {Role.BLOOD_BANK}


def request(ctx: OpContext, op: Op, p: Any) -> int:
    assert isinstance(p, BloodRequestPayload)
    require(ctx, _ASKERS, "ask for blood")
    hospital_id = _asked_hospital(ctx, p.transfer_id)
    ctx.open_hospital(hospital_id)
    if ctx.get(BLOOD_REQUESTS, op.entity_id) is not None:
        raise Refused("A request with this id exists already; send it again as a new request.")
    counts = {c: n for c, n in p.counts.items() if n > 0}
    if not counts:
        raise Refused("Ask for at least one unit of one component.")
    if (p.abo is None) != (p.rhd_positive is None):
        raise Refused("Give the patient's ABO group and RhD type together, or neither (group not known).")
    row = {"id": op.entity_id, "hospital_id": hospital_id, "transfer_id": p.transfer_id,
           "requested_by": ctx.user.id, "patient_name": p.patient_name, "patient_second_id": p.patient_second_id,
           "abo": p.abo, "rhd_positive": p.rhd_positive, "childbearing": p.childbearing, "urgency": p.urgency,
           "mtp": p.mtp, "counts": counts, "reason": p.reason.strip(), "state": RequestState.OPEN.value,
           "units": [], "created_at": ctx.now, "updated_at": ctx.now,
           "history": [history_entry(ctx, RequestState.OPEN.value, p.reason.strip())], "version": 1}
    ctx.insert(BLOOD_REQUESTS, row)
    publish_request(ctx, row)
    return 1


def _asked_hospital(ctx: OpContext, transfer_id: str | None) -> str:
    """Whose blood bank is asked: a crew's transfer's destination; a ward's or blood bank's own hospital."""
    if ctx.role is Role.PARAMEDIC:
        if transfer_id is None:
            raise Refused("Ask for blood on a transfer: book the hospital first, then pre-alert its blood bank.")
        return str(own_transfer(ctx, transfer_id)["destination_hospital_id"])
    if not ctx.user.hospital_id:
        raise Refused("This account has no hospital: ask an administrator to assign one.")
    if transfer_id is not None and own_transfer(ctx, transfer_id)["destination_hospital_id"] != ctx.user.hospital_id:
        raise Refused("This transfer is not coming to your hospital.")
    return str(ctx.user.hospital_id)


def allocate(ctx: OpContext, op: Op, p: Any) -> int:
    """Reserve units for the request: those named (each checked), or the server's choice. Refused when not one
    unit could be reserved; otherwise applied, with what is still missing in the request's history."""
    assert isinstance(p, BloodAllocatePayload)
    req = request_for_staff(ctx, op.entity_id)
    if RequestState(req["state"]) is not RequestState.OPEN:
        raise Refused(f"This request is {req['state']}: nothing is left to allocate.",
                      current={"state": req["state"], "version": req["version"]})
    wanted = _outstanding(req)
    chosen = (_named_units(ctx, req, wanted, p.unit_ids) if p.unit_ids
              else _server_choice(ctx, req, wanted, shortage=p.shortage))
    if not chosen:
        raise Refused(f"No compatible unit is on the shelf for {_missing_text(wanted)}"
                      + (": only units acceptable in a shortage are; allocate them with 'Allow shortage match' if "
                         "the clinician agrees." if not p.unit_ids and not p.shortage
                         and _server_choice(ctx, req, wanted, shortage=True, peek=True)
                         else ": ask the blood centre or a neighbouring hospital (the desk sees who holds stock)."))
    units = [{"id": u["id"], "component": u["component"], "state": UnitState.RESERVED.value} for u, _ in chosen]
    for unit, note in chosen:
        changed = ctx.update(BLOOD_UNITS, unit, {
            "state": UnitState.RESERVED.value, "request_id": req["id"], "version": unit["version"] + 1,
            "history": [*unit["history"], history_entry(ctx, UnitState.RESERVED.value, note)], "updated_at": ctx.now})
        publish_unit(ctx, changed)
    missing = _missing_after(wanted, [u for u, _ in chosen])
    note = f"still missing: {missing}" if missing else ""
    return _rewrite(ctx, req, [*req["units"], *units], UnitState.RESERVED.value, note)


def _server_choice(ctx: OpContext, req: Row, wanted: dict[Component, int], *, shortage: bool,
                   peek: bool = False) -> list[tuple[Row, str]]:
    """The units to reserve, tier by tier (see the module's note). ``peek``: only whether there are any (nothing
    is reserved either way; the caller writes)."""
    recipient, emergency = recipient_of(req), Urgency[req["urgency"].upper()] is Urgency.EMERGENCY
    chosen: list[tuple[Row, str]] = []
    for component, n in wanted.items():
        for tier in allocation_tiers(component, recipient, emergency=emergency, shortage=shortage):
            if n <= 0:
                break
            for unit in take_from_shelf(ctx.conn, hospital_id=req["hospital_id"], component=component,
                                        groups=tier, n=n, now=ctx.now, lock=not peek):
                chosen.append((unit, _verdict_note(unit, recipient, emergency)))
                n -= 1
            if peek and chosen:
                return chosen
    return chosen


def _named_units(ctx: OpContext, req: Row, wanted: dict[Component, int], unit_ids: list[str]) -> list[
        tuple[Row, str]]:
    recipient, emergency = recipient_of(req), Urgency[req["urgency"].upper()] is Urgency.EMERGENCY
    left, chosen = dict(wanted), []
    for unit_id in sorted(set(unit_ids)):  # one lock order for every allocation
        unit = ctx.get(BLOOD_UNITS, unit_id, for_update=True)
        if unit is None or unit["hospital_id"] != req["hospital_id"]:
            raise Refused("A unit chosen is not on this blood bank's shelf.")
        component = Component(unit["component"])
        if unit["state"] != UnitState.AVAILABLE or unit["expires_at"] <= ctx.now:
            raise Refused(f"Unit {unit['din']} is no longer available (it is {unit['state']} or expired): choose "
                          "another, or let the server choose.")
        if left.get(component, 0) <= 0:
            raise Refused(f"The request asks for no more {component.label.lower()}: unit {unit['din']} is extra.")
        verdict = compatibility(component, _group(unit), recipient, emergency=emergency)
        if verdict.match is Match.NO:
            raise Refused(f"Unit {unit['din']} ({_group(unit)}) may not go to this patient: {verdict.reason}.")
        left[component] -= 1
        chosen.append((unit, _verdict_note(unit, recipient, emergency)))
    return chosen


def issue(ctx: OpContext, op: Op, p: Any) -> int:
    """Reserved units leave the blood bank for the request's patient; none may have expired."""
    assert isinstance(p, BloodIssuePayload)
    req = request_for_staff(ctx, op.entity_id)
    units = []
    for unit_id in sorted(set(p.unit_ids)):
        unit = ctx.get(BLOOD_UNITS, unit_id, for_update=True)
        if unit is None or unit["request_id"] != req["id"] or unit["state"] != UnitState.RESERVED:
            raise Refused("A unit to issue is not reserved for this request: allocate it first.")
        if unit["expires_at"] <= ctx.now:
            raise Refused(f"Unit {unit['din']} expired at {unit['expires_at']:%Y-%m-%d %H:%M} UTC: it cannot be "
                          "issued; discard it and allocate another.")
        units.append(unit)
    issued = {u["id"] for u in units}
    for unit in units:
        changed = ctx.update(BLOOD_UNITS, unit, {
            "state": UnitState.ISSUED.value, "version": unit["version"] + 1, "updated_at": ctx.now,
            "history": [*unit["history"], history_entry(ctx, UnitState.ISSUED.value)]})
        publish_unit(ctx, changed)
    given = [{**u, "state": UnitState.ISSUED.value} if u["id"] in issued else u for u in req["units"]]
    return _rewrite(ctx, req, given, UnitState.ISSUED.value, f"{len(issued)} unit(s)")


def cancel(ctx: OpContext, op: Op, p: Any) -> int:
    """No longer needed: reserved units go back to the shelf. Refused while a unit is out (return it first)."""
    assert isinstance(p, BloodCancelPayload)
    req = ctx.get(BLOOD_REQUESTS, op.entity_id, for_update=True)
    if req is None:
        raise Refused("This request is not on the server.")
    _may_cancel(ctx, req)
    if any(u["state"] == UnitState.ISSUED for u in req["units"]):
        raise Refused("Units of this request are out of the blood bank: return them first, then cancel.")
    if RequestState(req["state"]) in (RequestState.CANCELLED, RequestState.DONE):
        raise Refused(f"This request is {req['state']} already.")
    return _release_and_cancel(ctx, req, p.reason)


def close_pre_alerts(ctx: OpContext, transfer: Row, why: str) -> None:
    """The transfer will not bring its patient to the hospital its blood was asked of (redirected, cancelled,
    rejected): each open pre-alert there is cancelled, its reserved units back on the shelf, with ``why``. One
    with units already out stays open for the blood bank to see (they come back as returned). Called by the
    transfer handlers, which run in a savepoint."""
    for req in rows_where(ctx.conn, BLOOD_REQUESTS, "transfer_id", transfer["id"]):
        if req["hospital_id"] == transfer["destination_hospital_id"] or RequestState(req["state"]) not in (
                RequestState.OPEN, RequestState.ALLOCATED):
            continue
        locked = ctx.get(BLOOD_REQUESTS, req["id"], for_update=True)
        if locked is not None and not any(u["state"] == UnitState.ISSUED for u in locked["units"]):
            _release_and_cancel(ctx, locked, why)


def _release_and_cancel(ctx: OpContext, req: Row, why: str) -> int:
    for given in sorted(req["units"], key=lambda u: u["id"]):  # one lock order for every op that takes units
        unit = ctx.get(BLOOD_UNITS, given["id"], for_update=True)
        if unit is not None and unit["state"] == UnitState.RESERVED and unit["request_id"] == req["id"]:
            changed = ctx.update(BLOOD_UNITS, unit, {
                "state": UnitState.AVAILABLE.value, "request_id": None, "version": unit["version"] + 1,
                "updated_at": ctx.now,
                "history": [*unit["history"], history_entry(ctx, UnitState.AVAILABLE.value, "request cancelled")]})
            publish_unit(ctx, changed)
    kept = [u for u in req["units"] if u["state"] != UnitState.RESERVED]
    return _rewrite(ctx, req, kept, RequestState.CANCELLED.value, why, cancelled=True)


def _may_cancel(ctx: OpContext, req: Row) -> None:
    if ctx.user.id == req["requested_by"]:
        return
    require(ctx, {Role.NURSE, Role.BLOOD_BANK}, "cancel another person's blood request")
    if req["hospital_id"] != ctx.user.hospital_id:
        raise Refused("This request is for another hospital's blood bank.")


def note_unit_moved(ctx: OpContext, req: Row, unit: Row, *, released: bool) -> None:
    """One of the request's units moved (``blood_units``): ``released``, it left the request (back to stock,
    quarantined or discarded before issue), else its new state is kept on the request."""
    if released:
        given = [u for u in req["units"] if u["id"] != unit["id"]]
    else:
        given = [{**u, "state": unit["state"]} if u["id"] == unit["id"] else u for u in req["units"]]
    _rewrite(ctx, req, given, unit["state"], f"unit {unit['din']}")


def _rewrite(ctx: OpContext, req: Row, units: list[dict[str, Any]], event: str, note: str, *,
             cancelled: bool = False) -> int:
    state = request_state(_asked(req), [(Component(u["component"]), UnitState(u["state"])) for u in units],
                          cancelled=cancelled)
    history = [*req["history"], history_entry(ctx, event, note.strip())]
    changed = ctx.update(BLOOD_REQUESTS, req, {"units": units, "state": state.value, "history": history,
                                               "version": req["version"] + 1, "updated_at": ctx.now})
    publish_request(ctx, changed)
    return int(changed["version"])


def request_for_staff(ctx: OpContext, request_id: str) -> Row:
    """The request, locked, if the signed-in blood-bank user's hospital is the one asked."""
    require(ctx, _STAFF, "allocate or issue blood")
    req = ctx.get(BLOOD_REQUESTS, request_id, for_update=True)
    if req is None:
        raise Refused("Waiting for the request to reach the server.", status="deferred")
    if req["hospital_id"] != ctx.user.hospital_id:
        raise Refused("This request is for another hospital's blood bank.")
    return req


def recipient_of(req: Row) -> Recipient:
    group = None if req["abo"] is None else BloodGroup(Abo(req["abo"]), bool(req["rhd_positive"]))
    return Recipient(group, bool(req["childbearing"]))


def _group(unit: Row) -> BloodGroup:
    return BloodGroup(Abo(unit["abo"]), bool(unit["rhd_positive"]))


def _asked(req: Row) -> dict[Component, int]:
    return {Component(c): int(n) for c, n in req["counts"].items()}


def _outstanding(req: Row) -> dict[Component, int]:
    return outstanding(_asked(req), [(Component(u["component"]), UnitState(u["state"])) for u in req["units"]])


def _missing_after(wanted: dict[Component, int], taken: list[Row]) -> str:
    left = dict(wanted)
    for unit in taken:
        left[Component(unit["component"])] -= 1
    return _missing_text({c: n for c, n in left.items() if n > 0})


def _missing_text(missing: dict[Component, int]) -> str:
    return counts_text(missing)


def _verdict_note(unit: Row, recipient: Recipient, emergency: bool) -> str:
    """What the unit's history says of the match: the reason when it is only acceptable (in shortage)."""
    verdict = compatibility(Component(unit["component"]), _group(unit), recipient, emergency=emergency)
    return verdict.reason if verdict.match is Match.ACCEPTABLE else ""
