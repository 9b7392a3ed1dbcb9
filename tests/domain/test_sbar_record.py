"""The case record in the SBAR text: timeline, SAMPLE history and weight in the background, drugs and
procedures in the assessment. Times are read in Kochi (IST, UTC+05:30)."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from emsync_desktop.domain.history import (
    AnswerStatus,
    BodyWeight,
    LastOralIntake,
    ListAnswer,
    SampleHistory,
    WeightKind,
)
from emsync_desktop.domain.patient import CaseDetails, Sex
from emsync_desktop.domain.procedures import Extra, Procedure
from emsync_desktop.domain.record_summary import (
    CaseRecord,
    DoneProcedure,
    GivenDrug,
    RecordedHistory,
    StampedStep,
)
from emsync_desktop.domain.sbar import build_sbar
from emsync_desktop.domain.timeline import TimelineStep

DETAILS = CaseDetails(age_years=58, sex=Sex.MALE, chief_complaint="chest pain", history="Diabetic")


def at(hour: int, minute: int) -> datetime:
    """UTC; 02:12 UTC is 07:42 in Kochi."""
    return datetime(2026, 11, 22, hour, minute, tzinfo=UTC)


pytestmark = pytest.mark.usefixtures("kochi_time")  # times are read in Kochi (tests/conftest.py)


HISTORY = SampleHistory(
    signs_symptoms="Crushing chest pain", allergies=ListAnswer(AnswerStatus.LISTED, ("Penicillin", "Latex")),
    medications=ListAnswer(AnswerStatus.LISTED, ("Metformin",)), past_history=ListAnswer(AnswerStatus.UNKNOWN),
    last_oral_intake=LastOralIntake(at(1, 0), "toast"), events="Collapsed at work",
    weight=BodyWeight(82, WeightKind.ESTIMATED))
RECORD = CaseRecord(
    timeline=(StampedStep(TimelineStep.AT_SCENE, at(1, 55)), StampedStep(TimelineStep.CALL_RECEIVED, at(1, 32))),
    drugs=(GivenDrug("Aspirin", 300, "mg", "PO", at(2, 12)),
           GivenDrug("Ketamine", 50, "mg", "IV", at(2, 14), free_text=True),
           GivenDrug("Adrenaline", 5, "mg", "IM", at(2, 15), warnings=("Above the usual maximum of 0.5 mg IM.",))),
    procedures=(DoneProcedure(Procedure.IV_ACCESS, at(2, 10)),
                DoneProcedure(Procedure.DEFIBRILLATION, at(2, 16), extras={Extra.ENERGY_J: 150.0}),
                DoneProcedure(Procedure.TOURNIQUET, at(2, 17), extras={Extra.TIME_ON: at(1, 50)}),
                DoneProcedure(Procedure.ECG_12_LEAD, at(2, 18), extras={Extra.ECG_FILE: "ecg-0748.pdf"})),
    history=RecordedHistory(HISTORY, at(2, 0), "Asha Menon"))


def test_drugs_are_listed_with_dose_unit_route_and_local_time() -> None:
    assessment = build_sbar(DETAILS, [], record=RECORD).assessment
    assert "Drugs given:\n- 07:42 Aspirin 300 mg PO\n" in assessment


def test_a_free_text_drug_says_its_dose_was_not_checked() -> None:
    assert "07:44 Ketamine 50 mg IV (free text: not in the formulary, dose not checked)" in \
        build_sbar(DETAILS, [], record=RECORD).assessment


def test_a_dose_warning_the_crew_saw_travels_with_the_drug() -> None:
    assert "07:45 Adrenaline 5 mg IM. Warned when recorded: Above the usual maximum of 0.5 mg IM." in \
        build_sbar(DETAILS, [], record=RECORD).assessment


def test_procedures_carry_their_time_and_extras() -> None:
    assessment = build_sbar(DETAILS, [], record=RECORD).assessment
    assert ("Procedures:\n- 07:40 IV access\n- 07:46 Defibrillation (150 J)\n- 07:47 Tourniquet (on at 07:20)\n"
            "- 07:48 12-lead ECG (ECG file: ecg-0748.pdf)") in assessment


def test_no_treatment_is_said_not_left_out() -> None:
    assert "Treatment: no drugs or procedures recorded." in build_sbar(DETAILS, []).assessment


def test_background_has_the_sample_history_weight_and_timeline_in_order() -> None:
    background = build_sbar(DETAILS, [], record=RECORD).background
    assert background.splitlines() == [
        "History: Diabetic", "Allergies: Penicillin, Latex", "Medications: Metformin",
        "Past history: Unknown (could not ask)", "Last oral intake: 22 Nov 06:30 (toast)",
        "Events: Collapsed at work", "Signs and symptoms: Crushing chest pain", "Weight: 82 kg (estimated)",
        "Timeline: Call received 07:02, At scene 07:25"]


def test_no_known_allergies_is_its_own_answer() -> None:
    record = replace(RECORD, history=RecordedHistory(
        replace(HISTORY, allergies=ListAnswer(AnswerStatus.NONE)), at(2, 0)))
    assert "Allergies: No known allergies\n" in build_sbar(DETAILS, [], record=record).background


def test_allergies_not_asked_are_not_read_as_none() -> None:
    record = replace(RECORD, history=RecordedHistory(replace(HISTORY, allergies=ListAnswer()), at(2, 0)))
    assert "Allergies: Not asked\n" in build_sbar(DETAILS, [], record=record).background


def test_a_case_note_contradicting_the_history_stays_visible() -> None:
    details = replace(DETAILS, allergies="sulfa drugs")
    record = replace(RECORD, history=RecordedHistory(
        replace(HISTORY, allergies=ListAnswer(AnswerStatus.NONE)), at(2, 0)))
    assert "Allergies: No known allergies (case notes: sulfa drugs)" in \
        build_sbar(details, [], record=record).background


def test_a_measured_weight_says_so() -> None:
    record = replace(RECORD, history=RecordedHistory(
        replace(HISTORY, weight=BodyWeight(3.5, WeightKind.MEASURED)), at(2, 0)))
    assert "Weight: 3.5 kg (measured)" in build_sbar(DETAILS, [], record=record).background


def test_without_a_record_the_background_is_the_case_form_as_before() -> None:
    details = replace(DETAILS, allergies="penicillin", medications="metformin")
    assert build_sbar(details, []).background == "History: Diabetic\nAllergies: penicillin\nMedications: metformin"


def test_a_section_too_long_for_the_wire_is_cut_at_a_line_and_says_so() -> None:
    from emsync_desktop.domain.sbar import MAX_SECTION_CHARS, SHORTENED

    items = tuple(f"{n:02d} " + "x" * 197 for n in range(50))  # the wire's most: 50 items of 200 characters
    many = ListAnswer(AnswerStatus.LISTED, items)
    record = replace(RECORD, history=RecordedHistory(
        replace(HISTORY, allergies=many, medications=many, past_history=many), at(2, 0)))
    background = build_sbar(DETAILS, [], record=record).background
    assert len(background) <= MAX_SECTION_CHARS and background.endswith(SHORTENED)
    assert background.startswith("History: Diabetic\nAllergies: 00 xxx")
