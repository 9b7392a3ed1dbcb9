from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from emsync_desktop.domain.patient import CaseDetails, Sex
from emsync_desktop.domain.triage import (
    FEATURE_NAMES,
    NeedEstimate,
    Severity,
    TriageInput,
    TriagePrediction,
    balanced_class,
    check_triage_input,
    complaint_group,
    feature_vector,
    input_fingerprint,
    missing_inputs,
    ordinal_class,
    prediction_from_dict,
    prediction_to_dict,
    suggested_unit,
    triage_input_of,
    triage_readiness,
)
from emsync_desktop.domain.vitals import Consciousness, Vitals

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def vitals(**values: object) -> Vitals:
    return Vitals(taken_at=NOW, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "group"), [
    ("Central chest pain for 40 min", "cardiac"),
    ("SOB", "respiratory"),
    ("Slurred speech, facial droop", "neurological"),
    ("Road traffic accident, left leg", "trauma"),
    ("ABD PAIN", "abdominal"),
    ("ETOH", "intoxication_psych"),
    ("Found unresponsive", "altered_consciousness"),
    ("Chest pain after a fall", "cardiac"),
    ("Toothache", "other"),
    ("", "other"),
])
def test_complaint_group_reads_free_text_and_abbreviations(text: str, group: str) -> None:
    assert complaint_group(text) == group


def test_short_keywords_match_whole_words_only() -> None:
    assert complaint_group("Compliance review") == "other"  # contains "cp" but not as a word


def test_feature_vector_follows_feature_order_with_nan_for_missing() -> None:
    data = TriageInput(54.0, Sex.FEMALE, vitals(hr_bpm=110, consciousness=Consciousness.VOICE), "SOB")
    row = dict(zip(FEATURE_NAMES, feature_vector(data), strict=True))
    assert (row["age_years"], row["sex_female"], row["hr_bpm"], row["consciousness_acvpu"]) == (54, 1, 110, 2)
    assert math.isnan(row["spo2_pct"]) and math.isnan(row["on_oxygen"])
    assert row["complaint_respiratory"] == 1 and sum(v for k, v in row.items() if k.startswith("complaint_")) == 1


def test_case_without_vitals_gives_all_vitals_missing() -> None:
    data = triage_input_of(CaseDetails(age_years=40, chief_complaint="fever"), None)
    assert "Heart rate" in missing_inputs(data) and "SpO2" in missing_inputs(data)


def test_impossible_vital_is_refused_naming_the_field() -> None:
    message = check_triage_input(TriageInput(50.0, Sex.MALE, vitals(hr_bpm=400), "fall"))
    assert message is not None and "Heart rate 400" in message


def test_possible_input_passes_the_check() -> None:
    assert check_triage_input(TriageInput(50.0, Sex.MALE, vitals(hr_bpm=190, spo2_pct=70), "fall")) is None


def need(name: str, probability: float, threshold: float = 0.1) -> NeedEstimate:
    return NeedEstimate(name, probability, threshold)


@pytest.mark.parametrize(("severity", "flags", "unit"), [
    (Severity.MODERATE, {"ventilator"}, "ICU"),
    (Severity.CRITICAL, set(), "HDU"),
    (Severity.MODERATE, {"dialysis"}, "HDU"),
    (Severity.LOW, {"opioids"}, "ER"),
])
def test_suggested_unit_follows_organ_support_then_urgency(severity: Severity, flags: set[str], unit: str) -> None:
    needs = [need(n, 0.5 if n in flags else 0.01) for n in ("icu", "ventilator", "dialysis", "opioids")]
    assert suggested_unit(severity, needs) == unit


def test_balanced_class_calls_a_rare_class_raised_above_its_prevalence() -> None:
    # Critical at 30 % against a 5 % prevalence beats Moderate at 60 % against 60 %.
    assert balanced_class([0.30, 0.60, 0.10], [0.05, 0.60, 0.35]) == 0


def test_fingerprint_changes_with_any_model_input_only() -> None:
    base = TriageInput(60.0, Sex.MALE, vitals(hr_bpm=90), "chest pain")
    assert input_fingerprint(base) == input_fingerprint(TriageInput(60.0, Sex.MALE, vitals(hr_bpm=90, notes="x"),
                                                                    "CHEST PAIN"))
    assert input_fingerprint(base) != input_fingerprint(TriageInput(60.0, Sex.MALE, vitals(hr_bpm=91), "chest pain"))


def test_prediction_survives_a_round_trip_through_json_types() -> None:
    prediction = TriagePrediction(Severity.CRITICAL, {"Critical": 0.7, "Moderate": 0.2, "Low urgency": 0.1},
                                  (need("icu", 0.4, 0.08),), (), "triage-test", ("GCS",))
    assert prediction_from_dict(prediction_to_dict(prediction)) == prediction


@pytest.mark.parametrize(("probabilities", "called"), [((0.40, 0.55, 0.05), 0), ((0.29, 0.65, 0.06), 1),
                                                       ((0.05, 0.80, 0.15), 2), ((0.30, 0.0, 0.70), 0)])
def test_ordinal_call_uses_the_cumulative_thresholds(probabilities: tuple[float, float, float], called: int) -> None:
    assert ordinal_class(probabilities, (0.30, 0.86)) == called


def test_ordinal_call_never_gets_less_urgent_as_critical_rises_and_low_falls() -> None:
    """The case the balanced rule got wrong: P(Critical) up, P(Low) down, and it called Low."""
    before, after = (0.30, 0.62, 0.08), (0.35, 0.571, 0.079)
    prevalence = (0.39, 0.54, 0.07)
    assert balanced_class(after, prevalence) > balanced_class(before, prevalence)  # less urgent: the old flaw
    assert ordinal_class(after, (0.40, 0.90)) <= ordinal_class(before, (0.40, 0.90))


def test_models_abstain_for_children_and_say_to_use_paediatric_triage() -> None:
    child = TriageInput(9.0, Sex.FEMALE, vitals(hr_bpm=120, rr_per_min=24, spo2_pct=97, sbp_mmhg=100,
                                                consciousness=Consciousness.ALERT), "fever")
    readiness = triage_readiness(child)
    assert not readiness.enough and "paediatric" in readiness.message()
