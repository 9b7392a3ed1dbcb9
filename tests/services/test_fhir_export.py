"""The SBAR handoff as a FHIR document Bundle, validated with fhir.resources (R4B models: the Bundle,
Composition, Observation, Patient and Practitioner structures used here are those of R4)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.fhir_export import handoff_bundle
from emsync_desktop.services.triage import TriageService
from tests.services.test_triage_service import SHARED_MODELS, sick_case

NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)


@pytest.fixture
def bundle(cases: CaseService, app_context: AppContext, paramedic: UserInfo) -> dict[str, Any]:
    case = sick_case(cases)
    cases.set_detail(case.id, "name", "Devi Nair")
    cases.set_detail(case.id, "allergies", "Penicillin <rash>")
    snapshot = TriageService(app_context.store, SHARED_MODELS).refresh(case.id).snapshot
    return handoff_bundle(snapshot, paramedic, NOW)


def codes(resource: dict[str, Any]) -> set[str]:
    return {c["code"] for c in resource["code"]["coding"]}


def test_bundle_is_a_valid_fhir_document_with_the_composition_first(bundle: dict[str, Any]) -> None:
    Bundle.model_validate(bundle)
    assert bundle["type"] == "document" and bundle["entry"][0]["resource"]["resourceType"] == "Composition"


def test_sections_are_coded_with_loinc(bundle: dict[str, Any]) -> None:
    sections = bundle["entry"][0]["resource"]["section"]
    assert [s["code"]["coding"][0]["code"] for s in sections] == [
        "10154-3", "10164-2", "48765-2", "10160-0", "11348-0", "8716-3", "11283-9", "51848-0", "29549-3",
        "47519-4", "ems-timeline", "18776-5"]
    systems = {s["code"]["coding"][0]["code"]: s["code"]["coding"][0]["system"] for s in sections}
    assert systems.pop("ems-timeline") == "urn:emsync:codes"  # LOINC has no code for an EMS timeline
    assert set(systems.values()) == {"http://loinc.org"}
    allergies = next(s for s in sections if s["code"]["coding"][0]["code"] == "48765-2")
    assert "Penicillin &lt;rash&gt;" in allergies["text"]["div"]  # typed text is escaped, never markup


def test_vital_signs_are_observations_with_loinc_and_ucum(bundle: dict[str, Any]) -> None:
    observations = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation"]
    by_code = {code: o for o in observations for code in codes(o)}
    assert by_code["8867-4"]["valueQuantity"] == {"value": 128.0, "unit": "/min", "system": "http://unitsofmeasure.org",
                                                 "code": "/min"}
    assert by_code["59408-5"]["valueQuantity"]["value"] == 86.0
    bp = by_code["85354-9"]
    assert [codes(c) for c in bp["component"]] == [{"8480-6"}]  # systolic only: no diastolic was typed
    assert by_code["news2"]["valueInteger"] > 0
    assert "decision support" in by_code["triage-model-urgency"]["note"][0]["text"]


def test_every_reference_points_into_the_document(bundle: dict[str, Any]) -> None:
    urls = {e["fullUrl"] for e in bundle["entry"]}
    composition = bundle["entry"][0]["resource"]
    refs = [composition["subject"]["reference"], *(a["reference"] for a in composition["author"])]
    refs += [e["reference"] for s in composition["section"] for e in s.get("entry", [])]
    assert set(refs) <= urls and len(refs) > 5
    patient = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    assert patient["name"] == [{"text": "Devi Nair"}]


def test_an_incomplete_set_exports_no_news2_score(cases: CaseService, app_context: AppContext,
                                                  paramedic: UserInfo) -> None:
    case = sick_case(cases)
    snapshot = cases.set_vital(case.id, case.vitals[0].id, "temp_c", "").snapshot  # six of seven parameters
    bundle = handoff_bundle(snapshot, paramedic, NOW)
    observations = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation"]
    assert "news2" not in {code for o in observations for code in codes(o)}


def test_exported_handoff_is_the_version_sent_with_destination_crew_and_zone(
        cases: CaseService, app_context: AppContext, paramedic: UserInfo, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from emsync_desktop.domain.ids import demo_id
    from emsync_desktop.services.exports import export_handoff_fhir
    from emsync_desktop.services.handoff_doc import handoff_document
    from emsync_desktop.services.preferences import save_crew_phone
    from emsync_desktop.services.transfers import TransferService

    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    try:
        case = sick_case(cases)
        assert save_crew_phone(app_context.store, "+91 94470 12345") is None
        TransferService(app_context.store, paramedic).send_to_hospital(case.id, demo_id("hospital", "Lourdes"), "ICU")
        text = export_handoff_fhir(app_context.store, case.id, paramedic, app_context.data_dir).read_text()
        heading = handoff_document(app_context.store, case.id).heading
    finally:
        monkeypatch.undo()
        time.tzset()
    assert "Destination: ICU at Lourdes Hospital" in text and "Reach the crew on +91 94470 12345" in text
    assert f"by {paramedic.display_name}" in text and "IST (UTC+05:30)" in text
    assert heading.startswith("Sent to ICU at Lourdes Hospital") and "IST" in heading
