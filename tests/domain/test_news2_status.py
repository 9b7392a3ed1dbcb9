"""NEWS2 of a case: only complete sets are a score; a set in progress never lowers what is shown."""

from datetime import datetime, timedelta

from emsync_desktop.domain.news2 import News2Band, TimedNews2, compute_news2, news2_status, score_text
from emsync_desktop.domain.vitals import Consciousness, Vitals

T0 = datetime(2026, 1, 1, 7, 30)


def timed(minutes: int, **values: object) -> TimedNews2:
    vitals = Vitals(taken_at=T0 + timedelta(minutes=minutes), **values)  # type: ignore[arg-type]
    return TimedNews2(vitals.taken_at, compute_news2(vitals))


CRITICAL = {"hr_bpm": 140, "rr_per_min": 30, "spo2_pct": 85, "on_oxygen": True, "sbp_mmhg": 85,
            "temp_c": 34.5, "consciousness": Consciousness.PAIN}


def test_new_set_with_three_values_keeps_the_last_complete_score_on_the_badge() -> None:
    status = news2_status([timed(0, **CRITICAL), timed(10, hr_bpm=120, rr_per_min=22, spo2_pct=95)])
    assert status.headline is status.latest_complete
    assert status.headline.result.total >= 15 and status.headline.result.band is News2Band.HIGH  # type: ignore[union-attr]
    assert status.in_progress is not None and status.recorded == 3
    assert score_text(status.in_progress.result) == f"≥ {status.in_progress.result.total}"


def test_incomplete_set_that_already_guarantees_more_risk_is_shown_as_a_lower_bound() -> None:
    calm = {"hr_bpm": 70, "rr_per_min": 16, "spo2_pct": 98, "on_oxygen": False, "sbp_mmhg": 120, "temp_c": 37.0,
            "consciousness": Consciousness.ALERT}
    status = news2_status([timed(0, **calm), timed(10, rr_per_min=30, spo2_pct=88)])
    assert status.headline is status.in_progress
    assert status.headline.result.band is News2Band.HIGH or status.headline.result.total >= 6  # type: ignore[union-attr]
    assert not status.headline.result.complete  # type: ignore[union-attr]


def test_no_complete_set_yet_and_nothing_abnormal_shows_no_score() -> None:
    status = news2_status([timed(0, hr_bpm=80)])
    assert status.latest_complete is None and status.headline is None and status.recorded == 1
