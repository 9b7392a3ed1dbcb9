"""Case use cases: open, edit details, record vitals, list and search.

Threading: call these on the DbRunner thread only (see ``runner.py``).
Transactions: every public method is one transaction; a refused value changes
nothing and returns the reason in ``SaveResult.error``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy.orm import Session

from emsync_desktop.domain.card_reading import IdType
from emsync_desktop.domain.disposition import Disposition
from emsync_desktop.domain.ids import new_id
from emsync_desktop.domain.news2 import compute_news2
from emsync_desktop.domain.patient import Sex, age_on, check_phone, parse_age, parse_date_of_birth
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.domain.vitals import NUMERIC_SPECS, Consciousness, check_numeric, check_vitals_set
from emsync_desktop.services.case_views import (
    CaseSnapshot,
    CaseSummary,
    VitalsEntry,
    case_title,
    news2_summary,
    snapshot_of,
    status_of,
    vitals_of,
)
from emsync_desktop.services.clock import utc_now
from emsync_desktop.store.database import Store
from emsync_desktop.store.models import Encounter, VitalsRecord
from emsync_desktop.store.repositories import (
    get_encounter,
    get_vitals,
    latest_transfer_by_encounter,
    list_encounters,
    update_encounter,
    vitals_by_encounter,
)

TEXT_LIMITS = {"name": 128, "id_number": 64, "chief_complaint": 500, "history": 4000, "allergies": 2000,
               "medications": 2000, "address": 300, "insurer": 128, "policy_number": 64}
DETAIL_FIELDS = (*TEXT_LIMITS, "phone", "date_of_birth", "age_years", "sex", "spo2_scale", "id_type")
VITAL_FIELDS = (*NUMERIC_SPECS, "on_oxygen", "consciousness", "notes")
CARRIABLE_FIELDS = (*NUMERIC_SPECS, "on_oxygen", "consciousness")
_YES = {"yes", "y", "true", "1", "oxygen", "o2"}
_NO = {"no", "n", "false", "0", "air"}


class CaseNotFound(LookupError):
    pass


@dataclass(frozen=True)
class SaveResult:
    """Outcome of saving one field. ``error`` set means nothing was written."""

    snapshot: CaseSnapshot
    error: str | None = None
    warning: str | None = None
    vitals_id: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class CaseService:
    def __init__(self, store: Store, user: UserInfo, device_id: str,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self._store = store
        self._user = user
        self._device_id = device_id
        self._clock = clock

    def open_case(self) -> CaseSnapshot:
        now = self._clock()
        with self._store.sessions.begin() as session:
            row = Encounter(
                id=new_id(), device_id=self._device_id, created_by=self._user.id,
                crew=self._user.ambulance_unit or "", created_at=now, updated_at=now, status="open",
                sex=Sex.UNKNOWN.value, chief_complaint="", history="", allergies="", medications="",
                spo2_scale=1,
            )
            session.add(row)
            session.flush()
            return snapshot_of(load_encounter(session, row.id))

    def load(self, case_id: str) -> CaseSnapshot:
        with self._store.sessions.begin() as session:
            return snapshot_of(load_encounter(session, case_id))

    def set_detail(self, case_id: str, field: str, text: str) -> SaveResult:
        if field not in DETAIL_FIELDS:
            raise ValueError(f"unknown case field {field!r}")
        today = self._clock().date()
        with self._store.sessions.begin() as session:
            row = load_encounter(session, case_id)
            changes, error, warning = parse_detail(row, field, text, today)
            if error is None:
                update_encounter(session, row, changes, self._clock())
                session.flush()
            return SaveResult(snapshot_of(row), error, warning)

    def set_vital(self, case_id: str, vitals_id: str, field: str, text: str) -> SaveResult:
        """Save one vital of the observation set ``vitals_id``.

        The caller chooses the id (``new_id()``) when it starts a set, so several
        fields typed quickly land in the same set; the set's row is created, with
        ``taken_at`` = now, by the first non-empty value.
        """
        if field not in VITAL_FIELDS:
            raise ValueError(f"unknown vital {field!r}")
        with self._store.sessions.begin() as session:
            row = load_encounter(session, case_id)
            value, error, warning = _parse_vital(field, text)
            record = get_vitals(session, vitals_id)
            if record is not None and record.encounter_id != case_id:
                raise ValueError("observation set belongs to another case")
            if error is None and record is None and value in (None, ""):
                return SaveResult(snapshot_of(row))
            if error is None:
                error = _cross_check(record, field, value)
            if error is not None:
                return SaveResult(snapshot_of(row), error, None, vitals_id)
            now = self._clock()
            if record is None:
                record = VitalsRecord(id=vitals_id, encounter=row, taken_at=now, recorded_by=self._user.id,
                                      updated_at=now, notes="")
                session.add(record)
            setattr(record, field, value)
            _uncarry(record, field)  # typed now: measured, not carried
            record.updated_at = now
            row.updated_at = now
            session.flush()
            session.expire(row, ["vitals"])
            return SaveResult(snapshot_of(load_encounter(session, case_id)), None, warning, record.id)

    def carry_forward(self, case_id: str, vitals_id: str, fields: Iterable[str]) -> SaveResult:
        """Copy ``fields`` from the newest other set into the set ``vitals_id`` (created, timed now, if it
        does not exist yet), each marked as carried until it is typed again. A value already in the set is
        kept (it was measured); a field the set before lacks is left empty. One transaction."""
        wanted = [field for field in fields if field in CARRIABLE_FIELDS]
        with self._store.sessions.begin() as session:
            row = load_encounter(session, case_id)
            record = get_vitals(session, vitals_id)
            if record is not None and record.encounter_id != case_id:
                raise ValueError("observation set belongs to another case")
            source = _set_before(row, vitals_id)
            if source is None:
                return SaveResult(snapshot_of(row), "There is no earlier set to carry values from.", None, vitals_id)
            copied = [f for f in wanted if getattr(source, f) is not None
                      and (record is None or getattr(record, f) is None)]
            if not copied:
                return SaveResult(snapshot_of(row), None, "Nothing to carry: the set has those values already, "
                                  "or the set before lacks them.", vitals_id)
            now = self._clock()
            if record is None:
                record = VitalsRecord(id=vitals_id, encounter=row, taken_at=now, recorded_by=self._user.id,
                                      updated_at=now, notes="", carried="[]")
                session.add(record)
            for field in copied:
                setattr(record, field, getattr(source, field))
            record.carried = json.dumps(sorted({*json.loads(record.carried or "[]"), *copied}))
            record.updated_at = row.updated_at = now
            session.flush()
            session.expire(row, ["vitals"])
            return SaveResult(snapshot_of(load_encounter(session, case_id)), None, None, record.id)

    def search(self, query: str = "") -> list[CaseSummary]:
        """Cases newest first; ``query`` matches name, ID number, phone or complaint (any case)."""
        needle = query.strip().casefold()
        with self._store.sessions.begin() as session:
            rows = [r for r in list_encounters(session) if r.status != "discarded"]
            # The active list is the open cases; a search finds closed ones too (marked as such).
            matched = [r for r in rows if needle in _haystack(r)] if needle else [r for r in rows if r.status == "open"]
            series = vitals_by_encounter(session, [r.id for r in matched])
            sent = latest_transfer_by_encounter(session, [r.id for r in matched])
            return [replace(_summary(r, series.get(r.id, [])), transfer_text=_closed_words(r) or sent.get(r.id, ""))
                    for r in matched]


def load_encounter(session: Session, case_id: str) -> Encounter:
    """The case's row; CaseNotFound when this device has none."""
    row = get_encounter(session, case_id)
    if row is None:
        raise CaseNotFound(f"case {case_id} does not exist on this device")
    return row


