from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from emsync_desktop.domain.ids import new_id
from emsync_desktop.ml.triage import TriageModels
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.case_views import CaseSnapshot
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.triage import NO_OBSERVATIONS, TriageService
from emsync_desktop.store.models import TriageRecord
from tests.services.conftest import NOW

SHARED_MODELS = TriageModels()


@pytest.fixture
def triage(app_context: AppContext) -> TriageService:
    return TriageService(app_context.store, SHARED_MODELS, clock=lambda: NOW)


def sick_case(cases: CaseService) -> CaseSnapshot:
    case = cases.open_case()
    cases.set_detail(case.id, "age_years", "71")
    cases.set_detail(case.id, "chief_complaint", "Short of breath, fever")
    set_id = new_id()
    for field, text in (("hr_bpm", "128"), ("rr_per_min", "30"), ("spo2_pct", "86"), ("on_oxygen", "oxygen"),
                        ("sbp_mmhg", "88"), ("temp_c", "38.9"), ("consciousness", "V")):
        cases.set_vital(case.id, set_id, field, text)
    return cases.load(case.id)


def test_triage_is_stored_with_the_case_and_current(cases: CaseService, triage: TriageService) -> None:
    case = sick_case(cases)
    outcome = triage.refresh(case.id)
    reloaded = cases.load(case.id)
    assert outcome.message is None and reloaded.triage_current
    assert reloaded.triage is not None and reloaded.triage.severity.value == "Critical"


def test_sbar_carries_urgency_model_version_and_suggested_unit(cases: CaseService, triage: TriageService) -> None:
    case = sick_case(cases)
    sbar = triage.refresh(case.id).snapshot.sbar
    assert f"Urgency (model {SHARED_MODELS.version}): Critical." in sbar.situation
    assert "Requested unit: ICU." in sbar.recommendation and "requested unit" not in sbar.pending


def test_changing_a_vital_makes_the_stored_triage_stale(cases: CaseService, triage: TriageService) -> None:
    case = sick_case(cases)
    triage.refresh(case.id)
    changed = cases.set_vital(case.id, case.vitals[-1].id, "spo2_pct", "97").snapshot
    assert not changed.triage_current and "Urgency" not in changed.sbar.situation
    assert triage.refresh(case.id).snapshot.triage_current


def test_refresh_with_unchanged_inputs_does_not_recompute(cases: CaseService, triage: TriageService,
                                                         app_context: AppContext) -> None:
    case = sick_case(cases)
    triage.refresh(case.id)
    later = TriageService(app_context.store, SHARED_MODELS, clock=lambda: NOW.replace(hour=23))
    later.refresh(case.id)
    with app_context.store.sessions.begin() as session:
        assert session.scalars(select(TriageRecord)).one().computed_at == NOW


def test_case_without_observations_is_not_triaged(cases: CaseService, triage: TriageService) -> None:
    outcome = triage.refresh(cases.open_case().id)
    assert outcome.message == NO_OBSERVATIONS and outcome.snapshot.triage is None


def test_broken_models_leave_news2_and_store_nothing(cases: CaseService, app_context: AppContext,
                                                     models_copy: Path) -> None:
    (models_copy / "triage_severity.onnx").write_bytes(b"not a model")
    case = sick_case(cases)
    outcome = TriageService(app_context.store, TriageModels(models_copy)).refresh(case.id)
    assert outcome.message is not None and "does not match its manifest" in outcome.message
    assert "NEWS2 is still valid" in outcome.message and outcome.snapshot.news2 is not None
    with app_context.store.sessions.begin() as session:
        assert session.scalars(select(TriageRecord)).all() == []


def test_stored_result_holds_probabilities_needs_and_news2(cases: CaseService, triage: TriageService,
                                                           app_context: AppContext) -> None:
    case = sick_case(cases)
    triage.refresh(case.id)
    with app_context.store.sessions.begin() as session:
        record = session.scalars(select(TriageRecord)).one()
        result = json.loads(record.result)
    assert record.news2_total == case.news2.total  # type: ignore[union-attr]
    assert len(result["needs"]) == 6 and set(result["severity_probabilities"]) == {"Critical", "Moderate",
                                                                                   "Low urgency"}
