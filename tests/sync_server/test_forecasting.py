"""The history forecasts are fitted on (per hospital, unit and hour), the fit itself (rolling-origin backtests
choosing the SARIMA), and the forecasts reaching the desks and the hospital's own nurses (its staffing forecast) and no
one else, on SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from sqlalchemy import insert, select

from emsync_desktop.domain.forecast import SeriesKind
from emsync_desktop.domain.ids import new_id
from sync_server.activity_hours import sample_activity
from sync_server.demo_activity import _unit_rows
from sync_server.forecasting import job
from sync_server.forecasting.backtest import HOLT_WINTERS, SEASONAL_NAIVE, backtest, needed_steps
from sync_server.forecasting.job import Task, forecast_one, run_forecasts
from sync_server.forecasting.methods import CANDIDATES, Order, Prediction
from sync_server.forecasting.series import SeriesInput
from sync_server.models_forecast import ActivityHour
from tests.sync_server.conftest import LOURDES, Server, transfer_request

NOW = datetime.now(UTC).replace(minute=30, second=0, microsecond=0)
HOUR = NOW.replace(minute=0)


def history(server: Server, days: int, unit: str = "ICU") -> None:
    """``days`` of made-up hours for Lourdes' ``unit``, ending with the hour before this one."""
    hours = [HOUR - timedelta(hours=h) for h in range(days * 24, 0, -1)]
    rows = _unit_rows(np.random.default_rng(7), LOURDES, unit, 12, 8, hours, surge=False)
    with server.client.app.state.write_sessions.begin() as session:  # type: ignore[attr-defined]
        session.execute(insert(ActivityHour), rows)


def forecasts_pulled(server: Server, username: str) -> list[dict[str, Any]]:
    return server.pull_all(username, "forecast")


def fit(server: Server, now: datetime = NOW) -> int:
    with ThreadPoolExecutor(1) as pool:
        return run_forecasts(server.client.app.state.write_sessions, now, pool)  # type: ignore[attr-defined]


def test_each_hospital_unit_gets_its_hour_with_the_transfers_requested_in_it(server: Server) -> None:
    server.push("asha", transfer_request(new_id(), unit="ICU"))
    with server.client.app.state.write_sessions.begin() as session:  # type: ignore[attr-defined]
        sample_activity(session, datetime.now(UTC))
    with server.client.app.state.sessions() as session:  # type: ignore[attr-defined]
        rows = {(r.hospital_id, r.unit): r for r in session.scalars(select(ActivityHour))}
    icu = rows[(LOURDES, "ICU")]
    assert icu.transfers_requested == 1 and icu.beds_total > 0 and not icu.synthetic
    assert rows[(LOURDES, "WARD")].transfers_requested == 0


def test_forecasts_reach_the_desk_and_their_hospitals_nurses_and_a_refit_keeps_the_backtest(server: Server) -> None:
    history(server, 60)
    assert fit(server) == 2
    desk = {f["kind"]: f for f in forecasts_pulled(server, "rahul")}
    assert len(desk["beds_hourly"]["points"]) == 72 and len(desk["transfers_daily"]["points"]) == 7
    assert {f["kind"] for f in forecasts_pulled(server, "maria")} == set(desk)  # for the ward's staffing forecast
    assert forecasts_pulled(server, "anu") == [] and forecasts_pulled(server, "asha") == []
    first = desk["beds_hourly"]["backtest"]
    assert fit(server, NOW + timedelta(hours=1)) == 2
    refit = {f["kind"]: f for f in forecasts_pulled(server, "rahul")}
    assert refit["beds_hourly"]["backtest"] == first and refit["beds_hourly"]["version"] == 2


def test_a_unit_without_enough_history_gets_no_forecast(server: Server) -> None:
    history(server, 10)
    assert fit(server) == 0 and forecasts_pulled(server, "rahul") == []


@pytest.mark.parametrize("kind", list(SeriesKind))
def test_the_backtest_scores_every_method_and_chooses_the_best_sarima(kind: SeriesKind) -> None:
    rng = np.random.default_rng(3)
    steps = np.arange(needed_steps(kind) + 24)
    period = 24 if kind is SeriesKind.BEDS_HOURLY else 7
    y = 10 + 3 * np.sin(2 * np.pi * steps / period) + rng.normal(0, 1, len(steps))
    chosen, scores = backtest(kind, y, 400_000)
    assert set(scores) == {SEASONAL_NAIVE, HOLT_WINTERS} | {o.label() for o in CANDIDATES[kind]}
    assert scores[chosen.label()].mase == min(scores[o.label()].mase for o in CANDIDATES[kind])
    assert scores[chosen.label()].mase < scores[SEASONAL_NAIVE].mase  # noise around a season: naive copies noise


def test_a_backtest_refuses_a_history_too_short() -> None:
    with pytest.raises(ValueError, match="a backtest needs"):
        backtest(SeriesKind.TRANSFERS_DAILY, np.ones(20), 0)


def failing_fits(monkeypatch: pytest.MonkeyPatch, *labels: str) -> None:
    """The job's SARIMA fits of ``labels`` (all, when none are named) raise as statsmodels did on one demo series."""
    real = job.sarima

    def sarima(kind: SeriesKind, y: np.ndarray, first_step: int, horizon: int, order: Order) -> Prediction:
        if not labels or order.label() in labels:
            raise np.linalg.LinAlgError("LU decomposition error.")
        return real(kind, y, first_step, horizon, order)

    monkeypatch.setattr(job, "sarima", sarima)


def test_a_unit_whose_sarima_fits_fail_is_published_as_seasonal_naive_with_its_scores(
        server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    history(server, 60)
    failing_fits(monkeypatch)
    assert fit(server) == 2
    for forecast in forecasts_pulled(server, "rahul"):
        tested = forecast["backtest"]
        assert forecast["method"] == tested["chosen"] == SEASONAL_NAIVE and len(forecast["points"]) > 0
        assert tested["fallback"]["from"] in {o.label() for o in CANDIDATES[SeriesKind(forecast["kind"])]}
        assert "LU decomposition error" in tested["fallback"]["error"]


def test_the_hour_after_a_fallback_the_backtests_choice_is_fitted_again(
        server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    history(server, 60)
    failing_fits(monkeypatch)
    fit(server)
    monkeypatch.undo()
    assert fit(server, NOW + timedelta(hours=1)) == 2
    for forecast in forecasts_pulled(server, "rahul"):
        assert forecast["method"] == forecast["backtest"]["chosen"] != SEASONAL_NAIVE
        assert "fallback" not in forecast["backtest"]


def test_when_the_chosen_sarima_fails_the_other_is_published_as_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    kind = SeriesKind.TRANSFERS_DAILY
    first, second = (o.label() for o in CANDIDATES[kind])
    steps = np.arange(needed_steps(kind))
    series = SeriesInput(LOURDES, "ICU", kind, list(5 + 2 * np.sin(2 * np.pi * steps / 7)), 20_000, 12, True)
    score = {"mase": 0.5, "mape": 10.0, "mae": 1.0}
    tested = {"at": NOW.isoformat(), "chosen": first,
              "scores": {first: score, second: score, SEASONAL_NAIVE: score, HOLT_WINTERS: score}}
    failing_fits(monkeypatch, first)
    published = forecast_one(Task(series, NOW, first, tested))
    assert published["method"] == published["backtest"]["chosen"] == second
    assert published["backtest"]["fallback"]["from"] == first
