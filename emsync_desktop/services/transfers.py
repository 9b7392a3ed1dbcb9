"""Transfers, bed holds and handoffs made on the device (works offline).

Transactions: ``send_to_hospital`` writes the transfer, the tentative booking, the
SBAR handoff and their three outbox ops in ONE transaction (DESIGN.md section 4).
Threading: call on the DbRunner thread.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from emsync_desktop.domain.case_mix import SEXES, age_band
from emsync_desktop.domain.ids import new_id
from emsync_desktop.domain.lifecycle import (
    BookingState,
    TransferState,
    is_active_transfer,
    next_transfer_state,
    second_active_transfer_reason,
)
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.domain.sbar import TriageSummary, build_sbar
from emsync_desktop.domain.transfer_news import latest_news
from emsync_desktop.domain.triage import complaint_group
from emsync_desktop.geo.eta import Eta
from emsync_desktop.services.case_views import snapshot_of
from emsync_desktop.services.cases import CaseNotFound
from emsync_desktop.services.clock import utc_now
from emsync_desktop.services.preferences import CREW_PHONE_KEY
from emsync_desktop.services.ward import acknowledgement
from emsync_desktop.store.database import Store
from emsync_desktop.store.models import BookingRecord, Encounter, HandoffRecord, Hospital, TransferRecord
from emsync_desktop.store.repositories import get_encounter, get_setting
from emsync_desktop.sync.outbox import enqueue
from emsync_desktop.sync.protocol import (
    BookingHoldPayload,
    HandoffAddPayload,
    OpKind,
    TransferEtaPayload,
    TransferRequestPayload,
    TransferTransitionPayload,
)


class TransferRefused(ValueError):
    """The transfer cannot be created as asked; the message says why and what to do."""


class ActiveTransferExists(TransferRefused):
    """The case already has an active transfer; send again with ``replace_active=True`` (after asking the
    paramedic) to cancel it and its hold in the same transaction."""

    def __init__(self, message: str, transfer_id: str) -> None:
        super().__init__(message)
        self.transfer_id = transfer_id


@dataclass(frozen=True)
class TransferView:
    id: str
    hospital: str
    unit: str
    state: str
    sync_state: str
    sync_reason: str | None
    booking_state: str | None
    booking_reason: str | None
    alternatives: list[dict[str, Any]]
    history: list[dict[str, str]]
    handoff_versions: int
    handoff_acknowledged: str | None = None  # "Maria Joseph at 14:32"
    hospital_id: str = ""

    @property
    def active(self) -> bool:
        """Still going somewhere (PENDING, ACCEPTED, EN_ROUTE), unless the server refused the request."""
        return _is_active(self.state, self.sync_state)


@dataclass(frozen=True)
class CrewNews:
    """The latest decision on one of this crew's transfers (accepted, rejected, redirected …)."""

    transfer_id: str
    case_id: str
    patient: str
    hospital_id: str  # where the transfer goes now
    kind: str  # good, bad, moved
    words: str  # "✔ Accepted by Maria Joseph at 14:32"
    step_at: str  # identifies the step: a new step is new news


