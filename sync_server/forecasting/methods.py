"""The forecasting methods, on plain arrays (no database): SARIMA (statsmodels SARIMAX) with daily and weekly
seasonality, and the two baselines it is checked against: seasonal naive and Holt-Winters.

Seasonality. Daily transfers: a seasonal ARIMA with a weekly season (s = 7). Hourly beds in use: the daily and
weekly seasons (24 and 168 hours) enter SARIMAX as Fourier terms (3 and 2 harmonics) with ARMA errors: a seasonal AR
at lag 24 took 1.4 s per series against 0.34 s (measured, docs/decisions.md), and a season of 168 as a seasonal lag
is out of reach of a state-space fit. Fourier phases are counted from the Unix epoch, so a forecast's terms follow
the history's whatever window is fitted.

Threading: pure functions, run in worker processes (``job``); statsmodels' warnings are silenced inside.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from emsync_desktop.domain.forecast import SeriesKind

Z80, Z95 = 1.2816, 1.9600


@dataclass(frozen=True)
class Order:
    """A SARIMA specification: ``order`` (p, d, q), ``seasonal`` (P, D, Q, s) or None, ``trend``."""

    order: tuple[int, int, int]
    seasonal: tuple[int, int, int, int] | None
    trend: str

    def label(self) -> str:
        seasonal = f"x{self.seasonal[:3]}{self.seasonal[3]}" if self.seasonal else "+Fourier(24,168)"
        return f"SARIMA{self.order}{seasonal}".replace(" ", "")


CANDIDATES: dict[SeriesKind, tuple[Order, ...]] = {
    SeriesKind.BEDS_HOURLY: (Order((2, 0, 0), None, "c"), Order((1, 0, 1), None, "c")),
    SeriesKind.TRANSFERS_DAILY: (Order((1, 0, 0), (1, 0, 1, 7), "c"), Order((0, 1, 1), (0, 1, 1, 7), "n")),
}
HW_SEASON = {SeriesKind.BEDS_HOURLY: 168, SeriesKind.TRANSFERS_DAILY: 7}


@dataclass(frozen=True)
class Prediction:
    mean: np.ndarray
    sd: np.ndarray  # standard deviation of the forecast error, per step

    def bounds(self, z: float, floor: float, ceiling: float) -> tuple[np.ndarray, np.ndarray]:
        return (np.clip(self.mean - z * self.sd, floor, ceiling), np.clip(self.mean + z * self.sd, floor, ceiling))


def fourier(steps: np.ndarray) -> np.ndarray:
    """Daily (3 harmonics) and weekly (2) terms for hour numbers ``steps`` (hours since the epoch)."""
    columns = [f(2 * math.pi * k * steps / period) for period, harmonics in ((24, 3), (168, 2))
               for k in range(1, harmonics + 1) for f in (np.sin, np.cos)]
    return np.column_stack(columns)


def sarima(kind: SeriesKind, y: np.ndarray, first_step: int, horizon: int, order: Order) -> Prediction:
    """Fit ``order`` to ``y`` (whose first value is step number ``first_step``) and forecast ``horizon`` steps."""
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    exog = future = None
    if kind is SeriesKind.BEDS_HOURLY:
        exog = fourier(np.arange(first_step, first_step + len(y)))
        future = fourier(np.arange(first_step + len(y), first_step + len(y) + horizon))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = SARIMAX(y, exog=exog, order=order.order, seasonal_order=order.seasonal or (0, 0, 0, 0),
                        trend=order.trend, concentrate_scale=True)
        fitted = model.fit(disp=False, maxiter=60)
        result = fitted.get_forecast(horizon, exog=future)
    mean = np.asarray(result.predicted_mean, dtype=float)
    sd = np.sqrt(np.maximum(np.asarray(result.var_pred_mean, dtype=float), 0))
    if not np.all(np.isfinite(mean)) or not np.all(np.isfinite(sd)):
        raise ArithmeticError(f"{order.label()} did not converge")
    return Prediction(mean, sd)


def seasonal_naive(y: np.ndarray, season: int, horizon: int) -> np.ndarray:
    """Each step as it was one season earlier (the last season repeated)."""
    return np.array([y[len(y) - season + (h % season)] for h in range(horizon)], dtype=float)


def seasonal_naive_prediction(y: np.ndarray, season: int, horizon: int) -> Prediction:
    """Seasonal naive with its intervals (FPP3 §5.5): the error's deviation is the in-sample one-season-ahead
    residuals', times the square root of the seasons ahead. What is published when no SARIMA fits (``job``)."""
    residuals = y[season:] - y[:-season]
    sigma = float(np.sqrt(np.mean(residuals ** 2))) if len(residuals) else 0.0
    return Prediction(seasonal_naive(y, season, horizon), sigma * np.sqrt(np.arange(horizon) // season + 1))


def holt_winters(y: np.ndarray, season: int, horizon: int) -> np.ndarray:
    """Additive Holt-Winters (no trend; damped trends overshoot on weeks of data)."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = ExponentialSmoothing(y, trend=None, seasonal="add", seasonal_periods=season,
                                      initialization_method="estimated").fit()
        return np.asarray(fitted.forecast(horizon), dtype=float)
