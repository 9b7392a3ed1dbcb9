"""The coordinator's trends, from the synced history: beds in use per unit over time, transfers per hour.

Occupancy is rebuilt backwards from the beds as they are now, undoing each recorded status change
(``bed_events``), so it is exact for as far back as this desk has been syncing and flat before that.

Threading: DB thread. Reads only. Times are UTC.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from emsync_desktop.domain.beds import BedStatus
from emsync_desktop.services.network import UNITS
from emsync_desktop.store.database import Store
from emsync_desktop.store.models import Bed, BedEvent, TransferRecord

IN_USE = frozenset({BedStatus.OCCUPIED.value, BedStatus.RESERVED.value, BedStatus.PENDING_DISCHARGE.value,
                    BedStatus.ISOLATION.value})  # a patient is in the bed or on the way to it


@dataclass(frozen=True)
class OccupancySeries:
    unit: str
    times: list[datetime]  # step changes, oldest first; the first is the window's start, the last "now"
    percent_in_use: list[float]


@dataclass(frozen=True)
class Trends:
    since: datetime
    now: datetime
    occupancy: list[OccupancySeries]
    transfer_hours: list[datetime]  # start of each hour, oldest first
    transfers_per_hour: list[int]
    events: int  # bed changes the history holds in the window

    @property
    def transfers(self) -> int:
        return sum(self.transfers_per_hour)


def network_trends(store: Store, now: datetime, hours: int = 24) -> Trends:
    since = now - timedelta(hours=hours)
    with store.sessions.begin() as session:
        current = [(unit, status, int(n)) for unit, status, n in session.execute(
            select(Bed.unit, Bed.status, func.count()).group_by(Bed.unit, Bed.status))]
        events = list(session.scalars(select(BedEvent).where(BedEvent.at > since)
                                      .order_by(BedEvent.at.desc(), BedEvent.seq.desc())))
        occupancy = [_unit_series(unit, current, events, since, now) for unit in UNITS]
        # A transfer requested in the window was updated in it too: the index on updated_at bounds the read.
        requested = [_requested_at(history) for history in session.scalars(
            select(TransferRecord.history).where(TransferRecord.updated_at >= since))]
    hour_starts, counts = _per_hour([t for t in requested if t is not None], now, hours)
    return Trends(since, now, [s for s in occupancy if s.times], hour_starts, counts, len(events))


def _unit_series(unit: str, current: list[tuple[str, str, int]], newest_first: list[BedEvent],
                 since: datetime, now: datetime) -> OccupancySeries:
    in_use = sum(n for u, s, n in current if u == unit and s in IN_USE)
    total = sum(n for u, _s, n in current if u == unit)
    if total == 0:
        return OccupancySeries(unit, [], [])
    times, values = [now], [_percent(in_use, total)]
    for event in (e for e in newest_first if e.unit == unit):
        times.append(event.at)
        values.append(_percent(in_use, total))  # the value from this change until the next one
        in_use -= (event.to_status in IN_USE) - (event.from_status in IN_USE)
        total -= event.from_status is None  # the bed first appeared with this change
    times.append(since)
    values.append(_percent(in_use, total))
    return OccupancySeries(unit, times[::-1], values[::-1])


def _percent(in_use: int, total: int) -> float:
    return round(100.0 * in_use / total, 1) if total > 0 else 0.0


def _requested_at(history: str) -> datetime | None:
    steps = json.loads(history)
    return datetime.fromisoformat(steps[0]["at"]) if steps else None


def _per_hour(times: list[datetime], now: datetime, hours: int) -> tuple[list[datetime], list[int]]:
    last = now.replace(minute=0, second=0, microsecond=0)
    starts = [last - timedelta(hours=h) for h in range(hours - 1, -1, -1)]
    counted = Counter(t.replace(minute=0, second=0, microsecond=0) for t in times)
    return starts, [counted.get(s, 0) for s in starts]
