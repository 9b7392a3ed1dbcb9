"""A past day of activity for the demo server only: beds admitted, discharged and cleaned, and completed
transfers, so that a coordinator's trend charts have a history to show in a demo.

Everything goes through the change feed with its past time, as live changes do, in time order; the
first start of an embedded demo server writes it once. A real server never calls this.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from emsync_desktop.domain.ids import new_id
from emsync_desktop.domain.lifecycle import TransferState
from sync_server.capacity_hours import bed_counts, hour_start, record_hour, sample_capacity
from sync_server.feed import record_change
from sync_server.models import Bed, Booking, Hospital, Transfer
from sync_server.op_context import bed_data, booking_data, columns_of, transfer_data
from sync_server.seed import SYSTEM_USER_ID, ensure_system_user

NEXT_STATUS = {"available": "occupied", "occupied": "pending_discharge", "pending_discharge": "cleaning",
               "cleaning": "available"}  # a bed's ordinary day
STEPS = (TransferState.ACCEPTED, TransferState.ARRIVED, TransferState.COMPLETED)
OPEN_NOW = (  # transfers under way when the demo starts: minutes ago, unit, severity, state, summary
    (4, "ICU", "Critical", TransferState.PENDING, "Demo: 58 y M, chest pain"),
    (11, "HDU", "Moderate", TransferState.PENDING, "Demo: 34 y F, asthma"),
    (18, "ER", "Moderate", TransferState.ACCEPTED, "Demo: 71 y F, fall, hip pain"),
    (26, "WARD", "Low urgency", TransferState.ACCEPTED, "Demo: 9 y M, fever"),
)
HOLD_MINUTES = 15
UNITS = ("ICU", "HDU", "ER", "WARD")


def seed_demo_history(session: Session, start: datetime, now: datetime, *, bed_changes: int = 360,
                      transfers: int = 40, seed: int = 2026) -> bool:
    """Write the history between ``start`` and ``now`` unless the server already has transfers."""
    if session.scalar(select(func.count()).select_from(Transfer)):
        return False
    rng = random.Random(seed)
    ensure_system_user(session)
    span_s = (now - start).total_seconds()
    moments = sorted([("bed", start + timedelta(seconds=rng.uniform(0, span_s))) for _ in range(bed_changes)]
                     + [("transfer", start + timedelta(seconds=rng.uniform(0, span_s - 3600)))
                        for _ in range(transfers)], key=lambda m: m[1])
    beds = list(session.scalars(select(Bed).where(Bed.status.in_(NEXT_STATUS)).order_by(Bed.id)))
    hours = _Hours(session, hour_start(start))
    hospitals = list(session.scalars(select(Hospital).order_by(Hospital.id)))
    for kind, at in moments:
        hours.reach(at)
        if kind == "bed":
            _change_bed(session, rng.choice(beds), at)
        else:
            hours.requested(_completed_transfer(session, rng, rng.choice(hospitals), at))
    hours.reach(now)
    for minutes_ago, unit, severity, state, summary in OPEN_NOW:
        _open_transfer(session, rng.choice(hospitals), now - timedelta(minutes=minutes_ago), unit, severity, state,
                       summary)
    session.flush()
    sample_capacity(session, now)
    return True


class _Hours:
    """The hourly figures (``capacity_hours``) of the history as it is written: each hour is recorded with the
    beds as they were at its end (``bed_counts`` reads them; the session flushes the changes first), and the
    transfers requested in it."""

    def __init__(self, session: Session, first: datetime) -> None:
        self.session, self.hour = session, first
        self.asked: dict[str, int] = {}

    def reach(self, at: datetime) -> None:
        while hour_start(at) > self.hour:
            end = self.hour + timedelta(hours=1)
            record_hour(self.session, self.hour, bed_counts(self.session), self.asked, end)
            self.hour, self.asked = end, {}

    def requested(self, unit: str) -> None:
        self.asked[unit] = self.asked.get(unit, 0) + 1


def _open_transfer(session: Session, hospital: Hospital, at: datetime, unit: str, severity: str,
                   state: TransferState, summary: str) -> None:
    """A transfer under way, with a bed held for it (its hold lapses unless accepted, as any hold's)."""
    history = [_step(TransferState.PENDING, at, "requested")]
    if state is TransferState.ACCEPTED:
        history.append(_step(state, at + timedelta(minutes=2), ""))
    transfer = Transfer(id=new_id(), encounter_id=new_id(), requested_by=SYSTEM_USER_ID,
                        destination_hospital_id=hospital.id, unit=unit, state=state.value, version=len(history),
                        eta_s=1500, severity=severity, summary=summary, history=history, created_at=at, updated_at=at)
    session.add(transfer)
    bed = session.scalar(select(Bed).where(Bed.hospital_id == hospital.id, Bed.unit == unit,
                                           Bed.status == "available").order_by(Bed.label).limit(1))
    session.flush()
    record_change(session, entity="transfer", entity_id=transfer.id, version=transfer.version,
                  data=transfer_data(columns_of(transfer)), hospital_id=hospital.id, owner_user_id=None, now=at)
    if bed is None:
        return
    bed.status, bed.version = "reserved", bed.version + 1
    booking = Booking(id=new_id(), transfer_id=transfer.id, hospital_id=hospital.id, unit=unit, bed_id=bed.id,
                      state="HELD", version=1, requested_by=SYSTEM_USER_ID, updated_at=at,
                      hold_expires_at=None if state is TransferState.ACCEPTED else at + timedelta(minutes=HOLD_MINUTES))
    session.add(booking)
    session.flush()
    record_change(session, entity="bed", entity_id=bed.id, version=bed.version, data=bed_data(columns_of(bed)),
                  hospital_id=hospital.id, owner_user_id=None, now=at)
    record_change(session, entity="booking", entity_id=booking.id, version=1, data=booking_data(columns_of(booking)),
                  hospital_id=hospital.id, owner_user_id=None, now=at)


def _change_bed(session: Session, bed: Bed, at: datetime) -> None:
    bed.status = NEXT_STATUS[bed.status]
    bed.version += 1
    record_change(session, entity="bed", entity_id=bed.id, version=bed.version, data=bed_data(columns_of(bed)),
                  hospital_id=bed.hospital_id, owner_user_id=None, now=at)


def _completed_transfer(session: Session, rng: random.Random, hospital: Hospital, at: datetime) -> str:
    """Returns its unit."""
    history = [_step(TransferState.PENDING, at, "requested")]
    when = at
    for state in STEPS:
        when += timedelta(minutes=rng.uniform(3, 20))
        history.append(_step(state, when, ""))
    transfer = Transfer(id=new_id(), encounter_id=new_id(), requested_by=SYSTEM_USER_ID,
                        destination_hospital_id=hospital.id, unit=rng.choice(UNITS),
                        state=TransferState.COMPLETED.value, version=len(history), eta_s=rng.randrange(300, 1800),
                        severity=rng.choice(("Critical", "Moderate", "Low urgency")),
                        summary="Demo history (not a patient)", history=history, created_at=at, updated_at=when)
    session.add(transfer)
    session.flush()
    record_change(session, entity="transfer", entity_id=transfer.id, version=transfer.version,
                  data=transfer_data(columns_of(transfer)), hospital_id=hospital.id, owner_user_id=None, now=when)
    return transfer.unit


def _step(state: TransferState, at: datetime, reason: str) -> dict[str, str]:
    return {"state": state.value, "by": SYSTEM_USER_ID, "by_name": "Demo history", "at": at.isoformat(),
            "reason": reason}
