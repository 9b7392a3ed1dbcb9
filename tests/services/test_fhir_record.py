"""The case record in the FHIR document: drugs given, procedures, allergies, weight and timeline, the whole
Bundle validated with fhir.resources (R4B models; these resources' R4 structure is the same)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from emsync_desktop.domain.history import AnswerStatus, BodyWeight, ListAnswer, SampleHistory, WeightKind
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.case_record import RecordService
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.fhir_export import handoff_bundle
from tests.services.conftest import ECG_PDF, NOW
from tests.services.fhir_sections import section
from tests.services.test_handoff_record import HISTORY, record_a_case

pytestmark = pytest.mark.usefixtures("kochi_time")

SNOMED, LOINC = "http://snomed.info/sct", "http://loinc.org"


def bundle_of(cases: CaseService, record: RecordService, paramedic: UserInfo,
              history: SampleHistory | None = HISTORY) -> dict[str, Any]:
    bundle = handoff_bundle(cases.load(record_a_case(cases, record, history)), paramedic, NOW)
    Bundle.model_validate(bundle)  # every document a test looks at is a valid FHIR document
    return bundle


@pytest.fixture
def bundle(cases: CaseService, record: RecordService, paramedic: UserInfo) -> dict[str, Any]:
    return bundle_of(cases, record, paramedic)


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def references(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "reference" and isinstance(inner, str):
                yield inner
            yield from references(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from references(inner)


def test_one_resource_per_drug_procedure_and_allergy_and_one_weight(bundle: dict[str, Any]) -> None:
    counts = {kind: len(resources(bundle, kind)) for kind in ("MedicationAdministration", "Procedure",
                                                              "AllergyIntolerance")}
    assert counts == {"MedicationAdministration": 3, "Procedure": 4, "AllergyIntolerance": 2}
    weights = [o for o in resources(bundle, "Observation") if o["code"]["coding"][0]["code"] == "29463-7"]
    assert len(weights) == 1


def test_a_drug_given_has_its_dose_route_time_and_performer(bundle: dict[str, Any], paramedic: UserInfo) -> None:
    aspirin = next(m for m in resources(bundle, "MedicationAdministration")
                   if m["medicationCodeableConcept"]["text"] == "Aspirin")
    assert aspirin["status"] == "completed" and aspirin["effectiveDateTime"] == "2026-11-22T09:42:00+00:00"
    assert aspirin["dosage"]["dose"] == {"value": 300.0, "unit": "mg", "system": "http://unitsofmeasure.org",
                                         "code": "mg"}
    assert aspirin["dosage"]["route"]["coding"][0] == {"system": SNOMED, "code": "26643006", "display": "Oral route"}
    [practitioner] = [e for e in bundle["entry"] if e["resource"]["resourceType"] == "Practitioner"]
    assert aspirin["performer"][0]["actor"]["reference"] == practitioner["fullUrl"]
    assert practitioner["resource"]["name"] == [{"text": paramedic.display_name}]


def test_a_free_text_drug_is_text_only_and_marked_so(bundle: dict[str, Any]) -> None:
    ketamine = next(m for m in resources(bundle, "MedicationAdministration")
                    if m["medicationCodeableConcept"]["text"] == "Ketamine")
    assert ketamine["medicationCodeableConcept"] == {"text": "Ketamine"}  # no coding: nothing to code it with
    assert ketamine["extension"] == [{"url": "urn:emsync:fhir:free-text-drug", "valueBoolean": True}]
    assert "dose was not checked" in ketamine["note"][0]["text"]


def test_oxygen_in_litres_per_minute_is_a_rate(bundle: dict[str, Any]) -> None:
    oxygen = next(m for m in resources(bundle, "MedicationAdministration")
                  if m["medicationCodeableConcept"]["text"] == "Oxygen")
    assert oxygen["dosage"]["rateQuantity"]["code"] == "L/min" and "dose" not in oxygen["dosage"]


def test_procedures_have_their_time_and_extras_as_notes(bundle: dict[str, Any]) -> None:
    by_code = {p["code"]["coding"][0]["code"]: p for p in resources(bundle, "Procedure")}
    assert by_code["procedure-defibrillation"]["note"] == [{"text": "150 J"}]
    assert by_code["procedure-tourniquet"]["note"] == [{"text": "on at 14:55"}]
    ecg = hashlib.sha256(ECG_PDF).hexdigest()
    assert by_code["procedure-ecg_12_lead"]["note"] == [
        {"text": "ECG file: ecg-1522.pdf (attached, 1 kB)"},
        {"text": f"ECG file sha256: {ecg} (on the EMsync sync server by this hash)"}]
    assert by_code["procedure-iv_access"]["performedDateTime"] == "2026-11-22T09:40:00+00:00"


def test_listed_allergies_are_each_an_allergy_intolerance_in_the_section(bundle: dict[str, Any]) -> None:
    allergies = resources(bundle, "AllergyIntolerance")
    assert [a["code"] for a in allergies] == [{"text": "Penicillin"}, {"text": "Latex"}]
    assert len(section(bundle, "48765-2")["entry"]) == 2


def test_no_known_allergies_is_the_snomed_no_known_allergy(cases: CaseService, record: RecordService,
                                                           paramedic: UserInfo) -> None:
    bundle = bundle_of(cases, record, paramedic, replace(HISTORY, allergies=ListAnswer(AnswerStatus.NONE)))
    [allergy] = resources(bundle, "AllergyIntolerance")
    assert allergy["code"]["coding"] == [{"system": SNOMED, "code": "716186003", "display": "No known allergy"}]
    assert "emptyReason" not in section(bundle, "48765-2")


@pytest.mark.parametrize(("answer", "reason"), [(ListAnswer(), "notasked"),
                                                (ListAnswer(AnswerStatus.UNKNOWN), "unavailable")])
def test_allergies_not_asked_or_unknown_give_no_resource_and_say_why(
        cases: CaseService, record: RecordService, paramedic: UserInfo, answer: ListAnswer, reason: str) -> None:
    bundle = bundle_of(cases, record, paramedic, replace(HISTORY, allergies=answer))
    assert resources(bundle, "AllergyIntolerance") == []
    assert section(bundle, "48765-2")["emptyReason"]["coding"][0]["code"] == reason


@pytest.mark.parametrize(("kind", "code"), [(WeightKind.ESTIMATED, "8335-2"), (WeightKind.MEASURED, "3141-9")])
def test_weight_is_a_body_weight_observation_saying_how_it_was_had(
        cases: CaseService, record: RecordService, paramedic: UserInfo, kind: WeightKind, code: str) -> None:
    bundle = bundle_of(cases, record, paramedic, replace(HISTORY, weight=BodyWeight(82, kind)))
    [weight] = [o for o in resources(bundle, "Observation") if o["code"]["coding"][0]["code"] == "29463-7"]
    assert [c["code"] for c in weight["code"]["coding"]] == ["29463-7", code]
    assert weight["valueQuantity"]["value"] == 82 and weight["valueQuantity"]["code"] == "kg"
    assert weight["method"] == {"text": kind.value.capitalize()}
    assert {"reference": next(e["fullUrl"] for e in bundle["entry"] if e["resource"] is weight)} in \
        section(bundle, "8716-3")["entry"]


def test_no_history_gives_no_allergy_or_weight(cases: CaseService, record: RecordService,
                                               paramedic: UserInfo) -> None:
    bundle = bundle_of(cases, record, paramedic, history=None)
    assert resources(bundle, "AllergyIntolerance") == []
    assert all(o["code"]["coding"][0]["code"] != "29463-7" for o in resources(bundle, "Observation"))
    assert section(bundle, "48765-2")["emptyReason"]["coding"][0]["code"] == "notasked"


def test_timeline_section_has_dated_times_and_the_edit(bundle: dict[str, Any]) -> None:
    text = section(bundle, "ems-timeline")["text"]["div"]
    assert "Call received: 22 Nov 2026 14:50 IST (UTC+05:30)" in text
    assert "At scene: 22 Nov 2026 15:03 IST (UTC+05:30) (edited from 22 Nov 2026 15:05 IST (UTC+05:30))" in text


def test_another_crew_member_is_their_own_practitioner(cases: CaseService, app_context: AppContext,
                                                       paramedic: UserInfo, record: RecordService) -> None:
    case_id = record_a_case(cases, record)
    colleague = RecordService(app_context.store, replace(paramedic, display_name="Ravi Kumar"), clock=lambda: NOW)
    assert colleague.record_medication(case_id, drug="GTN", dose=400, unit="mcg", route="SL").ok
    bundle = handoff_bundle(cases.load(case_id), paramedic, NOW)
    Bundle.model_validate(bundle)
    names = {e["fullUrl"]: e["resource"]["name"][0]["text"] for e in bundle["entry"]
             if e["resource"]["resourceType"] == "Practitioner"}
    gtn = next(m for m in resources(bundle, "MedicationAdministration")
               if m["medicationCodeableConcept"]["text"] == "GTN")
    assert names[gtn["performer"][0]["actor"]["reference"]] == "Ravi Kumar" and len(names) == 2


def test_every_resource_is_referenced_and_every_reference_resolves(bundle: dict[str, Any]) -> None:
    _composition, *others = (e["fullUrl"] for e in bundle["entry"])
    assert set(references(bundle)) == set(others)  # patient, author, and each entry of a section
