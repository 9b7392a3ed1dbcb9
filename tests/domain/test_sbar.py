import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from emsync_desktop.domain.patient import CaseDetails, Sex
from emsync_desktop.domain.sbar import TriageSummary, build_sbar
from emsync_desktop.domain.vitals import Consciousness, Vitals

DETAILS = CaseDetails(age_years=67, sex=Sex.MALE, chief_complaint="chest pain for 40 minutes",
                      history="Type 2 diabetes", allergies="penicillin", medications="metformin")


@pytest.fixture(autouse=True)
def kochi_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """People in Kochi read these times: IST, UTC+05:30 (stored times stay UTC)."""
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def vitals(hour: int, hr: int, minute: int = 0) -> Vitals:
    return Vitals(taken_at=datetime(2026, 1, 1, hour, minute, tzinfo=UTC), hr_bpm=hr, rr_per_min=22, spo2_pct=94,
                  on_oxygen=False, sbp_mmhg=100, dbp_mmhg=60, temp_c=37.0,
                  consciousness=Consciousness.ALERT)


def test_situation_names_patient_complaint_and_news2() -> None:
    sbar = build_sbar(DETAILS, [vitals(10, 80)])
    assert sbar.situation.startswith("67-year-old male with chest pain for 40 minutes.")
    assert "NEWS2 5 (set of 15:30): Medium (5-6) risk." in sbar.situation  # 10:00 UTC is 15:30 in Kochi


def test_background_lists_allergies() -> None:
    assert "Allergies: penicillin" in build_sbar(DETAILS, []).background


def test_assessment_shows_trend_and_shock_index() -> None:
    sbar = build_sbar(DETAILS, [vitals(10, 80), vitals(11, 120)])
    assert "NEWS2 trend over 2 complete sets: 5 to 7 (rising)." in sbar.assessment
    assert "Shock index 1.20 (raised)." in sbar.assessment


def test_requested_unit_is_pending_until_triage() -> None:
    sbar = build_sbar(DETAILS, [vitals(10, 80)])
    assert "requested unit" in sbar.pending
    filled = build_sbar(DETAILS, [vitals(10, 80)], TriageSummary(urgency="Critical", model_version="1",
                                                                 suggested_unit="ICU"))
    assert "Requested unit: ICU." in filled.recommendation and not filled.pending


def test_missing_complaint_is_visible_in_draft() -> None:
    assert "chief complaint not yet recorded" in build_sbar(CaseDetails(), []).situation


def test_observation_times_are_local_time() -> None:
    sbar = build_sbar(DETAILS, [vitals(2, 80, minute=7)])
    assert sbar.assessment.startswith("Observations at 07:37:")


def test_incomplete_newest_set_is_not_reported_as_the_score() -> None:
    partial = Vitals(taken_at=datetime(2026, 1, 1, 11, tzinfo=UTC), hr_bpm=80, rr_per_min=18, spo2_pct=97)
    sbar = build_sbar(DETAILS, [vitals(10, 80), partial])
    assert "NEWS2 5 (set of 15:30)" in sbar.situation
    assert "Set of 16:30 incomplete, not scored" in sbar.assessment


def test_handoff_names_destination_unit_eta_date_crew_and_contact() -> None:
    summary = TriageSummary(urgency="Critical", model_version="1", destination="Lourdes Hospital", unit="ICU",
                            eta_min=12, eta_source="offline road graph", crew="Asha Menon",
                            ambulance="KL-07 AMB 108", crew_phone="+91 94470 00000",
                            sent_at=datetime(2026, 12, 4, 2, 7, tzinfo=UTC))
    text = build_sbar(DETAILS, [vitals(2, 80)], summary).recommendation
    assert "Destination: ICU at Lourdes Hospital, ETA 12 min (offline road graph)." in text
    assert "Sent 04 Dec 2026 07:37 IST (UTC+05:30) by Asha Menon, ambulance KL-07 AMB 108." in text
    assert "Reach the crew on +91 94470 00000." in text
