"""The network's hourly figures for the desks' trends: per unit and hour (UTC), beds in total and in use at the
hour's last sample, and transfers requested in it. Kept here and synced (``CAPACITY_HOUR_ENTITY``) so a desk's
trends cost 24 rows per unit, whatever the history, and are right on a desk that has just been installed.

``sample_capacity`` runs every minute on the cluster's leader (``upkeep``): it samples the current hour, and at
an hour's first sample closes the previous one (its transfer count made final). Each change is published; a
row superseded within the hour is compacted away like any other. One transaction: the caller's.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from emsync_desktop.domain.beds import BEDS_IN_USE
from emsync_desktop.sync.protocol import CAPACITY_HOUR_ENTITY
from sync_server.feed import record_change
from sync_server.models import Bed, CapacityHour, Hospital, Transfer

UnitCounts = Mapping[str, tuple[int, int]]  # unit -> (beds in total, beds in use)


def hour_start(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


def capacity_hour_id(hour: datetime, unit: str) -> str:
    return f"{hour:%Y-%m-%dT%H}/{unit}"


def bed_counts(session: Session) -> dict[str, tuple[int, int]]:
    """Per unit, the beds of the hospitals taking patients (a closed hospital's are not counted)."""
    counts: dict[str, list[int]] = {}
    for unit, status, n in session.execute(select(Bed.unit, Bed.status, func.count()).join(Hospital)
                                           .where(~Hospital.closed).group_by(Bed.unit, Bed.status)):
        total_in_use = counts.setdefault(unit, [0, 0])
        total_in_use[0] += n
        total_in_use[1] += n if status in BEDS_IN_USE else 0
    return {unit: (total, in_use) for unit, (total, in_use) in counts.items()}


def requested_in(session: Session, hour: datetime) -> dict[str, int]:
    rows = session.execute(select(Transfer.unit, func.count()).where(
        Transfer.created_at >= hour, Transfer.created_at < hour + timedelta(hours=1)).group_by(Transfer.unit))
    return {unit: int(n) for unit, n in rows}


def sample_capacity(session: Session, now: datetime) -> int:
    """Sample the current hour (and close the previous one at its first sample); returns rows published."""
    hour = hour_start(now)
    published = 0
    previous = hour - timedelta(hours=1)
    if session.scalar(select(func.count()).select_from(CapacityHour).where(CapacityHour.hour == hour)) == 0:
        kept = {row.unit: (row.beds_total, row.beds_in_use) for row in
                session.scalars(select(CapacityHour).where(CapacityHour.hour == previous))}
        if kept:
            published += record_hour(session, previous, kept, requested_in(session, previous), now)
    return published + record_hour(session, hour, bed_counts(session), requested_in(session, hour), now)


def record_hour(session: Session, hour: datetime, beds: UnitCounts, requested: Mapping[str, int],
                now: datetime) -> int:
    """Set the hour's figures per unit; publish those that changed. Returns how many did."""
    existing = {row.unit: row for row in session.scalars(select(CapacityHour).where(CapacityHour.hour == hour))}
    changed = 0
    for unit in sorted(set(beds) | set(requested)):
        total, in_use = beds.get(unit, (0, 0))
        values = {"beds_total": total, "beds_in_use": in_use, "transfers_requested": requested.get(unit, 0)}
        row = existing.get(unit)
        if row is not None and all(getattr(row, key) == value for key, value in values.items()):
            continue
        if row is None:
            row = CapacityHour(hour=hour, unit=unit, version=0, **values)
            session.add(row)
        else:
            for key, value in values.items():
                setattr(row, key, value)
        row.version += 1
        _publish(session, row, now)
        changed += 1
    return changed


def _publish(session: Session, row: CapacityHour, now: datetime) -> None:
    data: dict[str, Any] = {"id": capacity_hour_id(row.hour, row.unit), "hour": row.hour.isoformat(), "unit": row.unit,
                            "beds_total": row.beds_total, "beds_in_use": row.beds_in_use,
                            "transfers_requested": row.transfers_requested, "version": row.version}
    record_change(session, entity=CAPACITY_HOUR_ENTITY, entity_id=data["id"], version=row.version, data=data,
                  hospital_id=None, owner_user_id=None, now=now)