class TransferService:
    def __init__(self, store: Store, user: UserInfo, clock: Callable[[], datetime] = utc_now) -> None:
        self._store = store
        self._user = user
        self._clock = clock

    @property
    def store(self) -> Store:
        return self._store

    @property
    def user(self) -> UserInfo:
        return self._user

    def send_to_hospital(self, case_id: str, hospital_id: str, unit: str, *, hold_bed: bool = True,
                         eta: Eta | None = None, replace_active: bool = False) -> TransferView:
        """Request a transfer, hold a bed (TENTATIVE until the server decides) and attach the SBAR.
        ``eta``: the travel time shown when the hospital was chosen; it goes into the transfer and SBAR.

        A case has at most one active transfer: with one already active this raises
        ``ActiveTransferExists``, unless ``replace_active``, when that transfer is cancelled (its hold
        released) in the same transaction, its op queued before the new request."""
        now = self._clock()
        with self._store.sessions.begin() as session:
            encounter = get_encounter(session, case_id)
            if encounter is None:
                raise CaseNotFound(f"case {case_id} does not exist on this device")
            snapshot = snapshot_of(encounter)
            if not snapshot.details.chief_complaint.strip():
                raise TransferRefused("Add the chief complaint before sending the case to a hospital.")
            hospital = session.get(Hospital, hospital_id)
            if hospital is None:
                raise TransferRefused("Unknown hospital: pick one from the list.")
            active = _active_transfer(session, case_id)
            if active is not None and not replace_active:
                going_to = session.get(Hospital, active.destination_hospital_id)
                raise ActiveTransferExists(second_active_transfer_reason(
                    going_to.short_name if going_to else "another hospital", active.unit, active.state), active.id)
            if active is not None:
                self._cancel(session, active, f"sent to {hospital.short_name} {unit} instead", now)
            triage = snapshot.triage if snapshot.triage_current else None  # never a result of older inputs
            severity = triage.severity.value if triage else None
            eta_s = min(round(eta.eta_s), 86_400) if eta else None
            transfer = self._add_transfer(session, case_id, hospital.id, unit, snapshot.title, severity, eta_s, now)
            if hold_bed:
                self._add_hold(session, transfer, now)
            sbar = build_sbar(snapshot.details, [v.vitals for v in snapshot.vitals],
                              TriageSummary(urgency=severity, model_version=triage.model_version if triage else None,
                                            suggested_unit=unit, unit=unit, destination=hospital.name,
                                            eta_min=eta.minutes if eta else None,
                                            eta_source=eta.source.label if eta else None, sent_at=now,
                                            crew=self._user.display_name, ambulance=self._user.ambulance_unit,
                                            crew_phone=crew_phone_of(session) or None),
                              record=snapshot.record)
            self._add_handoff(session, transfer, sbar.situation, sbar.background, sbar.assessment,
                              sbar.recommendation, now)
            session.flush()
            return _view(session, transfer)

    def transfers_for_case(self, case_id: str) -> list[TransferView]:
        with self._store.sessions.begin() as session:
            rows = session.scalars(select(TransferRecord).where(TransferRecord.encounter_id == case_id)
                                   .order_by(TransferRecord.updated_at)).all()
            return [_view(session, t) for t in rows]

    def crew_news(self) -> list[CrewNews]:
        """The latest step of every transfer this user requested that is worth telling them, oldest first."""
        with self._store.sessions.begin() as session:
            rows = session.scalars(select(TransferRecord).where(TransferRecord.requested_by == self._user.id)
                                   .order_by(TransferRecord.updated_at)).all()
            result = []
            for t in rows:
                history = json.loads(t.history)
                news = latest_news(history)
                if news is not None:
                    result.append(CrewNews(t.id, t.encounter_id, t.summary or "Patient", t.destination_hospital_id,
                                           news[0], news[1], history[-1].get("at", "")))
            return result

    def update_eta(self, transfer_id: str, eta: Eta) -> None:
        """A new arrival time from here (e.g. after a coordinator redirected the transfer): saved and queued
        (``transfer.eta``). Like the request's, it is counted from when the transfer was requested."""
        now = self._clock()
        with self._store.sessions.begin() as session:
            transfer = session.get(TransferRecord, transfer_id)
            if transfer is None or not is_active_transfer(TransferState(transfer.state)):
                return
            history = json.loads(transfer.history)
            requested = datetime.fromisoformat(history[0]["at"]) if history else now
            eta_s = min(round((now - requested).total_seconds() + eta.eta_s), 86_400)
            transfer.eta_s, transfer.updated_at, transfer.sync_state = eta_s, now, "pending"
            enqueue(session, user_id=self._user.id, kind=OpKind.TRANSFER_ETA, entity_id=transfer.id, now=now,
                    payload=TransferEtaPayload(eta_s=eta_s, source=eta.source.label[:64]),
                    base_version=transfer.version)

    def active_transfer(self, case_id: str) -> TransferView | None:
        with self._store.sessions.begin() as session:
            active = _active_transfer(session, case_id)
            return _view(session, active) if active is not None else None

    def _cancel(self, session: Session, transfer: TransferRecord, reason: str, now: datetime) -> None:
        """Cancel the crew's transfer and release its hold here; the server does the same on the op."""
        step = {"state": TransferState.CANCELLED.value, "by": self._user.id, "by_name": self._user.display_name,
                "at": now.isoformat(), "reason": reason}
        transfer.state = TransferState.CANCELLED.value
        transfer.history = json.dumps([*json.loads(transfer.history), step])
        transfer.updated_at, transfer.sync_state, transfer.sync_reason = now, "pending", None
        for booking in session.scalars(select(BookingRecord).where(BookingRecord.transfer_id == transfer.id)):
            if booking.state in (BookingState.TENTATIVE.value, BookingState.HELD.value):
                booking.state, booking.updated_at = BookingState.RELEASED.value, now
        enqueue(session, user_id=self._user.id, kind=OpKind.TRANSFER_TRANSITION, entity_id=transfer.id, now=now,
                payload=TransferTransitionPayload(target=TransferState.CANCELLED, reason=reason),
                base_version=transfer.version)

    def _add_transfer(self, session: Session, case_id: str, hospital_id: str, unit: str, summary: str,
                      severity: str | None, eta_s: int | None, now: datetime) -> TransferRecord:
        step = {"state": TransferState.PENDING.value, "by": self._user.id, "by_name": self._user.display_name,
                "at": now.isoformat(), "reason": "requested on this device"}
        transfer = TransferRecord(id=new_id(), encounter_id=case_id, requested_by=self._user.id,
                                  destination_hospital_id=hospital_id, unit=unit, state=TransferState.PENDING.value,
                                  version=0, eta_s=eta_s, severity=severity, summary=summary[:500],
                                  history=json.dumps([step]), updated_at=now, sync_state="pending")
        session.add(transfer)
        enqueue(session, user_id=self._user.id, kind=OpKind.TRANSFER_REQUEST, entity_id=transfer.id, now=now,
                payload=TransferRequestPayload.model_validate({
                    "encounter_id": case_id, "destination_hospital_id": hospital_id, "unit": unit, "eta_s": eta_s,
                    "severity": severity, "summary": summary[:500], **_case_mix(session, case_id)}))
        return transfer

    def _add_hold(self, session: Session, transfer: TransferRecord, now: datetime) -> None:
        booking = BookingRecord(id=new_id(), transfer_id=transfer.id, hospital_id=transfer.destination_hospital_id,
                                unit=transfer.unit, bed_id=None, state=BookingState.TENTATIVE.value, version=0,
                                hold_expires_at=None, updated_at=now, sync_state="pending", alternatives="[]")
        session.add(booking)
        enqueue(session, user_id=self._user.id, kind=OpKind.BOOKING_HOLD, entity_id=booking.id, now=now,
                payload=BookingHoldPayload(transfer_id=transfer.id, hospital_id=transfer.destination_hospital_id,
                                           unit=transfer.unit))  # type: ignore[arg-type]

    def _add_handoff(self, session: Session, transfer: TransferRecord, situation: str, background: str,
                     assessment: str, recommendation: str, now: datetime) -> None:
        sections = {"situation": situation, "background": background, "assessment": assessment,
                    "recommendation": recommendation}
        handoff = HandoffRecord(id=new_id(), transfer_id=transfer.id, version=1, sections=json.dumps(sections),
                                author_id=self._user.id, created_at=now, sync_state="pending")
        session.add(handoff)
        enqueue(session, user_id=self._user.id, kind=OpKind.HANDOFF_ADD, entity_id=handoff.id, now=now,
                payload=HandoffAddPayload(transfer_id=transfer.id, version=1, **sections))


