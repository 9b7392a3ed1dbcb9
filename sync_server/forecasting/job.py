"""Fit every hospital unit's forecasts and publish them to the desks and to the hospital's nurses (entity
``forecast``).

``run_forecasts`` reads the history (``series``), fits each series in worker processes (``forecast_one``: the
backtest again when the last one is older than ``BACKTEST_EVERY``, else the order it chose), and writes every
result and its feed row in one transaction. Series too short for a backtest are left out (the desk says so).
When the chosen order's fit fails (an LU decomposition error, a diverged forecast), the next SARIMA by backtest score
is published, else seasonal naive: always a method whose backtest scores are published with it, as ``chosen``.

Threading: any thread but the event loop's; the fitting runs in a pool of spawned processes (statsmodels holds
the GIL, and a forked copy of a threaded server is unsafe), so the server keeps answering meanwhile.
"""

from __future__ import annotations

import importlib.util
import logging
import math
import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from emsync_desktop.domain.forecast import SHAPES, SeriesKind
from emsync_desktop.sync.protocol import FORECAST_ENTITY
from sync_server.feed import record_change
from sync_server.forecasting.backtest import SEASONAL_NAIVE, WINDOW, Score, backtest, needed_steps
from sync_server.forecasting.methods import CANDIDATES, Z80, Z95, Prediction, sarima, seasonal_naive_prediction
from sync_server.forecasting.series import EPOCH, SeriesInput, load_series
from sync_server.models_forecast import Forecast

log = logging.getLogger(__name__)
BACKTEST_EVERY = timedelta(hours=24)
FIT_ERRORS = (ArithmeticError, ValueError, np.linalg.LinAlgError)


@dataclass(frozen=True)
class Task:
    series: SeriesInput
    now: datetime
    chosen: str | None  # the order the last backtest chose, if it is recent enough
    backtest: dict[str, Any] | None  # its scores and time


def forecast_one(task: Task) -> dict[str, Any]:
    """The record published for one series (its ``data``). Runs in a worker process."""
    series, kind = task.series, task.series.kind
    y = np.asarray(series.values, dtype=float)
    tested = task.backtest
    if task.chosen is None or tested is None:
        order, scores = backtest(kind, y, series.first_step)
        tested = {"at": task.now.isoformat(), "chosen": order.label(),
                  "scores": {name: score.as_dict() for name, score in scores.items()}}
    shape = SHAPES[kind]
    method, prediction, failure = _predict(kind, y[-WINDOW[kind]:], series.first_step + len(y) - WINDOW[kind],
                                           tested)
    lo80, hi80 = prediction.bounds(Z80, 0.0, np.inf)
    lo95, hi95 = prediction.bounds(Z95, 0.0, np.inf)
    mean = np.clip(prediction.mean, 0.0, None)
    points = [[round(float(v), 2) for v in row] for row in zip(mean, lo80, hi80, lo95, hi95, strict=True)]
    start = EPOCH + shape.step * (series.first_step + len(y))
    if failure is not None:  # the desk shows the scores of "chosen" as the published method's
        tested = tested | {"chosen": method, "fallback": {"from": tested["chosen"], "error": failure}}
    return {"id": series.id, "hospital_id": series.hospital_id, "unit": series.unit, "kind": kind.value,
            "method": method, "fitted_at": task.now.isoformat(), "start": start.isoformat(),
            "step_s": int(shape.step.total_seconds()), "points": points, "capacity": series.capacity,
            "shown": [round(v, 2) for v in series.shown], "synthetic": series.synthetic,
            "history_steps": len(y), "backtest": tested}


