"""The desk's forecasts come from the server's published fits, synced: readable offline, a newer fit replacing the
older, a surge found where the 80 % bound passes the unit's beds within a day, and the skill stated."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from emsync_desktop.domain.forecast import SeriesKind
from emsync_desktop.domain.ids import demo_id, series_id
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.forecasts import load_forecasts, surges
from emsync_desktop.sync.local import store_changes
from emsync_desktop.sync.protocol import FORECAST_ENTITY, Change
from tests.services.conftest import NOW

LOURDES = demo_id("hospital", "Lourdes")
HOUR = NOW.replace(minute=0)


def published(highs: list[float], version: int = 1, kind: SeriesKind = SeriesKind.BEDS_HOURLY) -> dict[str, Any]:
    step = 3600 if kind is SeriesKind.BEDS_HOURLY else 86400
    return {"id": series_id(LOURDES, "ICU", kind.value), "hospital_id": LOURDES, "unit": "ICU", "kind": kind.value,
            "method": "SARIMA(2,0,0)+Fourier(24,168)", "fitted_at": NOW.isoformat(),
            "start": (HOUR + timedelta(hours=1)).isoformat(), "step_s": step,
            "points": [[h - 2, h - 4, h, h - 5, h + 1] for h in highs], "capacity": 12, "shown": [8.0, 9.0],
            "synthetic": True, "history_steps": 672, "version": version,
            "backtest": {"at": NOW.isoformat(), "chosen": "SARIMA(2,0,0)+Fourier(24,168)", "scores": {
                "SARIMA(2,0,0)+Fourier(24,168)": {"mase": 0.5, "mape": 9.0, "mae": 0.77},
                "seasonal_naive": {"mase": 0.65, "mape": 12.0, "mae": 1.0},
                "holt_winters": {"mase": 0.7, "mape": 13.0, "mae": 1.1}}}}


def change(seq: int, data: dict[str, Any]) -> Change:
    return Change(seq=seq, entity=FORECAST_ENTITY, entity_id=data["id"], version=data["version"], data=data)


def test_a_synced_forecast_is_read_with_its_skill_its_scores_and_its_actuals(app_context: AppContext) -> None:
    store_changes(app_context.store, [change(1, published([9, 10, 11]))], 1)
    [forecast] = load_forecasts(app_context.store)
    assert "Lourdes" in forecast.hospital and forecast.unit == "ICU" and forecast.capacity == 12
    assert forecast.skill == "beats the same hour last week by 23 %"
    assert [s.name for s in forecast.scores] == ["SARIMA(2,0,0)+Fourier(24,168)", "Seasonal naive", "Holt-Winters"]
    assert forecast.points[0].at == HOUR + timedelta(hours=1) and forecast.points[0].hi80 == 9
    assert forecast.actual_times == [HOUR - timedelta(hours=1), HOUR] and forecast.actuals == [8.0, 9.0]


def test_a_newer_fit_replaces_the_older_and_an_older_one_is_ignored(app_context: AppContext) -> None:
    store_changes(app_context.store, [change(1, published([9, 10])), change(2, published([5, 6], version=2))], 2)
    store_changes(app_context.store, [change(1, published([9, 10]))], 2)
    [forecast] = load_forecasts(app_context.store)
    assert [p.hi80 for p in forecast.points] == [5, 6]


def test_a_surge_is_found_in_the_beds_forecast_within_a_day(app_context: AppContext) -> None:
    store_changes(app_context.store, [change(1, published([10, 13.5, 12])),
                                      change(2, published([30, 30], kind=SeriesKind.TRANSFERS_DAILY))], 2)
    [(forecast, surge)] = surges(load_forecasts(app_context.store), NOW)
    assert forecast.kind is SeriesKind.BEDS_HOURLY and surge.at == HOUR + timedelta(hours=2) and surge.over == 2


def test_no_surge_once_the_forecast_is_more_than_a_day_old(app_context: AppContext) -> None:
    store_changes(app_context.store, [change(1, published([10, 13.5, 12]))], 1)
    assert surges(load_forecasts(app_context.store), NOW + timedelta(days=2)) == []




def test_a_forecast_the_server_fell_back_to_seasonal_naive_for_states_that_methods_skill(
        app_context: AppContext) -> None:
    data = published([9, 10])
    data["method"] = "seasonal_naive"
    data["backtest"] |= {"chosen": "seasonal_naive", "fallback": {
        "from": "SARIMA(2,0,0)+Fourier(24,168)", "error": "LinAlgError: LU decomposition error."}}
    store_changes(app_context.store, [change(1, data)], 1)
    [forecast] = load_forecasts(app_context.store)
    assert forecast.skill == "no better than the same hour last week"
    assert [s.name for s in forecast.scores if s.chosen] == ["Seasonal naive"]
