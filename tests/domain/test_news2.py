from datetime import datetime

import pytest

from emsync_desktop.domain.news2 import (
    News2Band,
    band_for,
    compute_news2,
    compute_shock_index,
    score_spo2,
)
from emsync_desktop.domain.vitals import Consciousness, Vitals

T0 = datetime(2026, 1, 1, 12, 0)


def normal(**overrides: object) -> Vitals:
    base = Vitals(
        taken_at=T0, hr_bpm=70, rr_per_min=16, spo2_pct=98, on_oxygen=False,
        sbp_mmhg=120, dbp_mmhg=80, temp_c=37.0, consciousness=Consciousness.ALERT,
    )
    return base.with_value(*next(iter(overrides.items()))) if overrides else base


# Every row edge of the RCP 2017 chart: (value, points).
RR_EDGES = [(8, 3), (9, 1), (11, 1), (12, 0), (20, 0), (21, 2), (24, 2), (25, 3)]
SBP_EDGES = [(90, 3), (91, 2), (100, 2), (101, 1), (110, 1), (111, 0), (219, 0), (220, 3)]
HR_EDGES = [(40, 3), (41, 1), (50, 1), (51, 0), (90, 0), (91, 1), (110, 1), (111, 2), (130, 2), (131, 3)]
TEMP_EDGES = [(35.0, 3), (35.1, 1), (36.0, 1), (36.1, 0), (38.0, 0), (38.1, 1), (39.0, 1), (39.1, 2)]
SPO2_SCALE1_EDGES = [(91, 3), (92, 2), (93, 2), (94, 1), (95, 1), (96, 0), (100, 0)]


@pytest.mark.parametrize(("rr", "points"), RR_EDGES)
def test_respiration_rate_boundaries(rr: int, points: int) -> None:
    assert compute_news2(normal(rr_per_min=rr)).parts["rr"] == points


@pytest.mark.parametrize(("sbp", "points"), SBP_EDGES)
def test_systolic_bp_boundaries(sbp: int, points: int) -> None:
    assert compute_news2(normal(sbp_mmhg=sbp)).parts["sbp"] == points


@pytest.mark.parametrize(("hr", "points"), HR_EDGES)
def test_pulse_boundaries(hr: int, points: int) -> None:
    assert compute_news2(normal(hr_bpm=hr)).parts["hr"] == points


@pytest.mark.parametrize(("temp", "points"), TEMP_EDGES)
def test_temperature_boundaries(temp: float, points: int) -> None:
    assert compute_news2(normal(temp_c=temp)).parts["temp"] == points


@pytest.mark.parametrize(("spo2", "points"), SPO2_SCALE1_EDGES)
def test_spo2_scale1_boundaries(spo2: int, points: int) -> None:
    assert score_spo2(spo2, on_oxygen=False, scale=1) == points


@pytest.mark.parametrize(
    ("spo2", "on_oxygen", "points"),
    [
        (83, False, 3), (84, False, 2), (85, False, 2), (86, False, 1), (87, False, 1),
        (88, False, 0), (92, False, 0), (93, False, 0), (97, False, 0), (100, False, 0),
        (83, True, 3), (88, True, 0), (92, True, 0), (93, True, 1), (94, True, 1),
        (95, True, 2), (96, True, 2), (97, True, 3), (100, True, 3),
    ],
)
def test_spo2_scale2_scores_high_saturation_only_on_oxygen(spo2: int, on_oxygen: bool, points: int) -> None:
    assert score_spo2(spo2, on_oxygen=on_oxygen, scale=2) == points


def test_supplemental_oxygen_adds_two() -> None:
    assert compute_news2(normal(on_oxygen=True)).parts["air_or_oxygen"] == 2


@pytest.mark.parametrize("level", [Consciousness.NEW_CONFUSION, Consciousness.VOICE,
                                   Consciousness.PAIN, Consciousness.UNRESPONSIVE])
def test_any_new_confusion_or_worse_scores_three(level: Consciousness) -> None:
    assert compute_news2(normal(consciousness=level)).parts["consciousness"] == 3


@pytest.mark.parametrize(
    ("total", "single_three", "band"),
    [
        (0, False, News2Band.ZERO), (1, False, News2Band.LOW), (4, False, News2Band.LOW),
        (3, True, News2Band.LOW_MEDIUM), (4, True, News2Band.LOW_MEDIUM),
        (5, False, News2Band.MEDIUM), (6, True, News2Band.MEDIUM),
        (7, False, News2Band.HIGH), (20, True, News2Band.HIGH),
    ],
)
def test_band_thresholds(total: int, single_three: bool, band: News2Band) -> None:
    assert band_for(total, single_three) is band


def test_normal_patient_scores_zero() -> None:
    result = compute_news2(normal())
    assert (result.total, result.band, result.complete) == (0, News2Band.ZERO, True)


def test_septic_patient_scores_high() -> None:
    vitals = Vitals(taken_at=T0, hr_bpm=125, rr_per_min=26, spo2_pct=91, on_oxygen=True,
                    sbp_mmhg=88, temp_c=39.4, consciousness=Consciousness.NEW_CONFUSION)
    result = compute_news2(vitals)
    assert result.total == 2 + 3 + 3 + 2 + 3 + 3 + 2
    assert result.band is News2Band.HIGH


def test_missing_parameters_are_reported_and_total_is_partial() -> None:
    result = compute_news2(Vitals(taken_at=T0, hr_bpm=135))
    assert result.total == 3
    assert not result.complete
    assert "rr" in result.missing and "hr" not in result.missing


def test_scale2_needs_oxygen_status_to_score_spo2() -> None:
    result = compute_news2(Vitals(taken_at=T0, spo2_pct=97), spo2_scale=2)
    assert "spo2" in result.missing


def test_shock_index_levels() -> None:
    assert compute_shock_index(normal(hr_bpm=120).with_value("sbp_mmhg", 90)).level == "severe"  # type: ignore[union-attr]
    assert compute_shock_index(normal()).level == "normal"  # type: ignore[union-attr]
    assert compute_shock_index(Vitals(taken_at=T0, hr_bpm=80)) is None
