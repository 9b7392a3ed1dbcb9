from datetime import UTC, datetime, timedelta

import pytest

from emsync_desktop.domain.history import (
    AnswerStatus,
    BodyWeight,
    HistoryItem,
    LastOralIntake,
    ListAnswer,
    SampleHistory,
    WeightKind,
    answer_list,
    check_last_oral_intake,
    history_gaps,
    parse_weight,
)

NOW = datetime(2026, 11, 22, 7, 50, tzinfo=UTC)


def test_no_known_allergies_is_its_own_answer_not_the_default() -> None:
    answer, error = answer_list(HistoryItem.ALLERGIES, AnswerStatus.NONE, [])
    assert error is None and answer == ListAnswer(AnswerStatus.NONE, ())
    assert ListAnswer().status is AnswerStatus.NOT_ASKED
    assert HistoryItem.ALLERGIES.none_label == "No known allergies"


def test_listed_allergies_drop_blanks_and_repeats() -> None:
    answer, error = answer_list(HistoryItem.ALLERGIES, AnswerStatus.LISTED, ["Penicillin", " ", "penicillin ", "latex"])
    assert error is None and answer is not None and answer.items == ("Penicillin", "latex")


def test_listed_with_nothing_typed_says_to_choose_none_instead() -> None:
    answer, error = answer_list(HistoryItem.ALLERGIES, AnswerStatus.LISTED, ["  "])
    assert answer is None
    assert error == "Allergies: type at least one, or choose 'No known allergies'."


def test_no_known_allergies_with_an_allergy_typed_is_refused() -> None:
    answer, error = answer_list(HistoryItem.ALLERGIES, AnswerStatus.NONE, ["penicillin"])
    assert answer is None
    assert error == "Allergies: 'No known allergies' was chosen but penicillin was typed. Keep one of them."


def test_unknown_medications_with_items_typed_is_refused() -> None:
    _, error = answer_list(HistoryItem.MEDICATIONS, AnswerStatus.UNKNOWN, ["warfarin"])
    assert error is not None and error.startswith("Current medications: 'Unknown (could not ask)' was chosen")


@pytest.mark.parametrize(("text", "kg"), [("72", 72.0), ("3,5", 3.5), ("80 kg", 80.0), ("0.5", 0.5), ("350", 350.0)])
def test_weight_in_range_is_accepted(text: str, kg: float) -> None:
    assert parse_weight(text, WeightKind.MEASURED) == (BodyWeight(kg, WeightKind.MEASURED), None)


@pytest.mark.parametrize("text", ["0.4", "351", "-3", "inf"])
def test_weight_outside_half_to_350_kg_is_refused(text: str) -> None:
    weight, error = parse_weight(text, WeightKind.ESTIMATED)
    assert weight is None and error is not None and "between 0.5 and 350 kg" in error


def test_weight_that_is_not_a_number_is_refused() -> None:
    assert parse_weight("heavy", WeightKind.ESTIMATED) == (
        None, "Weight must be a number in kg, e.g. 72 or 3.5. Clear the field if unknown.")
    assert parse_weight("  ", WeightKind.ESTIMATED) == (None, None)


def test_weight_text_says_whether_it_was_estimated() -> None:
    assert BodyWeight(20, WeightKind.ESTIMATED).text == "20 kg (estimated)"


def test_last_oral_intake_in_the_future_is_refused() -> None:
    error = check_last_oral_intake(LastOralIntake(NOW + timedelta(hours=2), "sandwich"), NOW)
    assert error is not None and error.startswith("Last oral intake") and "in the future" in error


def test_last_oral_intake_hours_before_the_call_is_accepted() -> None:
    assert check_last_oral_intake(LastOralIntake(NOW - timedelta(hours=9), "dinner"), NOW) is None
    assert check_last_oral_intake(LastOralIntake(), NOW) is None


def test_gaps_remind_of_unasked_allergies_and_missing_weight() -> None:
    gaps = history_gaps(SampleHistory())
    assert "Allergies not asked yet: ask before giving any drug." in gaps and len(gaps) == 3
    asked = SampleHistory(allergies=ListAnswer(AnswerStatus.NONE), medications=ListAnswer(AnswerStatus.UNKNOWN),
                          weight=BodyWeight(70, WeightKind.MEASURED))
    assert history_gaps(asked) == []