def _predict(kind: SeriesKind, y: np.ndarray, first_step: int, tested: dict[str, Any]) -> tuple[str, Prediction,
                                                                                                str | None]:
    """The method published, its forecast, and why the backtest's choice was not (None when it was): that SARIMA,
    else the others by backtest MASE (those it scored), else seasonal naive."""
    scores, horizon = tested["scores"], SHAPES[kind].horizon
    others = sorted((o for o in CANDIDATES[kind] if o.label() != tested["chosen"]
                     and math.isfinite(scores[o.label()]["mase"])), key=lambda o: scores[o.label()]["mase"])
    failure = None
    for order in [o for o in CANDIDATES[kind] if o.label() == tested["chosen"]] + others:
        try:
            return order.label(), sarima(kind, y, first_step, horizon, order), failure
        except FIT_ERRORS as exc:
            failure = failure or f"{order.label()}: {type(exc).__name__}: {exc}"
    return SEASONAL_NAIVE, seasonal_naive_prediction(y, SHAPES[kind].season, horizon), failure


def run_forecasts(sessions: sessionmaker[Session], now: datetime, executor: Executor | None = None) -> int:
    """Fit and publish every series long enough; returns how many were published. ``executor``: default, a pool
    of spawned processes for this run."""
    if importlib.util.find_spec("statsmodels") is None:  # the frozen desktop's demo server ships without it
        log.warning("forecasts not fitted: statsmodels is not installed (pip install 'emsync-desktop[server]')")
        return 0
    with sessions() as session:
        tasks = _tasks(session, now)
    if not tasks:
        return 0
    if executor is None:
        with _pool() as pool:
            results = _fit_all(pool, tasks)
    else:
        results = _fit_all(executor, tasks)
    with sessions.begin() as session:
        for data in results:
            _publish(session, data, now)
    return len(results)


def _tasks(session: Session, now: datetime) -> list[Task]:
    previous = {row.id: row.data for row in session.scalars(select(Forecast))}
    tasks = []
    for series in load_series(session, now):
        if len(series.values) < needed_steps(series.kind):
            continue
        tested = previous.get(series.id, {}).get("backtest")
        if tested is not None and "fallback" in tested:  # the backtest's own choice is tried first again
            tested = {k: v for k, v in tested.items() if k != "fallback"} | {"chosen": tested["fallback"]["from"]}
        fresh = tested is not None and now - datetime.fromisoformat(tested["at"]) < BACKTEST_EVERY
        tasks.append(Task(series, now, tested["chosen"] if fresh and tested else None, tested if fresh else None))
    return tasks


def _fit_all(executor: Executor, tasks: list[Task]) -> list[dict[str, Any]]:
    results = []
    for task, future in [(task, executor.submit(forecast_one, task)) for task in tasks]:
        try:
            results.append(future.result())
        except FIT_ERRORS as exc:  # one series: the rest publish
            log.warning("forecast of %s failed: %s", task.series.id, exc)
            continue
        if "fallback" in results[-1]["backtest"]:
            log.warning("forecast of %s: %s; published %s", task.series.id,
                        results[-1]["backtest"]["fallback"]["error"], results[-1]["method"])
    return results


def _pool() -> ProcessPoolExecutor:
    """One single-threaded worker per core, up to two. A spawned worker reads BLAS's thread count from the
    environment when numpy loads: left to itself each took every core, and a run with two of them on two cores had
    not finished after 10 minutes where it took 53 s with one thread each."""
    workers = max(1, min(2, os.cpu_count() or 1))
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_lower_priority)


def _lower_priority() -> None:
    if hasattr(os, "nice"):
        os.nice(10)  # the server's requests (and, embedded, the desktop) come first


def _publish(session: Session, data: dict[str, Any], now: datetime) -> None:
    row = session.get(Forecast, data["id"])
    if row is None:
        row = Forecast(id=data["id"], hospital_id=data["hospital_id"], unit=data["unit"], kind=data["kind"],
                       version=0, fitted_at=now, data=data)
        session.add(row)
    row.version += 1
    row.fitted_at, row.data = now, data | {"version": row.version}
    session.flush()
    for audience in (None, row.hospital_id):  # the desks; the hospital's own nurses (their staffing forecast)
        record_change(session, entity=FORECAST_ENTITY, entity_id=row.id, version=row.version, data=row.data,
                      hospital_id=audience, owner_user_id=None, now=now)


def scores_of(data: dict[str, Any]) -> dict[str, Score]:
    """A published record's backtest scores (the desk's table, the benchmark's)."""
    return {name: Score(**values) for name, values in data["backtest"]["scores"].items()}

