"""Forecast accuracy measures, the skill a coordinator reads, and when a forecast says a unit runs out of beds."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from emsync_desktop.domain.forecast import (
    ForecastPoint,
    first_surge,
    mape,
    mase,
    naive_scale,
    next_day,
    skill_text,
    surge_text,
)

NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


def test_mase_scales_the_error_by_the_seasonal_naive_in_sample_error() -> None:
    history = [1, 2, 3, 2, 3, 4]  # season 3: in-sample naive errors 1, 1, 1
    assert naive_scale(history, 3) == 1.0
    assert mase([4, 6], [5, 5], history, 3) == pytest.approx(1.0)


def test_mase_of_a_history_that_never_changed_is_infinite_not_a_division_error() -> None:
    assert math.isinf(mase([2, 2], [2, 3], [2, 2, 2, 2], 2))


def test_mase_refuses_a_history_shorter_than_a_season_and_a_step() -> None:
    with pytest.raises(ValueError, match="more than 7"):
        naive_scale([1, 2, 3], 7)


def test_mape_leaves_out_steps_whose_actual_is_zero() -> None:
    assert mape([0, 10, 20], [5, 11, 18]) == pytest.approx(10.0)
    assert mape([0, 0], [1, 2]) is None


@pytest.mark.parametrize(("method", "naive", "text"), [
    (0.77, 1.0, "beats last week's same day by 23 %"),
    (1.0, 1.0, "no better than last week's same day"),
    (1.2, 1.0, "worse than last week's same day by 20 %: use with care"),
])
def test_skill_says_how_much_better_than_last_weeks_same_day(method: float, naive: float, text: str) -> None:
    assert skill_text(method, naive, "last week's same day") == text


def points(highs: list[float]) -> list[ForecastPoint]:
    return [ForecastPoint(NOW + timedelta(hours=h + 1), high - 2, high - 4, high, high - 5, high + 1)
            for h, high in enumerate(highs)]


def test_a_surge_is_the_first_hour_the_80_percent_bound_passes_the_beds_counted_at_its_worst() -> None:
    surge = first_surge(points([10, 12, 13.2, 11]), capacity=12, now=NOW)
    assert surge is not None and surge.at == NOW + timedelta(hours=3) and surge.over == 2 and surge.capacity == 12
    assert surge_text("ICU", "Lourdes", surge, "05 Dec 13:00") == \
        "ICU at Lourdes: may need 14 beds from 05 Dec 13:00, 2 beds more than its 12"


def test_no_surge_when_the_bound_stays_within_the_beds_or_passes_them_after_a_day() -> None:
    assert first_surge(points([10, 12, 12]), capacity=12, now=NOW) is None
    assert first_surge(points([10] * 30 + [20]), capacity=12, now=NOW) is None


def test_the_next_days_figures_name_the_same_upper_bound_as_the_surge_alert() -> None:
    forecast = points([10, 12, 13.2, 11])
    day, surge = next_day(forecast, NOW), first_surge(forecast, capacity=12, now=NOW)
    assert day is not None and surge is not None
    assert (day.peak, day.up_to) == (11, 14) and day.up_to == math.ceil(surge.peak)
