"""The history as the forecasting methods take it: one array per hospital, unit and kind, read from
``activity_hours``. Hourly beds in use: the hours before the current one (which is still being sampled), an hour
the server never sampled carrying the last beds seen; daily transfers: the UTC days before today, a day with no
hours counted as none requested. Step numbers count from the Unix epoch (hours or days).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from emsync_desktop.domain.forecast import SeriesKind
from emsync_desktop.domain.ids import series_id
from sync_server.capacity_hours import hour_start
from sync_server.models_forecast import ActivityHour

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
HOURLY_DAYS = 28  # enough for the backtest's windows (backtest.needed_steps) and a week to show
DAILY_DAYS = 365


@dataclass(frozen=True)
class SeriesInput:
    hospital_id: str
    unit: str
    kind: SeriesKind
    values: list[float]
    first_step: int  # the first value's step number (hours or days since the epoch)
    capacity: int  # beds in the unit at the last hour
    synthetic: bool  # any made-up hour in the history
    shown: list[float] = field(default_factory=list)  # the recent actuals the desk draws beside the forecast

    @property
    def id(self) -> str:
        return series_id(self.hospital_id, self.unit, self.kind.value)


def hour_number(at: datetime) -> int:
    return int((at - EPOCH).total_seconds() // 3600)


def load_series(session: Session, now: datetime) -> list[SeriesInput]:
    """Both kinds for every hospital unit with any history."""
    this_hour = hour_start(now)
    start = this_hour - timedelta(days=DAILY_DAYS)
    rows = session.execute(select(ActivityHour.hospital_id, ActivityHour.unit, ActivityHour.hour,
                                  ActivityHour.transfers_requested, ActivityHour.beds_total, ActivityHour.beds_in_use,
                                  ActivityHour.synthetic)
                           .where(ActivityHour.hour >= start, ActivityHour.hour < this_hour))
    by_unit: dict[tuple[str, str], list[tuple[int, int, int, int, bool]]] = defaultdict(list)
    for hospital_id, unit, hour, requested, total, in_use, synthetic in rows:
        by_unit[(hospital_id, unit)].append((hour_number(hour), requested, total, in_use, synthetic))
    out: list[SeriesInput] = []
    for (hospital_id, unit), hours in sorted(by_unit.items()):
        hours.sort()
        out.append(_hourly_beds(hospital_id, unit, hours, hour_number(this_hour)))
        out.append(_daily_transfers(hospital_id, unit, hours, hour_number(this_hour)))
    return out


def _hourly_beds(hospital_id: str, unit: str, hours: list[tuple[int, int, int, int, bool]], end: int) -> SeriesInput:
    first = max(hours[0][0], end - HOURLY_DAYS * 24)
    known = {h: in_use for h, _, _, in_use, _ in hours if h >= first}
    values: list[float] = []
    last = float(known.get(first, 0))
    for h in range(first, end):
        last = float(known.get(h, last))
        values.append(last)
    return SeriesInput(hospital_id, unit, SeriesKind.BEDS_HOURLY, values, first, hours[-1][2],
                       any(s for *_, s in hours), values[-7 * 24:])


def _daily_transfers(hospital_id: str, unit: str, hours: list[tuple[int, int, int, int, bool]],
                     end: int) -> SeriesInput:
    today = end // 24
    first = hours[0][0] // 24 + (1 if hours[0][0] % 24 else 0)  # the first whole day
    counts = [0.0] * max(today - first, 0)
    for h, requested, *_ in hours:
        if first <= h // 24 < today:
            counts[h // 24 - first] += requested
    return SeriesInput(hospital_id, unit, SeriesKind.TRANSFERS_DAILY, counts, first, hours[-1][2],
                       any(s for *_, s in hours), counts[-28:])
