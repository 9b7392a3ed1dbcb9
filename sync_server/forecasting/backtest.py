"""Rolling-origin backtests (Tashman 2000): the series is cut at several origins, each method is fitted on the
window before the cut and scored on the steps after it, and the scores are averaged. The SARIMA candidate with the
lowest MASE is the one published; the baselines' scores say how much that is worth.

Threading: pure functions, run in worker processes (``job``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from emsync_desktop.domain.forecast import SHAPES, SeriesKind, mae, mape, mase, naive_scale
from sync_server.forecasting.methods import CANDIDATES, HW_SEASON, Order, holt_winters, sarima, seasonal_naive

ORIGINS = 4
STRIDE = {SeriesKind.BEDS_HOURLY: 24, SeriesKind.TRANSFERS_DAILY: 7}  # steps between origins
# Most steps fitted on: two weeks of hours (twice the weekly season; three took the fit from 0.2 to 0.35 s a
# series, docs/decisions.md), a year of days.
WINDOW = {SeriesKind.BEDS_HOURLY: 14 * 24, SeriesKind.TRANSFERS_DAILY: 365}
MIN_WINDOW = {SeriesKind.BEDS_HOURLY: 14 * 24, SeriesKind.TRANSFERS_DAILY: 28}
SEASONAL_NAIVE, HOLT_WINTERS = "seasonal_naive", "holt_winters"


@dataclass(frozen=True)
class Score:
    mase: float
    mape: float | None  # per cent; None when every actual was zero
    mae: float

    def as_dict(self) -> dict[str, float | None]:
        return {key: (None if value is None else round(value, 4)) for key, value in asdict(self).items()}


def needed_steps(kind: SeriesKind) -> int:
    """The shortest history a backtest can run on."""
    return MIN_WINDOW[kind] + SHAPES[kind].horizon + (ORIGINS - 1) * STRIDE[kind]


def backtest(kind: SeriesKind, y: np.ndarray, first_step: int) -> tuple[Order, dict[str, Score]]:
    """The chosen SARIMA and every method's mean score (keyed by ``Order.label()`` or a baseline's name).
    Raises ValueError when ``y`` is shorter than ``needed_steps``."""
    if len(y) < needed_steps(kind):
        raise ValueError(f"{len(y)} steps of history; a backtest needs {needed_steps(kind)}")
    shape = SHAPES[kind]
    errors: dict[str, list[tuple[float, float | None, float]]] = {}
    for k in range(ORIGINS):
        origin = len(y) - shape.horizon - k * STRIDE[kind]
        start = max(0, origin - WINDOW[kind])
        train, actual = y[start:origin], y[origin:origin + shape.horizon]
        for name, forecast in _forecasts(kind, train, first_step + start, shape.horizon).items():
            errors.setdefault(name, []).append(_score(actual, forecast, train, shape.season))
    scores = {name: _mean(values) for name, values in errors.items()}
    chosen = min(CANDIDATES[kind], key=lambda order: scores[order.label()].mase)
    return chosen, scores


def _forecasts(kind: SeriesKind, train: np.ndarray, first_step: int, horizon: int) -> dict[str, np.ndarray]:
    out = {SEASONAL_NAIVE: seasonal_naive(train, SHAPES[kind].season, horizon),
           HOLT_WINTERS: holt_winters(train, HW_SEASON[kind], horizon)}
    for order in CANDIDATES[kind]:
        try:
            out[order.label()] = sarima(kind, train, first_step, horizon, order).mean
        except (ArithmeticError, np.linalg.LinAlgError, ValueError):
            out[order.label()] = np.full(horizon, np.nan)  # scored as infinitely wrong: never chosen
    return out


def _score(actual: np.ndarray, forecast: np.ndarray, train: np.ndarray, season: int) -> tuple[float, float | None,
                                                                                             float]:
    if not np.all(np.isfinite(forecast)):
        return (float("inf"), None, float("inf"))
    a, f, h = actual.tolist(), forecast.tolist(), train.tolist()
    return (mase(a, f, h, season) if naive_scale(h, season) > 0 else float("inf"), mape(a, f), mae(a, f))


def _mean(values: list[tuple[float, float | None, float]]) -> Score:
    mapes = [v[1] for v in values if v[1] is not None]
    return Score(mase=float(np.mean([v[0] for v in values])), mape=float(np.mean(mapes)) if mapes else None,
                 mae=float(np.mean([v[2] for v in values])))
