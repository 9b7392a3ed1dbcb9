"""The SBAR handoff as a FHIR document Bundle, validated with fhir.resources (R4B models: the Bundle,
Composition, Observation, Patient and Practitioner structures used here are those of R4)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.fhir_export import handoff_bundle
from emsync_desktop.services.fhir_vitals import ACVPU_FINDINGS
from emsync_desktop.services.triage import TriageService
from tests.services.fhir_sections import coded_sections
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


def observations(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation"]


def all_references(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        if isinstance(value.get("reference"), str):
            yield value["reference"]
        for item in value.values():
            yield from all_references(item)
    elif isinstance(value, list):
        for item in value:
            yield from all_references(item)


def test_bundle_is_a_valid_fhir_document_with_the_composition_first(bundle: dict[str, Any]) -> None:
    Bundle.model_validate(bundle)
    assert bundle["type"] == "document" and bundle["entry"][0]["resource"]["resourceType"] == "Composition"


def test_sbar_parts_are_the_top_level_sections_over_the_loinc_coded_ones(bundle: dict[str, Any]) -> None:
    top = bundle["entry"][0]["resource"]["section"]
    assert [s["title"] for s in top] == ["Situation", "Background", "Assessment", "Recommendation"]
    assert all(s["text"]["div"].startswith("<div") and s["section"] for s in top)
    sections = coded_sections(bundle)
    assert [s["code"]["coding"][0]["code"] for s in sections] == [
        "10154-3", "11283-9", "10164-2", "48765-2", "10160-0", "11348-0", "ems-timeline", "8716-3", "51848-0",
        "29549-3", "47519-4", "18776-5"]
    systems = {s["code"]["coding"][0]["code"]: s["code"]["coding"][0]["system"] for s in sections}
    assert systems.pop("ems-timeline") == "urn:emsync:codes"  # LOINC has no code for an EMS timeline
    assert set(systems.values()) == {"http://loinc.org"}
    allergies = next(s for s in sections if s["code"]["coding"][0]["code"] == "48765-2")
    assert "Penicillin &lt;rash&gt;" in allergies["text"]["div"]  # typed text is escaped, never markup


# The R4 vital-signs profile: an Observation with one of these codes needs them all, the vital-signs
# category and these UCUM units (http://hl7.org/fhir/R4/observation-vitalsigns.html).
PROFILE_CODES = {"8867-4": ({"8867-4"}, "/min"), "9279-1": ({"9279-1"}, "/min"),
                 "2708-6": ({"2708-6", "59408-5"}, "%"), "59408-5": ({"2708-6", "59408-5"}, "%"),
                 "8310-5": ({"8310-5"}, "Cel"), "29463-7": ({"29463-7"}, "kg")}


def test_vital_signs_follow_the_r4_vital_signs_profile(bundle: dict[str, Any]) -> None:
    vitals = [o for o in observations(bundle) if codes(o) & set(PROFILE_CODES) or "85354-9" in codes(o)]
    assert len(vitals) >= 5
    for o in vitals:
        assert o["category"][0]["coding"][0]["code"] == "vital-signs"
        for code in codes(o) & set(PROFILE_CODES):
            required, unit = PROFILE_CODES[code]
            assert required <= codes(o) and o["valueQuantity"]["code"] == unit
            assert o["valueQuantity"]["system"] == "http://unitsofmeasure.org"
    by_code = {code: o for o in observations(bundle) for code in codes(o)}
    assert by_code["2708-6"]["valueQuantity"]["value"] == 86.0
    bp = by_code["85354-9"]
    systolic, diastolic = bp["component"]
    assert (codes(systolic), systolic["valueQuantity"]["code"]) == ({"8480-6"}, "mm[Hg]")
    assert codes(diastolic) == {"8462-4"} and diastolic["dataAbsentReason"]["coding"][0]["code"] == "not-performed"


def test_receiver_can_rescore_news2_from_the_observations_it_is_derived_from(bundle: dict[str, Any]) -> None:
    from emsync_desktop.domain.news2 import compute_news2
    from emsync_desktop.domain.vitals import Consciousness, Vitals

    by_url = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    news2 = next(o for o in observations(bundle) if "1104051000000101" in codes(o))
    values: dict[str, Any] = {}
    for reference in news2["derivedFrom"]:
        o = by_url[reference["reference"]]
        found = codes(o)
        quantity = o.get("valueQuantity", {}).get("value")
        for code, name in (("9279-1", "rr_per_min"), ("8867-4", "hr_bpm"), ("2708-6", "spo2_pct"),
                           ("8310-5", "temp_c")):
            if code in found:
                values[name] = quantity
        if "85354-9" in found:
            values["sbp_mmhg"] = o["component"][0]["valueQuantity"]["value"]
        if "1104441000000107" in found:
            finding = o["valueCodeableConcept"]["coding"][0]["code"]
            values["consciousness"] = next(c for c, (code, _d) in ACVPU_FINDINGS.items() if code == finding)
        if found & {"722742002", "371825009"}:
            values["on_oxygen"] = "371825009" in found
    rescored = compute_news2(Vitals(taken_at=NOW, **values))
    assert not rescored.missing and rescored.total == news2["valueInteger"] > 0
    assert sum(c["valueInteger"] for c in news2["component"]) == news2["valueInteger"]
    assert isinstance(values["consciousness"], Consciousness)


def test_gcs_pain_glucose_acvpu_and_oxygen_are_exported(cases: CaseService, app_context: AppContext,
                                                        paramedic: UserInfo) -> None:
    case = sick_case(cases)
    vitals_id = case.vitals[0].id
    for name, value in (("gcs", "14"), ("pain_0_10", "6"), ("glucose_mg_dl", "142")):
        cases.set_vital(case.id, vitals_id, name, value)
    snapshot = TriageService(app_context.store, SHARED_MODELS).refresh(case.id).snapshot
    bundle = handoff_bundle(snapshot, paramedic, NOW)
    Bundle.model_validate(bundle)
    by_code = {code: o for o in observations(bundle) for code in codes(o)}
    assert by_code["9269-2"]["valueQuantity"]["value"] == 14 and by_code["72514-3"]["valueQuantity"]["value"] == 6
    assert by_code["2339-0"]["valueQuantity"] == {"value": 142.0, "unit": "mg/dL",
                                                  "system": "http://unitsofmeasure.org", "code": "mg/dL"}
    assert by_code["1104441000000107"]["valueCodeableConcept"]["coding"][0]["system"] == "http://snomed.info/sct"
    assert {"722742002", "371825009"} & set(by_code)


def test_every_reference_anywhere_in_the_document_resolves_inside_it(bundle: dict[str, Any]) -> None:
    urls = {e["fullUrl"] for e in bundle["entry"]}
    found = list(all_references(bundle))
    assert set(found) <= urls and len(found) > 10
    patient = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    assert patient["name"] == [{"text": "Devi Nair"}]


def test_patient_phone_is_left_out_unless_the_crew_chooses_to_include_it(
        cases: CaseService, app_context: AppContext, paramedic: UserInfo) -> None:
    case = sick_case(cases)
    cases.set_detail(case.id, "phone", "+91 98470 00000")
    snapshot = cases.load(case.id)
    patient = next(e["resource"] for e in handoff_bundle(snapshot, paramedic, NOW)["entry"]
                   if e["resource"]["resourceType"] == "Patient")
    assert "telecom" not in patient
    chosen = next(e["resource"] for e in handoff_bundle(snapshot, paramedic, NOW, include_phone=True)["entry"]
                  if e["resource"]["resourceType"] == "Patient")
    assert chosen["telecom"] == [{"system": "phone", "value": "+91 98470 00000"}]


def test_an_incomplete_set_exports_no_news2_score(cases: CaseService, app_context: AppContext,
                                                  paramedic: UserInfo) -> None:
    case = sick_case(cases)
    snapshot = cases.set_vital(case.id, case.vitals[0].id, "temp_c", "").snapshot  # six of seven parameters
    bundle = handoff_bundle(snapshot, paramedic, NOW)
    observations = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation"]
    assert "1104051000000101" not in {code for o in observations for code in codes(o)}


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
