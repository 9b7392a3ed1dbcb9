"""The coordinator's trends: beds in use per unit over the last day, transfers requested per hour, from the hourly
figures the sync server keeps for the whole network (``CapacityHourRecord``, synced like any record).

Reading them costs one indexed query of at most 24 rows per unit, whatever the history, and a desk installed a
minute ago shows the same day as one that has synced all along. Hours the server has no figures for (before it
kept them, or a gap) have no point.

Threading: DB thread. Reads only. Times are UTC.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from emsync_desktop.services.network import UNITS
from emsync_desktop.store.database import Store
from emsync_desktop.store.models import CapacityHourRecord


@dataclass(frozen=True)
class OccupancySeries:
    unit: str
    times: list[datetime]  # each hour's start, oldest first, then "now" (a value holds until the next time)
    percent_in_use: list[float]


@dataclass(frozen=True)
class Trends:
    since: datetime  # the first hour's start
    now: datetime
    occupancy: list[OccupancySeries]
    transfer_hours: list[datetime]  # start of each hour, oldest first
    transfers_per_hour: list[int]
    hours_known: int  # hours of the window the server has figures for

    @property
    def transfers(self) -> int:
        return sum(self.transfers_per_hour)


def network_trends(store: Store, now: datetime, hours: int = 24) -> Trends:
    """The last ``hours`` whole hours up to the current one (``since``: the first one's start)."""
    last = now.replace(minute=0, second=0, microsecond=0)
    starts = [last - timedelta(hours=h) for h in range(hours - 1, -1, -1)]
    since = starts[0]
    with store.sessions.begin() as session:
        rows = list(session.scalars(select(CapacityHourRecord).where(CapacityHourRecord.hour >= starts[0])
                                    .order_by(CapacityHourRecord.hour)))
    requested: dict[datetime, int] = defaultdict(int)
    by_unit: dict[str, list[CapacityHourRecord]] = defaultdict(list)
    for row in rows:
        requested[row.hour] += row.transfers_requested
        by_unit[row.unit].append(row)
    occupancy = [_unit_series(unit, by_unit[unit], now) for unit in UNITS if by_unit.get(unit)]
    return Trends(since, now, occupancy, starts, [requested.get(s, 0) for s in starts], len({r.hour for r in rows}))


def _unit_series(unit: str, rows: list[CapacityHourRecord], now: datetime) -> OccupancySeries:
    times = [row.hour for row in rows] + [now]
    values = [_percent(row.beds_in_use, row.beds_total) for row in rows]
    return OccupancySeries(unit, times, [*values, values[-1]])


def _percent(in_use: int, total: int) -> float:
    return round(100.0 * in_use / total, 1) if total > 0 else 0.0
