"""The coordinator's forecasts (issue 25): each hospital unit's beds in use for the next 72 hours and transfers per
day for the next 7, as the sync server fitted and published them (``ForecastRecord``), readable offline; and the
surge alerts they raise (``domain.forecast.first_surge``).

Threading: DB thread. Reads only. Times are UTC.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from emsync_desktop.domain.forecast import (
    SHAPES,
    ForecastPoint,
    SeriesKind,
    Surge,
    first_surge,
    next_day,
    skill_text,
)
from emsync_desktop.store.database import Store
from emsync_desktop.store.models import Hospital
from emsync_desktop.store.models_forecast import ForecastRecord

CHART_LEGEND = ("Charts: the dark line is what happened, the blue line the forecast in its 80 % (darker) and 95 % "
                "(lighter) bands, the dashed red line the unit's beds.")
BASELINE_NAMES = {"seasonal_naive": "Seasonal naive", "holt_winters": "Holt-Winters"}


@dataclass(frozen=True)
class MethodScore:
    name: str
    mase: float
    mape: float | None
    chosen: bool


@dataclass(frozen=True)
class UnitForecast:
    hospital_id: str
    hospital: str
    unit: str
    kind: SeriesKind
    method: str
    fitted_at: datetime
    points: list[ForecastPoint]
    actual_times: list[datetime]
    actuals: list[float]
    capacity: int
    skill: str  # "beats last week's same day by 23 %"
    scores: list[MethodScore]  # the backtest's, best first
    synthetic: bool

    def surge(self, now: datetime) -> Surge | None:
        return first_surge(self.points, self.capacity, now) if self.kind is SeriesKind.BEDS_HOURLY else None


def peak_text(forecast: UnitForecast, now: datetime) -> str:
    """"15 (up to 17) of 16": the next day's highest forecast of beds in use, its highest 80 % upper bound (the
    figure a surge alert names), the unit's beds (screen and report)."""
    day = next_day(forecast.points, now)
    return f"{day.peak} (up to {day.up_to}) of {forecast.capacity}" if day else f"— of {forecast.capacity}"


def week_text(forecast: UnitForecast) -> str:
    """"138 (98–178)": the next 7 days' transfers and the sum of the days' 80 % bounds (wider than the week's own
    interval: a cautious range)."""
    points = forecast.points
    return (f"{round(sum(p.mean for p in points))} ({round(sum(p.lo80 for p in points))}–"
            f"{round(sum(p.hi80 for p in points))})")


def load_forecasts(store: Store) -> list[UnitForecast]:
    """Every forecast this desk holds, by hospital, unit and kind."""
    with store.sessions.begin() as session:
        names = {h.id: h.short_name or h.name for h in session.scalars(select(Hospital))}
        rows = list(session.scalars(select(ForecastRecord)))
        forecasts = [_forecast(json.loads(row.data), names) for row in rows]
    return sorted(forecasts, key=lambda f: (f.hospital, f.unit, f.kind.value))


def surges(forecasts: list[UnitForecast], now: datetime) -> list[tuple[UnitForecast, Surge]]:
    """The units whose forecast passes their beds within a day, soonest first."""
    found = [(f, s) for f in forecasts if (s := f.surge(now)) is not None]
    return sorted(found, key=lambda pair: pair[1].at)


def _forecast(data: dict[str, Any], names: dict[str, str]) -> UnitForecast:
    kind = SeriesKind(data["kind"])
    step = timedelta(seconds=int(data["step_s"]))
    start = datetime.fromisoformat(data["start"])
    points = [ForecastPoint(start + i * step, *values) for i, values in enumerate(data["points"])]
    shown = [float(v) for v in data["shown"]]
    scores = data["backtest"]["scores"]
    chosen = data["backtest"]["chosen"]
    naive = scores["seasonal_naive"]
    return UnitForecast(
        hospital_id=data["hospital_id"], hospital=names.get(data["hospital_id"], "a hospital not in the network"),
        unit=data["unit"], kind=kind, method=data["method"], fitted_at=datetime.fromisoformat(data["fitted_at"]),
        points=points, actual_times=[start - (len(shown) - i) * step for i in range(len(shown))], actuals=shown,
        capacity=int(data["capacity"]), skill=skill_text(scores[chosen]["mae"], naive["mae"], SHAPES[kind].naive_name),
        scores=sorted((MethodScore(BASELINE_NAMES.get(name, name), float(s["mase"]), s["mape"], name == chosen)
                       for name, s in scores.items()), key=lambda m: m.mase),
        synthetic=bool(data["synthetic"]))
