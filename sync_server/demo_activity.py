"""Made-up activity for the demo server only (issue 25): 120 days of hourly history per hospital and unit, so the
forecasts have something to learn from in a demo. Every row is marked ``synthetic``; a real server never calls this.

The shape, per unit: beds in use wander (an AR(1) walk) around 62 % of the unit's beds, and over the last two days
come to the demo's beds in use when it starts (the history runs into what the desks see); higher by day
than by night (Kochi's clock, UTC+05:30) and on weekdays than at weekends; transfers requested arrive as a Poisson
process with a daytime peak and a Monday peak. One surge: a respiratory outbreak fills Aster Medcity's ICU and
HDU over the last 5 days (so the desks' surge alert has something to show), with transfers up by half.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from sync_server.activity_hours import beds_by_unit
from sync_server.capacity_hours import hour_start
from sync_server.models import Hospital
from sync_server.models_forecast import ActivityHour

DEMO_DAYS = 120
SURGE_HOSPITAL = "Aster Medcity"
SURGE_UNITS = ("ICU", "HDU")
SURGE_DAYS = 5
LOCAL_OFFSET_H = 5.5
_REQUESTS_PER_BED_DAY = {"ICU": 0.12, "HDU": 0.15, "ER": 0.9, "WARD": 0.06}


def seed_demo_activity(session: Session, now: datetime, *, days: int = DEMO_DAYS, seed: int = 2026) -> bool:
    """Write ``days`` of synthetic hours ending with the hour before ``now``'s, unless the server has any."""
    if session.scalar(select(func.count()).select_from(ActivityHour)):
        return False
    rng = np.random.default_rng(seed)
    end = hour_start(now)
    hours = [end - timedelta(hours=h) for h in range(days * 24, 0, -1)]
    names = {hospital_id: name for hospital_id, name in session.execute(select(Hospital.id, Hospital.short_name))}
    rows = []
    for (hospital_id, unit), (total, in_use) in sorted(beds_by_unit(session).items()):
        surge = names.get(hospital_id) == SURGE_HOSPITAL and unit in SURGE_UNITS
        rows += _unit_rows(rng, hospital_id, unit, total, in_use, hours, surge)
    session.execute(insert(ActivityHour), rows)
    return True


def _unit_rows(rng: np.random.Generator, hospital_id: str, unit: str, total: int, in_use: int,
               hours: list[datetime], surge: bool) -> list[dict[str, object]]:
    n = len(hours)
    local_h = np.array([(h.hour + h.minute / 60 + LOCAL_OFFSET_H) % 24 for h in hours])
    weekday = np.array([(h + timedelta(hours=LOCAL_OFFSET_H)).weekday() for h in hours])
    daily = np.sin(2 * math.pi * (local_h - 9) / 24)  # highest mid-afternoon
    weekly = np.where(weekday < 5, 1.0, -1.5)
    ramp = _surge_ramp(n) if surge else np.zeros(n)
    level = 0.62 * total
    walk = _ar1(rng, n, phi=0.95, sd=0.15 + 0.02 * total)
    beds = level + 0.08 * total * daily + 0.04 * total * weekly + walk + ramp * 0.45 * total
    beds += (in_use - beds[-1]) * np.clip((np.arange(n) - (n - 48)) / 47, 0, 1)  # ends where the demo's beds are
    beds_in_use = np.clip(np.rint(beds), 0, total).astype(int)
    rate = _REQUESTS_PER_BED_DAY.get(unit, 0.1) * total / 24
    profile = 1 + 0.6 * np.sin(2 * math.pi * (local_h - 8) / 24) + np.where(weekday == 0, 0.3, 0.0)
    requested = rng.poisson(np.clip(rate * profile * (1 + 0.5 * ramp), 0, None))
    return [{"hospital_id": hospital_id, "unit": unit, "hour": hours[i], "transfers_requested": int(requested[i]),
             "beds_total": total, "beds_in_use": int(beds_in_use[i]), "synthetic": True} for i in range(n)]


def _ar1(rng: np.random.Generator, n: int, phi: float, sd: float) -> np.ndarray:
    noise = rng.normal(0, sd, n)
    out = np.empty(n)
    out[0] = noise[0]
    for i in range(1, n):
        out[i] = phi * out[i - 1] + noise[i]
    return out


def _surge_ramp(n: int) -> np.ndarray:
    """0 until the surge, then up to 1 over its first two days and held there."""
    start = n - SURGE_DAYS * 24
    return np.clip((np.arange(n) - start) / 48, 0, 1)
