from datetime import datetime

from emsync_desktop.domain.patient import CaseDetails, Sex
from emsync_desktop.domain.sbar import TriageSummary, build_sbar
from emsync_desktop.domain.vitals import Consciousness, Vitals

DETAILS = CaseDetails(age_years=67, sex=Sex.MALE, chief_complaint="chest pain for 40 minutes",
                      history="Type 2 diabetes", allergies="penicillin", medications="metformin")


def vitals(hour: int, hr: int) -> Vitals:
    return Vitals(taken_at=datetime(2026, 1, 1, hour), hr_bpm=hr, rr_per_min=22, spo2_pct=94,
                  on_oxygen=False, sbp_mmhg=100, dbp_mmhg=60, temp_c=37.0,
                  consciousness=Consciousness.ALERT)


def test_situation_names_patient_complaint_and_news2() -> None:
    sbar = build_sbar(DETAILS, [vitals(10, 80)])
    assert sbar.situation.startswith("67-year-old male with chest pain for 40 minutes.")
    assert "NEWS2 5: Medium (5-6) risk." in sbar.situation


def test_background_lists_allergies() -> None:
    assert "Allergies: penicillin" in build_sbar(DETAILS, []).background


def test_assessment_shows_trend_and_shock_index() -> None:
    sbar = build_sbar(DETAILS, [vitals(10, 80), vitals(11, 120)])
    assert "NEWS2 trend over 2 sets: 5 to 7 (rising)." in sbar.assessment
    assert "Shock index 1.20 (raised)." in sbar.assessment


def test_requested_unit_is_pending_until_triage() -> None:
    sbar = build_sbar(DETAILS, [vitals(10, 80)])
    assert "requested unit" in sbar.pending
    filled = build_sbar(DETAILS, [vitals(10, 80)], TriageSummary(urgency="Critical", model_version="1",
                                                                 suggested_unit="ICU"))
    assert "Requested unit: ICU." in filled.recommendation and not filled.pending


def test_missing_complaint_is_visible_in_draft() -> None:
    assert "chief complaint not yet recorded" in build_sbar(CaseDetails(), []).situation
