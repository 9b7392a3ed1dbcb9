"""The blood bank's use cases on a device (issue 24): register a unit, ask for blood, allocate, issue, cancel, move
a unit, start a transfusion at the bedside.

Runs on the DB thread. Each action is one transaction: this device's copy of the record and the outbox op together
(saved the moment it is done; sent when online). What the server decides (which units a request gets, whether a
move is allowed now) comes back through the feed; a refusal is kept on the record with its reason
(``sync_state``). What the device can check alone is checked here first, so a tired person hears at once what to
fix: the donation number's check character, the bedside's two identifiers and the unit number."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from emsync_desktop.domain.blood import (
    Abo,
    BloodGroup,
    Component,
    DinProblem,
    Donation,
    PackRatio,
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
    Urgency,
    bedside_problem,
    check_unit_move,
    other_group_text,
    same_donation_text,
)
from emsync_desktop.domain.blood_par import DEFAULT_PAR, Par, par_from_lines, par_to_lines
from emsync_desktop.domain.ids import new_id
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.services.clock import utc_now
from emsync_desktop.store.database import Store
from emsync_desktop.store.models_blood import BloodParRow, BloodRequestRecord, BloodUnitRecord
from emsync_desktop.sync.outbox import enqueue
from emsync_desktop.sync.protocol import OpKind
from emsync_desktop.sync.protocol_blood import (
    BloodAllocatePayload,
    BloodCancelPayload,
    BloodIssuePayload,
    BloodParSetPayload,
    BloodRequestPayload,
    BloodTransfusePayload,
    BloodUnitAddPayload,
    BloodUnitMovePayload,
    BloodUnitSendPayload,
)


class BloodInputProblem(ValueError):
    """What was typed cannot be right; the text says what to do. Nothing was saved."""


@dataclass(frozen=True)
class NewUnit:
    din: str  # as typed or scanned (check character verified when given)
    product_code: str
    component: Component
    abo: Abo
    rhd_positive: bool
    volume_ml: int
    collected_at: datetime
    label_expiry: datetime | None = None
    location: str = ""


@dataclass(frozen=True)
class BloodAsk:
    """A request for one patient; ``abo`` None: group not known."""

    patient: PatientIds
    abo: Abo | None
    rhd_positive: bool | None
    childbearing: bool
    urgency: Urgency
    counts: dict[Component, int]
    reason: str = ""
    mtp: bool = False
    transfer_id: str | None = None
    hospital_id: str | None = None  # whose blood bank: a crew's destination (the server checks it)


class BloodBankService:
    def __init__(self, store: Store, user: UserInfo) -> None:
        self._store = store
        self._user = user

    @property
    def store(self) -> Store:
        return self._store

    @property
    def user(self) -> UserInfo:
        return self._user

    def register_unit(self, unit: NewUnit) -> str:
        """A bag on this blood bank's shelf; returns its id. Raises BloodInputProblem."""
        try:
            din, product_code = check_din(unit.din), check_product_code(unit.product_code)
        except DinProblem as problem:
            raise BloodInputProblem(str(problem)) from None
        now = utc_now()
        expires_at = expiry(unit.component, unit.collected_at, unit.label_expiry, ShelfLives())
        too_late = label_expiry_problem(unit.component, unit.collected_at, expires_at)
        if too_late is not None:
            raise BloodInputProblem(too_late)
        _check_unit_dates(unit.collected_at, expires_at, now)
        payload = BloodUnitAddPayload(
            din=unit.din, product_code=product_code, component=unit.component.value,
            abo=unit.abo.value, rhd_positive=unit.rhd_positive, volume_ml=unit.volume_ml,
            collected_at=unit.collected_at, expires_at=unit.label_expiry, location=unit.location.strip())
        unit_id = new_id()
        data = {**payload.model_dump(mode="json"), "id": unit_id, "din": din, "hospital_id": self._hospital(),
                "expires_at": expires_at.isoformat(), "state": UnitState.AVAILABLE.value, "request_id": None,
                "history": [], "version": 0}
        with self._store.sessions.begin() as session:
            twin = session.scalars(select(BloodUnitRecord).where(BloodUnitRecord.din == din)).all()
            same = next((u for u in twin if u.component == unit.component.value
                         or json.loads(u.data).get("product_code") == payload.product_code), None)
            if same is not None:
                raise BloodInputProblem(same_donation_text(din, Component(same.component),
                                                           json.loads(same.data).get("product_code", "?")))
            other = next((u for u in twin if (u.abo, u.rhd_positive) != (unit.abo.value, unit.rhd_positive)), None)
            if other is not None:
                raise BloodInputProblem(other_group_text(din, f"{other.abo} {'pos' if other.rhd_positive else 'neg'}"))
            session.add(BloodUnitRecord(
                id=unit_id, hospital_id=self._hospital(), din=din, component=unit.component.value,
                abo=unit.abo.value, rhd_positive=unit.rhd_positive, expires_at=expires_at,
                state=UnitState.AVAILABLE.value, request_id=None, data=json.dumps(data), version=0,
                sync_state="pending", sync_reason=None))
            self._queue(session, OpKind.BLOOD_UNIT_ADD, unit_id, payload, now)
        return unit_id

    def request_blood(self, ask: BloodAsk) -> str:
        """Ask a blood bank for components for one patient; returns the request's id. Raises BloodInputProblem."""
        if not ask.patient.name.strip() or not ask.patient.second.strip():
            raise BloodInputProblem("Give the patient's full name and a second identifier (date of birth or "
                                    "hospital number): they are checked at the bedside before the transfusion.")
        counts = {c: n for c, n in ask.counts.items() if n > 0}
        if not counts:
            raise BloodInputProblem("Ask for at least one unit of one component.")
        hospital_id = ask.hospital_id or self._user.hospital_id
        if hospital_id is None:
            raise BloodInputProblem("Choose the hospital whose blood bank to ask.")
        payload = BloodRequestPayload(
            transfer_id=ask.transfer_id, patient_name=ask.patient.name, patient_second_id=ask.patient.second,
            abo=ask.abo.value if ask.abo else None, rhd_positive=ask.rhd_positive if ask.abo else None,
            childbearing=ask.childbearing, urgency=ask.urgency.name.lower(), mtp=ask.mtp,  # type: ignore[arg-type]
            counts={c.value: n for c, n in counts.items()}, reason=ask.reason.strip())
        request_id, now = new_id(), utc_now()
        data = {**payload.model_dump(mode="json", exclude={"patient_name", "patient_second_id"}), "id": request_id,
                "hospital_id": hospital_id, "requested_by": self._user.id, "state": "open", "units": [],
                "created_at": now.isoformat(), "history": [], "version": 0}
        with self._store.sessions.begin() as session:
            session.add(BloodRequestRecord(
                id=request_id, hospital_id=hospital_id, transfer_id=ask.transfer_id, requested_by=self._user.id,
                urgency=payload.urgency, state="open", created_at=now, patient_name=payload.patient_name,
                patient_second_id=payload.patient_second_id, data=json.dumps(data), version=0,
                sync_state="pending", sync_reason=None))
            self._queue(session, OpKind.BLOOD_REQUEST, request_id, payload, now)
        return request_id

    def allocate(self, request_id: str, unit_ids: tuple[str, ...] = (), *, shortage: bool = False) -> None:
        """Ask the server to reserve units for the request (its choice when ``unit_ids`` is empty; ``shortage``:
        also units acceptable only in a shortage, which the clinician agreed to)."""
        self._on_request(request_id, OpKind.BLOOD_ALLOCATE,
                         BloodAllocatePayload(unit_ids=list(unit_ids), shortage=shortage))

    def issue(self, request_id: str, unit_ids: tuple[str, ...]) -> None:
        if not unit_ids:
            raise BloodInputProblem("No unit is reserved for this request yet: allocate first.")
        self._on_request(request_id, OpKind.BLOOD_ISSUE, BloodIssuePayload(unit_ids=list(unit_ids)))

    def cancel(self, request_id: str, reason: str) -> None:
        if not reason.strip():
            raise BloodInputProblem("Say why the blood is no longer needed.")
        self._on_request(request_id, OpKind.BLOOD_CANCEL, BloodCancelPayload(reason=reason.strip()))

    def move_unit(self, unit_id: str, target: UnitState, reason: str = "") -> None:
        """Back to stock, quarantined, discarded, or returned unused: checked here against the unit as this device
        has it (the server checks again). Raises BloodInputProblem."""
        with self._store.sessions.begin() as session:
            unit = _get(session, BloodUnitRecord, unit_id)
            try:
                check_unit_move(UnitState(unit.state), target, expires_at=unit.expires_at, now=utc_now(),
                                reason=reason)
            except MoveRefused as refusal:
                raise BloodInputProblem(str(refusal)) from None
            payload = BloodUnitMovePayload(target=target.value, reason=reason.strip())  # type: ignore[arg-type]
            self._queue(session, OpKind.BLOOD_UNIT_MOVE, unit_id, payload, utc_now())
            unit.sync_state, unit.sync_reason = "pending", None

    def set_par(self, component: Component, group: BloodGroup, par: int) -> None:
        """One line of this blood bank's par levels; the whole table goes to the server (it replaces the last)."""
        if not 0 <= par <= 10_000:
            raise BloodInputProblem("A par level is a number of units from 0 to 10,000.")
        self._save_settings(lambda levels, settings: (levels | {(component, group): par}, settings))

    def set_pack_and_intervals(self, pack: PackRatio, donation_days: dict[Donation, int]) -> None:
        """This blood bank's massive-transfusion pack and its donors' shortest gaps (days). Raises
        BloodInputProblem."""
        if not any(pack.as_counts().values()):
            raise BloodInputProblem("A massive-transfusion pack needs at least one unit of one component.")
        if any(not 1 <= days <= 730 for days in donation_days.values()):
            raise BloodInputProblem("A gap between donations is 1 to 730 days.")
        settings = {"pack": {"red_cells": pack.red_cells, "plasma": pack.plasma, "platelets": pack.platelets},
                    "donation_days": {kind.value: days for kind, days in donation_days.items()}}
        self._save_settings(lambda levels, _old: (levels, settings))

    def _save_settings(self, change: Callable[[Par, dict[str, Any]], tuple[Par, dict[str, Any]]]) -> None:
        """Par levels and settings, changed as ``change`` says, saved here and queued whole (``blood.par_set``)."""
        hospital_id = self._hospital()
        with self._store.sessions.begin() as session:
            row = session.get(BloodParRow, hospital_id)
            levels = par_from_lines(json.loads(row.levels)) if row is not None else dict(DEFAULT_PAR)
            settings = json.loads(row.settings) if row is not None else {}
            levels, settings = change(levels, settings)
            lines = par_to_lines(levels)
            if row is None:
                row = BloodParRow(id=hospital_id, levels="[]", settings="{}", version=0, sync_state="pending")
                session.add(row)
            row.levels, row.settings = json.dumps(lines), json.dumps(settings)
            row.sync_state, row.sync_reason = "pending", None
            payload = BloodParSetPayload.model_validate({"levels": lines, "pack": settings.get("pack"),
                                                         "donation_days": settings.get("donation_days")})
            self._queue(session, OpKind.BLOOD_PAR_SET, hospital_id, payload, utc_now())

    def send_unit(self, unit_id: str, to_hospital_id: str, reason: str) -> None:
        """An available unit to another hospital's blood bank (the server moves it to their shelf)."""
        if not reason.strip():
            raise BloodInputProblem("Say why the unit is sent (e.g. 'Amrita has no O negative').")
        self._on_unit(unit_id, OpKind.BLOOD_UNIT_SEND, BloodUnitSendPayload(to_hospital_id=to_hospital_id,
                                                                           reason=reason.strip()))

    def start_transfusion(self, unit_id: str, scanned_din: str, at_bedside: PatientIds) -> None:
        """The bag scanned and the wristband read: checked here against the unit and its request, then queued
        (the server checks again). Raises BloodInputProblem with what to check."""
        with self._store.sessions.begin() as session:
            unit = _get(session, BloodUnitRecord, unit_id)
            request = session.get(BloodRequestRecord, unit.request_id) if unit.request_id else None
            if request is None or unit.state != UnitState.ISSUED:
                raise BloodInputProblem(f"This unit is {unit.state}, not issued to a patient: ask the blood bank.")
            try:
                check_unit_move(UnitState.ISSUED, UnitState.TRANSFUSED, expires_at=unit.expires_at, now=utc_now())
            except MoveRefused as refusal:
                raise BloodInputProblem(str(refusal)) from None
            on_request = PatientIds(request.patient_name or "", request.patient_second_id or "")
            problem = bedside_problem(on_request, at_bedside, unit.din, scanned_din)
            if problem is not None:
                raise BloodInputProblem(problem)
            payload = BloodTransfusePayload(request_id=request.id, scanned_din=scanned_din,
                                            patient_name=at_bedside.name, patient_second_id=at_bedside.second,
                                            started_at=utc_now())
            self._queue(session, OpKind.BLOOD_TRANSFUSE, unit_id, payload, utc_now())
            unit.sync_state, unit.sync_reason = "pending", None

    def _on_request(self, request_id: str, kind: OpKind, payload: Any) -> None:
        with self._store.sessions.begin() as session:
            request = _get(session, BloodRequestRecord, request_id)
            self._queue(session, kind, request_id, payload, utc_now())
            request.sync_state, request.sync_reason = "pending", None

    def _on_unit(self, unit_id: str, kind: OpKind, payload: Any) -> None:
        with self._store.sessions.begin() as session:
            unit = _get(session, BloodUnitRecord, unit_id)
            self._queue(session, kind, unit_id, payload, utc_now())
            unit.sync_state, unit.sync_reason = "pending", None

    def _queue(self, session: Session, kind: OpKind, entity_id: str, payload: Any, now: datetime) -> None:
        enqueue(session, user_id=self._user.id, kind=kind, entity_id=entity_id, payload=payload, now=now)

    def _hospital(self) -> str:
        if self._user.hospital_id is None:
            raise BloodInputProblem("This account has no hospital: ask an administrator to assign one.")
        return self._user.hospital_id


def _get[T](session: Session, model: type[T], record_id: str) -> T:
    record = session.get(model, record_id)
    if record is None:
        raise BloodInputProblem("This record is not on this device any more: refresh the list.")
    return record


def _check_unit_dates(collected_at: datetime, expires_at: datetime, now: datetime) -> None:
    if collected_at > now:
        raise BloodInputProblem("The collection date is in the future: check the label (and this PC's clock).")
    if expires_at <= collected_at:
        raise BloodInputProblem("The expiry is before the collection date: check the label.")
    if expires_at <= now:
        raise BloodInputProblem(f"This unit expired on {expires_at:%d %b %Y %H:%M} UTC: do not put it on the shelf.")
