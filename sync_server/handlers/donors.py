"""Blood donors (ops ``donor.register``, ``donor.donation``, ``donor.defer``; issue 24): a hospital blood bank's
registry, kept by its staff only. Every check runs before any write."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table

from emsync_desktop.domain.blood import Abo, BloodGroup, DinProblem, Donation, check_din
from emsync_desktop.domain.blood_donors import (
    DonorProblem,
    DonorRecord,
    check_donor,
    donation_problem,
    intervals_from_days,
    same_donor,
)
from emsync_desktop.domain.roles import Role
from emsync_desktop.sync.protocol import Op
from emsync_desktop.sync.protocol_blood import (
    DONOR_ENTITY,
    DonorDeferPayload,
    DonorDonationPayload,
    DonorRegisterPayload,
)
from sync_server.handlers.blood_par import BLOOD_PARS
from sync_server.models_blood import Donor
from sync_server.op_context import OpContext, Refused, require
from sync_server.rows import Row, rows_where

DONORS: Table = Donor.__table__  # type: ignore[assignment]


def register(ctx: OpContext, op: Op, p: Any) -> int:
    assert isinstance(p, DonorRegisterPayload)
    hospital_id = _staff_hospital(ctx)
    if ctx.get(DONORS, op.entity_id) is not None:
        raise Refused("A donor with this id exists already; register them again as a new donor.")
    try:
        name, phone = check_donor(p.name, p.phone)
    except DonorProblem as problem:
        raise Refused(str(problem)) from None
    if any(same_donor(name, phone, d["name"], d["phone"]) for d in rows_where(ctx.conn, DONORS, "hospital_id",
                                                                             hospital_id)):
        raise Refused(f"{name} ({phone or 'no phone'}) is on the registry already: record their donation there.")
    if p.last_given_at is not None and p.last_given_at > ctx.now:
        raise Refused("The last donation is in the future: check the date.")
    donor = {"id": op.entity_id, "hospital_id": hospital_id, "name": name, "phone": phone, "abo": p.abo,
             "rhd_positive": p.rhd_positive, "last_given_at": p.last_given_at,
             "last_kind": p.last_kind if p.last_given_at else None, "deferred_until": None, "deferral_reason": "",
             "donations": [], "version": 1, "updated_at": ctx.now}
    ctx.insert(DONORS, donor)
    _publish(ctx, donor)
    return 1


def donation(ctx: OpContext, op: Op, p: Any) -> int:
    assert isinstance(p, DonorDonationPayload)
    donor = _own_donor(ctx, op.entity_id)
    if p.given_at > ctx.now:
        raise Refused("The donation is in the future: check the date (and this device's clock).")
    record = DonorRecord(donor["id"], donor["name"], donor["phone"],
                         BloodGroup(Abo(donor["abo"]), bool(donor["rhd_positive"])), donor["last_given_at"],
                         Donation(donor["last_kind"]) if donor["last_kind"] else None, donor["deferred_until"])
    settings = ctx.get(BLOOD_PARS, donor["hospital_id"])
    intervals = intervals_from_days(settings["donation_days"] if settings else None)
    refusal = donation_problem(record, p.given_at, donor["deferral_reason"], intervals)
    if refusal is not None:
        raise Refused(refusal)
    try:
        din = check_din(p.din) if p.din else None
    except DinProblem as problem:
        raise Refused(str(problem)) from None
    entry = {"at": p.given_at.isoformat(), "kind": p.kind, "din": din, "by": ctx.user.display_name}
    newest = donor["last_given_at"] is None or p.given_at >= donor["last_given_at"]
    changed = ctx.update(DONORS, donor, {
        "donations": [*donor["donations"], entry], "version": donor["version"] + 1, "updated_at": ctx.now,
        "last_given_at": p.given_at if newest else donor["last_given_at"],
        "last_kind": p.kind if newest else donor["last_kind"]})
    _publish(ctx, changed)
    return int(changed["version"])


def defer(ctx: OpContext, op: Op, p: Any) -> int:
    assert isinstance(p, DonorDeferPayload)
    donor = _own_donor(ctx, op.entity_id)
    if p.until is not None and not p.reason.strip():
        raise Refused("Say why the donor is deferred (e.g. 'travel to a malaria area', 'antibiotics').")
    changed = ctx.update(DONORS, donor, {
        "deferred_until": p.until, "deferral_reason": p.reason.strip() if p.until else "",
        "version": donor["version"] + 1, "updated_at": ctx.now})
    _publish(ctx, changed)
    return int(changed["version"])


def _staff_hospital(ctx: OpContext) -> str:
    require(ctx, {Role.BLOOD_BANK}, "keep the donor registry")
    if not ctx.user.hospital_id:
        raise Refused("This blood-bank account has no hospital: ask an administrator to assign one.")
    return str(ctx.user.hospital_id)


def _own_donor(ctx: OpContext, donor_id: str) -> Row:
    hospital_id = _staff_hospital(ctx)
    donor = ctx.get(DONORS, donor_id, for_update=True)
    if donor is None:
        raise Refused("Waiting for the donor's registration to reach the server.", status="deferred")
    if donor["hospital_id"] != hospital_id:
        raise Refused("This donor is on another blood bank's registry.")
    return donor


def donor_data(d: Row) -> dict[str, Any]:
    def iso(value: Any) -> str | None:
        return value.isoformat() if value is not None else None

    return {"id": d["id"], "hospital_id": d["hospital_id"], "name": d["name"], "phone": d["phone"], "abo": d["abo"],
            "rhd_positive": bool(d["rhd_positive"]), "last_given_at": iso(d["last_given_at"]),
            "last_kind": d["last_kind"], "deferred_until": iso(d["deferred_until"]),
            "deferral_reason": d["deferral_reason"], "donations": d["donations"], "version": d["version"]}


def _publish(ctx: OpContext, donor: Row) -> None:
    ctx.publish(DONOR_ENTITY, donor_data(donor), hospital_id=donor["hospital_id"], owner_user_id=None)