def append_transition(session: Session, transfer: TransferRecord, target: TransferState, reason: str,
                      user: UserInfo, now: datetime) -> None:
    """Move ``transfer`` to ``target`` here and queue the op, in the caller's transaction. Raises
    IllegalTransition when the state machine does not allow it (nothing is changed then)."""
    transfer.state = next_transfer_state(TransferState(transfer.state), target).value
    step = {"state": target.value, "by": user.id, "by_name": user.display_name, "at": now.isoformat(),
            "reason": reason}
    transfer.history = json.dumps([*json.loads(transfer.history), step])
    transfer.updated_at, transfer.sync_state, transfer.sync_reason = now, "pending", None
    enqueue(session, user_id=user.id, kind=OpKind.TRANSFER_TRANSITION, entity_id=transfer.id, now=now,
            payload=TransferTransitionPayload(target=target, reason=reason), base_version=transfer.version)


def crew_phone_of(session: Session) -> str:
    return get_setting(session, CREW_PHONE_KEY) or ""


def _is_active(state: str, sync_state: str) -> bool:
    return is_active_transfer(TransferState(state)) and sync_state != "rejected"


def active_transfer_of(session: Session, case_id: str) -> TransferRecord | None:
    """The case's transfer that is PENDING, ACCEPTED or EN_ROUTE (and not refused by the server), if any."""
    return _active_transfer(session, case_id)


def _active_transfer(session: Session, case_id: str) -> TransferRecord | None:
    rows = session.scalars(select(TransferRecord).where(TransferRecord.encounter_id == case_id)
                           .order_by(TransferRecord.updated_at.desc()))
    return next((t for t in rows if _is_active(t.state, t.sync_state)), None)


def _view(session: Session, t: TransferRecord) -> TransferView:
    hospital = session.get(Hospital, t.destination_hospital_id)
    booking = session.scalar(select(BookingRecord).where(BookingRecord.transfer_id == t.id)
                             .order_by(BookingRecord.updated_at.desc()).limit(1))
    handoffs = session.scalars(select(HandoffRecord).where(HandoffRecord.transfer_id == t.id)
                               .order_by(HandoffRecord.version)).all()
    return TransferView(
        id=t.id, hospital=hospital.name if hospital else t.destination_hospital_id, unit=t.unit, state=t.state,
        sync_state=t.sync_state, sync_reason=t.sync_reason,
        booking_state=booking.state if booking else None, booking_reason=booking.sync_reason if booking else None,
        alternatives=json.loads(booking.alternatives) if booking else [], history=json.loads(t.history),
        handoff_versions=len(handoffs),
        handoff_acknowledged=acknowledgement(handoffs[-1], json.loads(t.history)) if handoffs else None,
        hospital_id=t.destination_hospital_id,
    )


def _case_mix(session: Session, case_id: str) -> dict[str, str | None]:
    """The case's age band, sex and complaint group for the network's case mix (never its age or complaint text)."""
    case = session.get(Encounter, case_id)
    if case is None:
        return {}
    return {"age_band": age_band(case.age_years), "sex": case.sex if case.sex in SEXES else None,
            "complaint_group": complaint_group(case.chief_complaint) if case.chief_complaint.strip() else None}
