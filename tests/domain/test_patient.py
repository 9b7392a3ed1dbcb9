from datetime import date

from emsync_desktop.domain.patient import (
    CaseDetails,
    case_problems,
    check_phone,
    parse_age,
    parse_date_of_birth,
)

TODAY = date(2026, 11, 22)


def test_future_date_of_birth_is_refused() -> None:
    value, error = parse_date_of_birth("2027-01-01", TODAY)
    assert value is None and error == "Date of birth is in the future. Check the year."


def test_indian_day_first_date_is_understood() -> None:
    assert parse_date_of_birth("21/03/1984", TODAY) == (date(1984, 3, 21), None)


def test_unparseable_date_says_the_format() -> None:
    assert "YYYY-MM-DD" in (parse_date_of_birth("March", TODAY)[1] or "")


def test_age_must_be_whole_years() -> None:
    assert parse_age("4x")[1] is not None
    assert parse_age("54") == (54, None)
    assert parse_age("130")[1] is not None


def test_phone_with_letters_is_refused() -> None:
    assert check_phone("call me") is not None
    assert check_phone("+91 98470 12345") is None


def test_missing_chief_complaint_is_reported_not_refused() -> None:
    problems = case_problems(CaseDetails(age_years=40))
    assert problems == ["Chief complaint is missing: add it before triage and handoff."]
