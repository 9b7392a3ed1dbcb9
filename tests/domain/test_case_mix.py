"""Case mix rules: age bands, the table a question needs, expected counts, Cramér's V, and the caveats a
chi-square test must carry."""

from __future__ import annotations

import pytest

from emsync_desktop.domain.case_mix import (
    CaseCount,
    Dimension,
    age_band,
    caveats,
    cramers_v,
    crosstab,
    expected_counts,
    finding,
)
from emsync_desktop.domain.ids import new_id
from emsync_desktop.sync.protocol import TransferRequestPayload


@pytest.mark.parametrize(("age", "band"), [(0, "0-17"), (17, "0-17"), (18, "18-39"), (64, "40-64"), (65, "65-79"),
                                           (80, "80+"), (104, "80+"), (None, None), (-1, None)])
def test_age_bands_split_at_18_40_65_80(age: int | None, band: str | None) -> None:
    assert age_band(age) == band


def test_the_table_keeps_the_usual_order_drops_empty_rows_and_counts_what_it_left_out() -> None:
    counts = [CaseCount("80+", "male", "trauma", "Moderate", 2), CaseCount("18-39", "female", "cardiac", "Critical", 3),
              CaseCount(None, "male", "cardiac", "Low urgency", 4), CaseCount("18-39", None, "trauma", None, 5)]
    table = crosstab(counts, Dimension.SEVERITY, Dimension.COMPLAINT_GROUP)
    assert table.rows == ("Critical", "Moderate", "Low urgency") and table.columns == ("cardiac", "trauma")
    assert table.counts == ((3, 0), (0, 2), (4, 0)) and table.left_out == 5 and table.total == 9


def test_expected_counts_are_row_total_times_column_total_over_the_whole() -> None:
    assert expected_counts([[10, 10, 20], [20, 20, 20]]) == [[12.0, 12.0, 16.0], [18.0, 18.0, 24.0]]


def test_cramers_v_is_one_for_a_perfect_association_and_zero_for_none() -> None:
    assert cramers_v(100.0, 100, (2, 2)) == pytest.approx(1.0)
    assert cramers_v(0.0, 100, (3, 4)) == 0.0


def test_too_few_expected_counts_make_the_p_value_unreliable_and_say_what_to_do() -> None:
    table = crosstab([CaseCount("18-39", "male", "trauma", "Critical", 3), CaseCount("80+", "male", "cardiac",
                                                                                     "Moderate", 2)],
                     Dimension.SEVERITY, Dimension.COMPLAINT_GROUP)
    notes = caveats(table, expected_counts(table.counts))
    assert notes[0].startswith("4 of 4 cells have fewer than 5 expected") and "longer period" in notes[0]


def test_the_finding_answers_the_question_in_words() -> None:
    assert finding(Dimension.SEVERITY, Dimension.COMPLAINT_GROUP, 0.0001, 0.32) == (
        "Yes: severity differs by complaint group; the association is moderate (chi-square p < 0.001, "
        "Cramér's V = 0.32).")
    assert finding(Dimension.SEX, Dimension.SEVERITY, 0.4, 0.02).startswith("No clear difference")


def test_no_yes_the_test_cannot_carry_or_a_coordinator_could_not_use() -> None:
    assert finding(Dimension.SEVERITY, Dimension.AGE_BAND, 0.04, 0.3, reliable=False).startswith("Cannot tell")
    assert finding(Dimension.SEX, Dimension.AGE_BAND, 0.0001, 0.03).startswith("A difference too small to matter")


def test_a_transfer_request_refuses_an_unknown_complaint_group_but_allows_none() -> None:
    base = {"encounter_id": new_id(), "destination_hospital_id": new_id(), "unit": "ICU"}
    assert TransferRequestPayload.model_validate({**base, "complaint_group": "cardiac"}).complaint_group == "cardiac"
    assert TransferRequestPayload.model_validate(base).age_band is None
    with pytest.raises(ValueError, match="unknown complaint group"):
        TransferRequestPayload.model_validate({**base, "complaint_group": "chest pain"})