def _closed_words(row: Encounter) -> str:
    if row.status != "closed" or not row.disposition:
        return ""
    return f"Closed: {Disposition(row.disposition).label}"


def _haystack(row: Encounter) -> str:
    return " ".join(x or "" for x in (row.name, row.id_number, row.phone, row.chief_complaint)).casefold()


def _summary(row: Encounter, series: list[VitalsRecord]) -> CaseSummary:
    entries = tuple(VitalsEntry(v.id, vitals, compute_news2(vitals, row.spo2_scale))
                    for v in series for vitals in [vitals_of(v)])
    news2_text, band = news2_summary(status_of(entries))
    return CaseSummary(
        id=row.id, title=case_title(row.name, row.age_years, row.sex), chief_complaint=row.chief_complaint,
        updated_at=row.updated_at, news2_text=news2_text, news2_band=band,
    )


def parse_detail(row: Encounter, field: str, text: str, today: date
                  ) -> tuple[dict[str, object], str | None, str | None]:
    if field in TEXT_LIMITS:
        limit = TEXT_LIMITS[field]
        if len(text) > limit:
            return {}, f"Too long: keep it under {limit} characters.", None
        return {field: text}, None, None
    if field == "phone":
        error = check_phone(text)
        return ({}, error, None) if error else ({"phone": text.strip()}, None, None)
    if field == "date_of_birth":
        return _parse_dob(row, text, today)
    if field == "age_years":
        age, error = parse_age(text)
        if error:
            return {}, error, None
        return {"age_years": age}, None, _age_mismatch(row, age, today)
    if field == "id_type":
        if text.strip() and text.strip() not in {kind.value for kind in IdType}:
            return {}, "ID type: choose passport, national ID card, Aadhaar, driving licence, visa or other.", None
        return {"id_type": text.strip()}, None, None
    if field == "sex":
        try:
            return {"sex": Sex(text.strip().lower() or "unknown").value}, None, None
        except ValueError:
            return {}, "Sex: choose female, male, other or unknown.", None
    if text.strip() not in ("1", "2"):
        return {}, "SpO2 scale must be 1 or 2 (scale 2 only for hypercapnic respiratory failure).", None
    return {"spo2_scale": int(text.strip())}, None, None


