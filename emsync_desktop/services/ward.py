"""Ward use cases: incoming transfers of the nurse's hospital, accept / reject / arrived (and handed over).

Transactions: each action updates the local transfer and appends its outbox op in
one transaction; the server has the last word (a refused step comes back with a reason).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from emsync_desktop.domain.lifecycle import IllegalTransition, TransferState, is_terminal_transfer, next_transfer_state
from emsync_desktop.domain.local_time import clock
from emsync_desktop.domain.record_summary import CaseRecord
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.domain.transfer_news import last_redirect_at, redirected_away_from
from emsync_desktop.geo.eta import LatLon
from emsync_desktop.services.clock import utc_now
from emsync_desktop.services.handoff_record import case_record_of
from emsync_desktop.store.database import Store
from emsync_desktop.store.models import AmbulancePosition, Bed, BookingRecord, HandoffRecord, Hospital, TransferRecord
from emsync_desktop.sync.outbox import enqueue
from emsync_desktop.sync.protocol import HandoffAckPayload, OpKind, TransferTransitionPayload


@dataclass(frozen=True)
class AmbulanceFix:
    """Where the ambulance bringing a transfer last was (its crew's report), and where it is going."""

    point: LatLon
    at: datetime
    source: str
    destination: LatLon


@dataclass(frozen=True)
class IncomingTransfer:
    id: str
    unit: str
    state: str
    severity: str | None
    summary: str
    requested_at: str
    sync_state: str
    sync_reason: str | None
    handoff: dict[str, str] | None
    eta_due: datetime | None = None  # when the crew said it would arrive (request time + ETA)
    bed: str | None = None  # the bed held for it, e.g. "ICU-03 (held)"
    handoff_id: str | None = None
    acknowledged: str | None = None  # "Maria Joseph at 14:32", once someone at the hospital read the handoff
    moved_away: str | None = None  # "Redirected by Rahul Nair at 14:40 to Amrita ICU: cath lab down"
    record: CaseRecord = field(default_factory=CaseRecord)  # what the crew recorded: drugs, procedures, SAMPLE
    ambulance: AmbulanceFix | None = None  # None: no position reported (yet)

    @property
    def critical(self) -> bool:
        return self.severity == "Critical"


def acknowledgement(handoff: HandoffRecord | None, history: list[dict[str, str]] | None = None) -> str | None:
    """'Maria Joseph at 14:32', or None when unread. A reading before the transfer's last redirect was
    at the old hospital (``history``: the transfer's steps), so the new one has not read it yet."""
    if handoff is None or handoff.acknowledged_at is None:
        return None
    redirected = last_redirect_at(history or [])
    if redirected is not None and handoff.acknowledged_at < redirected:
        return None
    return f"{handoff.acknowledged_by_name} at {clock(handoff.acknowledged_at)}"


def _ambulance(session: Session, transfer_id: str, hospital: Hospital | None) -> AmbulanceFix | None:
    return ambulance_fix(session.get(AmbulancePosition, transfer_id), hospital)


def ambulance_fix(position: AmbulancePosition | None, destination: Hospital | None) -> AmbulanceFix | None:
    """The ambulance's newest reported position and where it is going; None without either."""
    if position is None or destination is None:
        return None
    return AmbulanceFix(LatLon(position.lat, position.lon), position.at, position.source,
                        LatLon(destination.lat, destination.lon))


def eta_countdown(due: datetime | None, now: datetime) -> str:
    """'arrives in 7 min (14:32)', 'due now', 'overdue by 3 min' or 'no ETA given'."""
    if due is None:
        return "no ETA given"
    minutes = round((due - now).total_seconds() / 60)
    at = clock(due)
    if minutes > 0:
        return f"arrives in {minutes} min ({at})"
    return "due now" if minutes == 0 else f"overdue by {-minutes} min (was due {at})"


REDIRECT_NOTICE = timedelta(hours=2)


class WardService:
    def __init__(self, store: Store, user: UserInfo, clock: Callable[[], datetime] = utc_now) -> None:
        self._store = store
        self._user = user
        self._clock = clock

    def incoming(self) -> list[IncomingTransfer]:
        """Open transfers to this nurse's hospital, in the order they were requested (oldest first), each
        with the case record pulled for it. The order never depends on a transfer's latest change, so
        accepting one card moves no other card (a button sliding under the pointer would be pressed on the
        wrong patient)."""
        with self._store.sessions.begin() as session:
            rows = session.scalars(select(TransferRecord).where(
                TransferRecord.destination_hospital_id == self._user.hospital_id)
                .order_by(TransferRecord.updated_at)).all()
            hospital = session.get(Hospital, self._user.hospital_id) if self._user.hospital_id else None
            result = []
            for t in rows:
                if is_terminal_transfer(TransferState(t.state)):
                    continue
                handoff = session.scalar(select(HandoffRecord).where(HandoffRecord.transfer_id == t.id)
                                         .order_by(HandoffRecord.version.desc()).limit(1))
                history = json.loads(t.history)
                requested = history[0]["at"] if history else ""
                result.append(IncomingTransfer(
                    id=t.id, unit=t.unit, state=t.state, severity=t.severity, summary=t.summary,
                    requested_at=requested, sync_state=t.sync_state, sync_reason=t.sync_reason,
                    handoff=json.loads(handoff.sections) if handoff else None,
                    eta_due=_due(requested, t.eta_s), bed=_held_bed(session, t.id),
                    handoff_id=handoff.id if handoff else None, acknowledged=acknowledgement(handoff, history),
                    record=case_record_of(session, t.encounter_id), ambulance=_ambulance(session, t.id, hospital)))
            return sorted(result, key=lambda t: (t.requested_at, t.id))

    def incoming_and_redirected(self) -> list[IncomingTransfer]:
        """``incoming()``, and the transfers lately redirected away from this hospital (``moved_away``), in
        request order."""
        with self._store.sessions.begin() as session:
            moved = self._redirected_away(session)
        return sorted([*self.incoming(), *moved], key=lambda t: (t.requested_at, t.id))

    def _redirected_away(self, session: Session) -> list[IncomingTransfer]:
        """Transfers a coordinator sent from this hospital to another in the last two hours: the card stays,
        saying where the patient went, by whom and why, instead of silently disappearing."""
        since = self._clock() - REDIRECT_NOTICE
        rows = session.scalars(select(TransferRecord).where(
            TransferRecord.destination_hospital_id != self._user.hospital_id, TransferRecord.updated_at >= since))
        result = []
        for t in rows:
            history = json.loads(t.history)
            step = redirected_away_from(history, self._user.hospital_id or "")
            if step is None or datetime.fromisoformat(step["at"]) < since:
                continue
            where = step.get("reason", "").removeprefix("redirected to ")
            result.append(IncomingTransfer(
                id=t.id, unit=t.unit, state=t.state, severity=t.severity, summary=t.summary,
                requested_at=history[0]["at"] if history else "", sync_state=t.sync_state, sync_reason=None,
                handoff=None, moved_away=f"Redirected by {step.get('by_name')} at "
                                         f"{clock(datetime.fromisoformat(step['at']))} to {where}"))
        return result

    def acknowledge(self, handoff_id: str) -> None:
        """Record that this nurse has read the handoff (who and when); the server keeps the first."""
        now = self._clock()
        with self._store.sessions.begin() as session:
            handoff = session.get(HandoffRecord, handoff_id)
            if handoff is None:
                raise ValueError("This handoff is no longer on this workstation; refresh.")
            transfer = session.get(TransferRecord, handoff.transfer_id)
            read = acknowledgement(handoff, json.loads(transfer.history) if transfer else None)
            if read is not None:
                raise ValueError(f"Already acknowledged by {read}.")
            handoff.acknowledged_by_name, handoff.acknowledged_at = self._user.display_name, now
            handoff.sync_state = "pending"
            enqueue(session, user_id=self._user.id, kind=OpKind.HANDOFF_ACK, entity_id=handoff.id, now=now,
                    payload=HandoffAckPayload())

    def free_beds(self, transfer_id: str) -> list[tuple[str, str]]:
        """(bed id, label) of this ward's free beds in the transfer's unit, for choosing one on accepting."""
        with self._store.sessions.begin() as session:
            transfer = session.get(TransferRecord, transfer_id)
            if transfer is None:
                return []
            beds = session.scalars(select(Bed).where(
                Bed.hospital_id == self._user.hospital_id, Bed.unit == transfer.unit,
                Bed.status == "available").order_by(Bed.label))
            return [(b.id, b.label) for b in beds]

    def decide(self, transfer_id: str, target: TransferState, reason: str = "", bed_id: str | None = None) -> None:
        """Accept (optionally into a chosen free bed), reject (reason required) or mark arrived. Raises
        ValueError with a message for people.

        Marking arrived hands the patient over: the server makes the held bed occupied, and the transfer
        is completed in the same transaction here (two ops, pushed in order). A chosen bed is moved to
        by the server, which checks it is still free; the card shows it once the answer is back."""
        if target is TransferState.REJECTED and not reason.strip():
            raise ValueError("Give a reason for rejecting, e.g. 'no ICU bed', 'no neurosurgeon on call'.")
        now = self._clock()
        with self._store.sessions.begin() as session:
            transfer = session.get(TransferRecord, transfer_id)
            if transfer is None:
                raise ValueError("This transfer is no longer on this workstation; refresh.")
            steps = [target]
            if target is TransferState.ARRIVED:
                steps = [TransferState.COMPLETED] if transfer.state == TransferState.ARRIVED else \
                    [TransferState.ARRIVED, TransferState.COMPLETED]
            for step in steps:
                self._step(session, transfer, step, reason if step is target else "handed over", now,
                           bed_id if step is TransferState.ACCEPTED else None)

    def _step(self, session: Session, transfer: TransferRecord, target: TransferState, reason: str,
              now: datetime, bed_id: str | None = None) -> None:
        try:
            transfer.state = next_transfer_state(TransferState(transfer.state), target).value
        except IllegalTransition as exc:
            raise ValueError(str(exc)) from exc
        step = {"state": target.value, "by": self._user.id, "by_name": self._user.display_name,
                "at": now.isoformat(), "reason": reason}
        transfer.history = json.dumps([*json.loads(transfer.history), step])
        transfer.updated_at = now
        transfer.sync_state = "pending"
        enqueue(session, user_id=self._user.id, kind=OpKind.TRANSFER_TRANSITION, entity_id=transfer.id,
                now=now, payload=TransferTransitionPayload(target=target, reason=reason, bed_id=bed_id),
                base_version=transfer.version)


def _due(requested_at: str, eta_s: int | None) -> datetime | None:
    if not requested_at or eta_s is None:
        return None
    return datetime.fromisoformat(requested_at) + timedelta(seconds=eta_s)


def _held_bed(session: Session, transfer_id: str) -> str | None:
    booking = session.scalar(select(BookingRecord).where(BookingRecord.transfer_id == transfer_id)
                             .order_by(BookingRecord.updated_at.desc()).limit(1))
    if booking is None or booking.bed_id is None:
        return None
    bed = session.get(Bed, booking.bed_id)
    return f"{bed.label if bed else booking.unit} ({booking.state.lower()})"
