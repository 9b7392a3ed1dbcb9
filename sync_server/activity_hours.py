"""The history forecasts are fitted on (issue 25): per hospital, unit and hour (UTC), transfers requested in the
hour and beds in total and in use at its last sample (``ActivityHour``).

``sample_activity`` runs every minute on the cluster's leader (``upkeep``): it writes the current hour and, at
every round, counts the previous hour's transfers again (one requested at 13:59:59 may reach the server at 14:00:05
with its device's time); an hour the server never sampled (it was down) has no row, and the series
readers carry the beds over it. Hours older than ``KEEP_ACTIVITY`` are deleted. One transaction: the caller's.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from emsync_desktop.domain.beds import BEDS_IN_USE
from sync_server.capacity_hours import hour_start
from sync_server.models import Bed, Transfer
from sync_server.models_forecast import KEEP_ACTIVITY, ActivityHour

Key = tuple[str, str]  # (hospital id, unit)


def beds_by_unit(session: Session) -> dict[Key, tuple[int, int]]:
    """(beds in total, beds in use) per hospital and unit."""
    counts: dict[Key, list[int]] = {}
    query = select(Bed.hospital_id, Bed.unit, Bed.status, func.count()).group_by(Bed.hospital_id, Bed.unit, Bed.status)
    for hospital_id, unit, status, n in session.execute(query):
        total_in_use = counts.setdefault((hospital_id, unit), [0, 0])
        total_in_use[0] += n
        total_in_use[1] += n if status in BEDS_IN_USE else 0
    return {key: (total, in_use) for key, (total, in_use) in counts.items()}


def requested_by_unit(session: Session, hour: datetime) -> dict[Key, int]:
    rows = session.execute(select(Transfer.destination_hospital_id, Transfer.unit, func.count()).where(
        Transfer.created_at >= hour, Transfer.created_at < hour + timedelta(hours=1))
        .group_by(Transfer.destination_hospital_id, Transfer.unit))
    return {(hospital_id, unit): int(n) for hospital_id, unit, n in rows}


def sample_activity(session: Session, now: datetime) -> None:
    hour = hour_start(now)
    previous = hour - timedelta(hours=1)
    late = requested_by_unit(session, previous)
    for row in session.scalars(select(ActivityHour).where(ActivityHour.hour == previous)):
        row.transfers_requested = late.get((row.hospital_id, row.unit), 0)
    beds = beds_by_unit(session)
    requested = requested_by_unit(session, hour)
    existing = {(r.hospital_id, r.unit): r
                for r in session.scalars(select(ActivityHour).where(ActivityHour.hour == hour))}
    for key in set(beds) | set(requested):
        total, in_use = beds.get(key, (0, 0))
        row = existing.get(key) or _new_row(session, key, hour)
        row.beds_total, row.beds_in_use, row.transfers_requested = total, in_use, requested.get(key, 0)
    session.execute(delete(ActivityHour).where(ActivityHour.hour < hour - KEEP_ACTIVITY))


def _new_row(session: Session, key: Key, hour: datetime) -> ActivityHour:
    row = ActivityHour(hospital_id=key[0], unit=key[1], hour=hour, transfers_requested=0, beds_total=0,
                       beds_in_use=0, synthetic=False)
    session.add(row)
    return row
