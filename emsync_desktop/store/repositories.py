"""Queries and writes on the local store. Functions take the caller's Session and
never commit: the caller's use case owns the transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from emsync_desktop.store.models import Bed, Encounter, Hospital, Setting, TransferRecord, User, VitalsRecord


def get_setting(session: Session, key: str) -> str | None:
    row = session.get(Setting, key)
    return row.value if row else None


def set_setting(session: Session, key: str, value: str) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


def get_encounter(session: Session, encounter_id: str) -> Encounter | None:
    return session.scalar(
        select(Encounter).where(Encounter.id == encounter_id)
        .options(selectinload(Encounter.vitals), selectinload(Encounter.triage))
    )


def list_encounters(session: Session, *, limit: int = 500) -> Sequence[Encounter]:
    """Newest first, without vitals."""
    return session.scalars(select(Encounter).order_by(Encounter.updated_at.desc()).limit(limit)).all()


def vitals_by_encounter(session: Session, encounter_ids: Sequence[str]) -> dict[str, list[VitalsRecord]]:
    """Every observation set of these encounters, oldest first (a case's NEWS2 needs its last complete set)."""
    rows = session.scalars(select(VitalsRecord).where(VitalsRecord.encounter_id.in_(encounter_ids))
                           .order_by(VitalsRecord.taken_at)).all()
    series: dict[str, list[VitalsRecord]] = {}
    for row in rows:
        series.setdefault(row.encounter_id, []).append(row)
    return series


def update_encounter(session: Session, encounter: Encounter, changes: Mapping[str, object], now: datetime) -> None:
    for name, value in changes.items():
        setattr(encounter, name, value)
    encounter.updated_at = now


def get_vitals(session: Session, vitals_id: str) -> VitalsRecord | None:
    return session.get(VitalsRecord, vitals_id)


def list_hospitals(session: Session) -> Sequence[Hospital]:
    """The hospitals taking patients (a closed one stays in the store for the records that name it)."""
    return session.scalars(select(Hospital).where(~Hospital.closed).order_by(Hospital.name)).all()


def bed_counts(session: Session) -> dict[tuple[str, str, str], int]:
    """(hospital_id, unit, status) -> number of beds."""
    rows = session.execute(
        select(Bed.hospital_id, Bed.unit, Bed.status, func.count()).group_by(Bed.hospital_id, Bed.unit, Bed.status)
    ).all()
    return {(h, u, s): n for h, u, s, n in rows}


def get_user(session: Session, user_id: str) -> User | None:
    return session.get(User, user_id)


def get_user_by_username(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))


def list_demo_users(session: Session) -> Sequence[User]:
    return session.scalars(select(User).where(User.is_demo.is_(True)).order_by(User.role)).all()


def count_hospitals(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Hospital)) or 0)


def latest_transfer_by_encounter(session: Session, encounter_ids: Sequence[str]) -> dict[str, str]:
    """Each encounter's latest transfer as the case list says it: '→ Lourdes ICU · ACCEPTED'."""
    rows = session.execute(select(TransferRecord.encounter_id, TransferRecord.unit, TransferRecord.state,
                                  TransferRecord.sync_state, Hospital.short_name)
                           .join(Hospital, Hospital.id == TransferRecord.destination_hospital_id, isouter=True)
                           .where(TransferRecord.encounter_id.in_(encounter_ids))
                           .order_by(TransferRecord.updated_at)).all()
    latest: dict[str, tuple[bool, str]] = {}  # an active transfer wins over a later-changed finished one
    for encounter_id, unit, state, sync_state, hospital in rows:
        active = state in ("PENDING", "ACCEPTED", "EN_ROUTE") and sync_state != "rejected"
        if latest.get(encounter_id, (False, ""))[0] and not active:
            continue
        waiting = " · waiting to send" if sync_state == "pending" else " · refused" if sync_state == "rejected" else ""
        latest[encounter_id] = active, f"→ {hospital or 'hospital'} {unit} · {state}{waiting}"
    return {encounter_id: text for encounter_id, (_active, text) in latest.items()}
