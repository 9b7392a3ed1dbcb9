"""Forecasts of a hospital unit's load (issue 25): the accuracy measures a method is chosen by, what its skill is
called on a coordinator's screen, and when a forecast says a unit will run out of beds.

Pure rules, shared by the server (which fits and backtests, ``sync_server.forecasting``) and the desk (which
reads what the server published). Units: counts per step; a step is an hour (beds in use) or a day (transfers).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class SeriesKind(StrEnum):
    BEDS_HOURLY = "beds_hourly"  # beds in use at each hour's last sample
    TRANSFERS_DAILY = "transfers_daily"  # transfers requested per day (UTC)


@dataclass(frozen=True)
class SeriesShape:
    step: timedelta
    horizon: int  # steps forecast
    season: int  # steps in the seasonal-naive baseline's season (a week)
    naive_name: str  # what that baseline is called on screen


SHAPES = {
    SeriesKind.BEDS_HOURLY: SeriesShape(timedelta(hours=1), 72, 168, "the same hour last week"),
    SeriesKind.TRANSFERS_DAILY: SeriesShape(timedelta(days=1), 7, 7, "last week's same day"),
}


@dataclass(frozen=True)
class ForecastPoint:
    at: datetime  # the step's start (UTC)
    mean: float
    lo80: float
    hi80: float
    lo95: float
    hi95: float


def mae(actual: Sequence[float], forecast: Sequence[float]) -> float:
    return sum(abs(a - f) for a, f in zip(actual, forecast, strict=True)) / len(actual)


def naive_scale(history: Sequence[float], season: int) -> float:
    """The in-sample mean absolute error of the seasonal-naive forecast (MASE's denominator, Hyndman & Koehler
    2006). Raises ValueError when the history is shorter than one season and a step."""
    if len(history) <= season:
        raise ValueError(f"need more than {season} observations, have {len(history)}")
    return sum(abs(history[i] - history[i - season]) for i in range(season, len(history))) / (len(history) - season)


def mase(actual: Sequence[float], forecast: Sequence[float], history: Sequence[float], season: int) -> float:
    """Mean absolute scaled error: below 1, better than the seasonal-naive forecast was in sample. ``inf`` when
    the history never changed (no scale)."""
    scale = naive_scale(history, season)
    return mae(actual, forecast) / scale if scale > 0 else math.inf


def mape(actual: Sequence[float], forecast: Sequence[float]) -> float | None:
    """Mean absolute percentage error over the steps whose actual is not zero (undefined there), in per cent;
    None when every actual is zero."""
    pairs = [(a, f) for a, f in zip(actual, forecast, strict=True) if a != 0]
    if not pairs:
        return None
    return 100.0 * sum(abs(a - f) / abs(a) for a, f in pairs) / len(pairs)


def skill_text(method_mae: float, naive_mae: float, naive_name: str) -> str:
    """How the chosen method did against the seasonal-naive baseline in the backtests, as a coordinator reads
    it: "beats last week's same day by 23 %" (MAE 23 % lower), or that it did not."""
    if naive_mae <= 0:
        return f"{naive_name} was exact in the backtests: no skill measurable"
    gain = round(100 * (1 - method_mae / naive_mae))
    if gain > 0:
        return f"beats {naive_name} by {gain} %"
    if gain == 0:
        return f"no better than {naive_name}"
    return f"worse than {naive_name} by {-gain} %: use with care"


@dataclass(frozen=True)
class Surge:
    """The first step at which the forecast's upper bound passes the unit's beds: ``peak`` beds in use may be
    needed at ``at``, ``over`` more than the unit has."""

    at: datetime
    peak: float
    capacity: int
    over: int


SURGE_WINDOW = timedelta(hours=24)


def upcoming(points: Sequence[ForecastPoint], now: datetime, window: timedelta = SURGE_WINDOW) -> list[ForecastPoint]:
    """The points of the hour under way and the ``window`` after ``now``."""
    return [p for p in points if now - timedelta(hours=1) < p.at <= now + window]


@dataclass(frozen=True)
class NextDay:
    """The next day of a beds forecast as the desk and the reports state it: the highest forecast (``peak``) and the
    highest 80 % upper bound (``up_to``), in whole beds; the surge alert counts from the same ``up_to``."""

    peak: int
    up_to: int


def next_day(points: Sequence[ForecastPoint], now: datetime) -> NextDay | None:
    window = upcoming(points, now)
    if not window:
        return None
    return NextDay(peak=round(max(p.mean for p in window)), up_to=math.ceil(max(p.hi80 for p in window) - 1e-9))


def first_surge(points: Sequence[ForecastPoint], capacity: int, now: datetime,
                window: timedelta = SURGE_WINDOW, bound: str = "hi80") -> Surge | None:
    """The first point within ``window`` of ``now`` whose upper bound (``hi80`` by default: one in ten hours would
    pass it by chance, enough to prepare without crying wolf) exceeds ``capacity``; the ``over`` is counted at the
    worst point of that window."""
    over = [p for p in upcoming(points, now, window) if getattr(p, bound) > capacity]
    if not over:
        return None
    worst = max(getattr(p, bound) for p in over)
    return Surge(at=over[0].at, peak=worst, capacity=capacity, over=math.ceil(worst - capacity - 1e-9))


def surge_text(unit: str, hospital: str, surge: Surge, local: str) -> str:
    """``local``: ``surge.at`` as the reader's clock shows it."""
    beds = "bed" if surge.over == 1 else "beds"
    return (f"{unit} at {hospital}: may need {math.ceil(surge.peak - 1e-9)} beds from {local}, "
            f"{surge.over} {beds} more than its {surge.capacity}")
