from datetime import datetime

import pytest

from emsync_desktop.domain.vitals import Vitals, check_numeric, check_vitals_set


@pytest.mark.parametrize("text", ["abc", "9o", "--", "1e", "nan", "inf"])
def test_letters_in_numeric_field_are_refused_with_field_name(text: str) -> None:
    check = check_numeric("hr_bpm", text)
    assert check.value is None
    assert check.error is not None and "Heart rate must be a number" in check.error


def test_spo2_above_100_is_refused() -> None:
    check = check_numeric("spo2_pct", "101")
    assert check.error == "SpO2 cannot be above 100 %. Check the reading."


def test_negative_value_is_refused() -> None:
    assert "cannot be negative" in (check_numeric("rr_per_min", "-4").error or "")


def test_fractional_heart_rate_is_refused() -> None:
    assert "whole number" in (check_numeric("hr_bpm", "88.5").error or "")


def test_fahrenheit_temperature_is_explained() -> None:
    assert "looks like °F (37.0 °C)" in (check_numeric("temp_c", "98.6").error or "")


def test_decimal_comma_is_accepted() -> None:
    assert check_numeric("temp_c", "37,5").value == 37.5


def test_implausible_but_possible_value_is_accepted_and_flagged() -> None:
    check = check_numeric("hr_bpm", "240")
    assert check.value == 240 and check.error is None
    assert check.warning is not None and "re-check" in check.warning


def test_empty_field_is_missing_not_an_error() -> None:
    assert check_numeric("glucose_mg_dl", "  ") == check_numeric("glucose_mg_dl", "")
    assert check_numeric("glucose_mg_dl", "").ok


def test_diastolic_not_below_systolic_is_an_error() -> None:
    vitals = Vitals(taken_at=datetime(2026, 1, 1), sbp_mmhg=80, dbp_mmhg=90)
    assert "dbp_mmhg" in check_vitals_set(vitals)
