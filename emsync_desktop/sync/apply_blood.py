"""Applying the blood bank's feed rows on a device (issue 24): the server's unit or request replaces this device's
copy when newer (or when the device's own op on it has been answered since). ``apply`` calls these per change,
inside its page's transaction."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table

from emsync_desktop.store.models_blood import BloodParRow, BloodRequestRecord, BloodUnitRecord, DonorRow
from emsync_desktop.sync.protocol import Change
from emsync_desktop.sync.protocol_blood import BLOOD_PAR_ENTITY, BLOOD_REQUEST_ENTITY, BLOOD_UNIT_ENTITY, DONOR_ENTITY

if TYPE_CHECKING:
    from emsync_desktop.sync.apply import _Page

BLOOD_TABLES: dict[str, Table] = {BLOOD_REQUEST_ENTITY: BloodRequestRecord.__table__,  # type: ignore[dict-item]
                                  BLOOD_UNIT_ENTITY: BloodUnitRecord.__table__,  # type: ignore[dict-item]
                                  DONOR_ENTITY: DonorRow.__table__,  # type: ignore[dict-item]
                                  BLOOD_PAR_ENTITY: BloodParRow.__table__}  # type: ignore[dict-item]
_PATIENT = ("patient_name", "patient_second_id")  # kept in their encrypted columns, not in ``data``


def apply_unit(page: _Page, change: Change) -> bool:
    d = change.data
    values = {"hospital_id": d["hospital_id"], "din": d["din"], "component": d["component"], "abo": d["abo"],
              "rhd_positive": bool(d["rhd_positive"]), "expires_at": utc_from_text(d["expires_at"]),
              "state": d["state"],
              "request_id": d.get("request_id"), "data": json.dumps(d)}
    return replace_record(page, BLOOD_UNIT_ENTITY, change, values)


def apply_request(page: _Page, change: Change) -> bool:
    d = change.data
    values = {"hospital_id": d["hospital_id"], "transfer_id": d.get("transfer_id"), "requested_by": d["requested_by"],
              "urgency": d["urgency"], "state": d["state"], "created_at": utc_from_text(d["created_at"]),
              "patient_name": d["patient_name"], "patient_second_id": d["patient_second_id"],
              "data": json.dumps({k: v for k, v in d.items() if k not in _PATIENT})}
    return replace_record(page, BLOOD_REQUEST_ENTITY, change, values)


def apply_donor(page: _Page, change: Change) -> bool:
    d = change.data
    values = {"hospital_id": d["hospital_id"], "name": d["name"], "phone": d["phone"], "abo": d["abo"],
              "rhd_positive": bool(d["rhd_positive"]), "last_given_at": _utc_or_none(d.get("last_given_at")),
              "deferred_until": _utc_or_none(d.get("deferred_until")),
              "data": json.dumps({k: v for k, v in d.items() if k not in ("name", "phone")})}
    return replace_record(page, DONOR_ENTITY, change, values)


def apply_par(page: _Page, change: Change) -> bool:
    d = change.data
    settings = {"pack": d.get("pack"), "donation_days": d.get("donation_days")}
    values = {"levels": json.dumps(d["levels"]), "settings": json.dumps(settings)}
    return replace_record(page, BLOOD_PAR_ENTITY, change, values)


def replace_record(page: _Page, entity: str, change: Change, values: dict[str, Any]) -> bool:
    record_id = change.data["id"]
    row = page.get(entity, record_id)
    state = page.sync_state(record_id)
    if row is not None and row["version"] >= change.version and row["sync_state"] == state:
        return False
    values |= {"version": max(change.version, row["version"] if row else 0), "sync_state": state,
               "sync_reason": None}
    if row is None:
        page.add(entity, {"id": record_id, **values})
    else:
        page.set(entity, record_id, values)
    return True


def utc_from_text(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _utc_or_none(text: str | None) -> datetime | None:
    return utc_from_text(text) if text else None
