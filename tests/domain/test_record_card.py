"""The few lines of the case record an incoming-transfer card shows (times read in Kochi, UTC+05:30)."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from emsync_desktop.domain.history import AnswerStatus, BodyWeight, ListAnswer, SampleHistory, WeightKind
from emsync_desktop.domain.procedures import Extra, Procedure
from emsync_desktop.domain.record_card import record_card_lines
from emsync_desktop.domain.record_summary import (
    CaseRecord,
    DoneProcedure,
    GivenDrug,
    RecordedHistory,
    StampedStep,
)
from emsync_desktop.domain.timeline import TimelineStep


def at(minute: int) -> datetime:
    return datetime(2026, 11, 22, 2, minute, tzinfo=UTC)  # 02:12 UTC is 07:42 in Kochi


pytestmark = pytest.mark.usefixtures("kochi_time")  # times are read in Kochi (tests/conftest.py)


ASPIRIN = GivenDrug("Aspirin", 300, "mg", "PO", at(12))
PENICILLIN = SampleHistory(allergies=ListAnswer(AnswerStatus.LISTED, ("penicillin",)))


def test_one_line_per_drug_with_dose_unit_route_and_local_time() -> None:
    lines = record_card_lines(CaseRecord(drugs=(ASPIRIN, GivenDrug("GTN", 0.4, "mg", "SL", at(14)))))
    assert lines[:2] == ["given: Aspirin 300 mg PO 07:42", "given: GTN 0.4 mg SL 07:44"]


def test_repeated_doses_share_a_line() -> None:
    doses = tuple(GivenDrug("Adrenaline", 1, "mg", "IV", at(m)) for m in (20, 16, 24))
    assert record_card_lines(CaseRecord(drugs=doses))[0] == "given: Adrenaline 1 mg IV 07:46, 07:50, 07:54"


def test_free_text_and_warned_doses_are_marked() -> None:
    lines = record_card_lines(CaseRecord(drugs=(
        GivenDrug("Ketamine", 50, "mg", "IV", at(12), free_text=True),
        GivenDrug("Adrenaline", 5, "mg", "IM", at(13), warnings=("Above the usual maximum.",)))))
    assert lines[:2] == ["given: Ketamine 50 mg IV 07:42 (free text)", "given: Adrenaline 5 mg IM 07:43 ⚠ dose warning"]


def test_procedures_share_one_short_line() -> None:
    record = CaseRecord(procedures=(DoneProcedure(Procedure.IV_ACCESS, at(10)),
                                    DoneProcedure(Procedure.DEFIBRILLATION, at(15), extras={Extra.ENERGY_J: 200.0}),
                                    DoneProcedure(Procedure.ECG_12_LEAD, at(16), extras={Extra.ECG_FILE: "a.pdf"})))
    assert record_card_lines(record)[0] == "done: IV access 07:40 · Defibrillation 200 J 07:45 · 12-lead ECG 07:46"


@pytest.mark.parametrize(("answer", "line"), [
    (ListAnswer(AnswerStatus.LISTED, ("penicillin", "latex")), "allergies: penicillin, latex"),
    (ListAnswer(AnswerStatus.NONE), "no known allergies"),
    (ListAnswer(AnswerStatus.UNKNOWN), "allergies: unknown (could not ask)"),
    (ListAnswer(), "allergies: not asked"),
])
def test_allergies_line_says_which_answer_it_is(answer: ListAnswer, line: str) -> None:
    record = CaseRecord(history=RecordedHistory(SampleHistory(allergies=answer), at(0)))
    assert record_card_lines(record) == [line]


def test_weight_joins_the_allergies_line() -> None:
    history = replace(PENICILLIN, weight=BodyWeight(20, WeightKind.ESTIMATED))
    record = CaseRecord(drugs=(ASPIRIN,), history=RecordedHistory(history, at(0)))
    assert record_card_lines(record)[-1] == "allergies: penicillin · weight 20 kg (estimated)"


def test_a_record_without_a_history_says_allergies_are_not_recorded() -> None:
    assert record_card_lines(CaseRecord(timeline=(StampedStep(TimelineStep.AT_SCENE, at(0)),))) == [
        "allergies: not recorded"]


def test_repeated_procedures_share_their_words() -> None:
    shocks = tuple(DoneProcedure(Procedure.DEFIBRILLATION, at(m), extras={Extra.ENERGY_J: 200.0}) for m in (17, 13))
    record = CaseRecord(procedures=(*shocks, DoneProcedure(Procedure.DEFIBRILLATION, at(21),
                                                           extras={Extra.ENERGY_J: 360.0})))
    assert record_card_lines(record)[0] == "done: Defibrillation 200 J 07:43, 07:47 · Defibrillation 360 J 07:51"


def test_no_record_no_lines() -> None:
    assert record_card_lines(CaseRecord()) == []
