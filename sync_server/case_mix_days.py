"""Each UTC day's transfers counted by age band, sex, complaint group and severity (``CaseMixDay``), published to
the desks (``CASE_MIX_ENTITY``) for the case mix and its test of independence (issue 25).

``count_case_mix`` runs every minute on the cluster's leader (``upkeep``): it counts today and yesterday again (a
request made offline yesterday arrives today with its time) and publishes a day whose counts changed. One
transaction: the caller's.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from emsync_desktop.sync.protocol import CASE_MIX_ENTITY
from sync_server.feed import record_change
from sync_server.models import Transfer
from sync_server.models_forecast import CaseMixDay

DAYS_RECOUNTED = 2


def count_case_mix(session: Session, now: datetime) -> int:
    """Returns the days published."""
    today = now.date()
    return sum(_count_day(session, today - timedelta(days=back), now) for back in range(DAYS_RECOUNTED))


def _count_day(session: Session, day: date, now: datetime) -> int:
    start = datetime.combine(day, time(), tzinfo=now.tzinfo)
    rows = session.execute(select(Transfer.age_band, Transfer.sex, Transfer.complaint_group, Transfer.severity,
                                  func.count())
                           .where(Transfer.created_at >= start, Transfer.created_at < start + timedelta(days=1))
                           .group_by(Transfer.age_band, Transfer.sex, Transfer.complaint_group, Transfer.severity))
    counts = sorted(([a, s, c, sev, int(n)] for a, s, c, sev, n in rows), key=lambda r: [str(v) for v in r])
    key = day.isoformat()
    row = session.get(CaseMixDay, key)
    if row is not None and row.synthetic:  # a demo's made-up day stays as it was made
        return 0
    if (row is None and not counts) or (row is not None and row.counts == counts):
        return 0
    if row is None:
        row = CaseMixDay(day=key, version=0, counts=counts, synthetic=False)
        session.add(row)
    row.counts, row.version = counts, row.version + 1
    publish_case_mix_day(session, row, now)
    return 1


def publish_case_mix_day(session: Session, row: CaseMixDay, now: datetime) -> None:
    data: dict[str, Any] = {"id": row.day, "day": row.day, "counts": row.counts, "synthetic": row.synthetic,
                            "version": row.version}
    session.flush()
    record_change(session, entity=CASE_MIX_ENTITY, entity_id=row.day, version=row.version, data=data,
                  hospital_id=None, owner_user_id=None, now=now)