def _parse_dob(row: Encounter, text: str, today: date) -> tuple[dict[str, object], str | None, str | None]:
    dob, error = parse_date_of_birth(text, today)
    if error:
        return {}, error, None
    changes: dict[str, object] = {"date_of_birth": dob.isoformat() if dob else None}
    if dob is not None and row.age_years is None:
        changes["age_years"] = age_on(dob, today)
    warning = _age_mismatch(row, row.age_years, today, dob) if dob and row.age_years is not None else None
    return changes, None, warning


def _age_mismatch(row: Encounter, age: int | None, today: date, dob: date | None = None) -> str | None:
    dob = dob or (date.fromisoformat(row.date_of_birth) if row.date_of_birth else None)
    if dob is None or age is None:
        return None
    actual = age_on(dob, today)
    if abs(actual - age) > 1:
        return f"Age {age} does not match the date of birth (which gives {actual}). Check both."
    return None


def _parse_vital(field: str, text: str) -> tuple[object, str | None, str | None]:
    raw = text.strip()
    if field in NUMERIC_SPECS:
        check = check_numeric(field, raw)
        return check.value, check.error, check.warning
    if field == "on_oxygen":
        if not raw:
            return None, None, None
        if raw.lower() in _YES | _NO:
            return raw.lower() in _YES, None, None
        return None, "Oxygen: choose 'air' or 'oxygen'.", None
    if field == "consciousness":
        if not raw:
            return None, None, None
        try:
            return Consciousness(raw.upper()).value, None, None
        except ValueError:
            return None, "Consciousness: choose A, C (new confusion), V, P or U.", None
    if len(text) > 2000:
        return None, "Notes are too long: keep them under 2000 characters.", None
    return text, None, None


def _set_before(row: Encounter, vitals_id: str) -> VitalsRecord | None:
    """The newest set of the case other than ``vitals_id`` that has any value."""
    others = [v for v in row.vitals if v.id != vitals_id and not vitals_of(v).is_empty()]
    return max(others, key=lambda v: v.taken_at) if others else None


def _uncarry(record: VitalsRecord, field: str) -> None:
    carried = json.loads(record.carried or "[]")
    if field in carried:
        record.carried = json.dumps([name for name in carried if name != field])


def _cross_check(record: VitalsRecord | None, field: str, value: object) -> str | None:
    if field not in ("sbp_mmhg", "dbp_mmhg") or record is None:
        return None
    vitals = vitals_of(record).with_value(field, value)
    errors = check_vitals_set(vitals)
    return errors.get("dbp_mmhg")
