"""The case record in the FHIR R4 handoff document: what the crew gave, did, asked and when.

- **A drug given**: one MedicationAdministration (completed, effectiveDateTime, subject, performer). A
  formulary drug is coded in our formulary's code system (its name key); a free-text drug is text only,
  marked by an extension and a note saying its dose was not checked. The dose is a UCUM quantity where
  the unit is known (oxygen in L/min is a rate), the unit as typed otherwise; the route is SNOMED CT
  coded where the code is certain (IV, IM, SC, oral, sublingual, nasal, buccal), text otherwise. The
  dose-check warnings the crew saw are notes.
- **A procedure**: one Procedure (completed, performedDateTime, performer) with its extras (energy, rate
  and current, tourniquet time on, ECG file) as notes; coded with our own codes, as no SNOMED CT mapping
  of these has been reviewed yet. A 12-lead ECG's attached file is named in a note with its sha256 (the
  key it is fetched by from the sync server), not embedded: up to 20 MB of base64 in a handoff document
  would bury it, and R4's Attachment.hash is SHA-1, not the hash the file is kept under.
- **Allergies**: one AllergyIntolerance per allergy named. "No known allergies" is one AllergyIntolerance
  coded SNOMED CT 716186003 |No known allergy|, as the International Patient Summary records it. Not
  asked, or unknown (could not ask), gives none: the section's emptyReason says which.
- **Weight**: an Observation coded LOINC 29463-7 Body weight (the vital-signs code) with 3141-9 Body
  weight Measured or 8335-2 Body weight Estimated beside it, and the method in words.
- **The timeline** is a Composition section, narrative only. Its stamps are when the crew did things
  (call received, at scene, left scene), not findings about the patient: as Observations a receiving
  system would file them among results. R4's Encounter.statusHistory knows only planned / arrived /
  in-progress / finished, which cannot name these steps, and Encounter.location periods need Locations
  the crew never records. A list of dated times, edits marked, is what the ward reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from emsync_desktop.domain.ecg_file import ecg_attachment
from emsync_desktop.domain.formulary import DoseUnit, Route, name_key, parse_route, parse_unit
from emsync_desktop.domain.history import AnswerStatus, WeightKind
from emsync_desktop.domain.local_time import stamped
from emsync_desktop.domain.record_summary import (
    CaseRecord,
    DoneProcedure,
    GivenDrug,
    RecordedHistory,
    dose_text,
    procedure_details,
)
from emsync_desktop.services.fhir_parts import (
    LOINC,
    SNOMED,
    VITAL_CATEGORY,
    coded,
    local,
    new_url,
    observation,
    quantity,
    ref,
)

FORMULARY_CODES = "urn:emsync:formulary"
FREE_TEXT_DRUG = "urn:emsync:fhir:free-text-drug"  # extension: the drug is not in the formulary
NO_KNOWN_ALLERGY = ("716186003", "No known allergy")
EMPTY_REASONS = "http://terminology.hl7.org/CodeSystem/list-empty-reason"
_ROUTES = {Route.IV: ("47625008", "Intravenous route"), Route.IM: ("78421000", "Intramuscular route"),
           Route.SC: ("34206005", "Subcutaneous route"), Route.PO: ("26643006", "Oral route"),
           Route.SL: ("37839007", "Sublingual route"), Route.IN: ("46713006", "Nasal route"),
           Route.BUCCAL: ("54471007", "Buccal route")}
_UCUM = {DoseUnit.MCG: "ug", DoseUnit.MG: "mg", DoseUnit.G: "g", DoseUnit.ML: "mL", DoseUnit.L: "L",
         DoseUnit.L_PER_MIN: "L/min"}
_ACTIVE = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                       "code": "active", "display": "Active"}]}


class Crew:
    """Practitioners by name: the document's author, and one more for each other name in the record."""

    def __init__(self, author_name: str, author_url: str) -> None:
        self._urls = {author_name: author_url}
        self.added: list[dict[str, Any]] = []

    def url(self, name: str) -> str | None:
        if not name.strip():
            return None
        if name not in self._urls:
            self._urls[name] = new_url()
            self.added.append({"_url": self._urls[name], "resourceType": "Practitioner", "name": [{"text": name}]})
        return self._urls[name]

    def performer(self, name: str) -> dict[str, Any]:
        url = self.url(name)
        return {"performer": [{"actor": ref(url)}]} if url else {}


@dataclass
class RecordResources:
    administrations: list[dict[str, Any]] = field(default_factory=list)
    procedures: list[dict[str, Any]] = field(default_factory=list)
    allergies: list[dict[str, Any]] = field(default_factory=list)
    weight: list[dict[str, Any]] = field(default_factory=list)


def record_resources(record: CaseRecord, patient: str, crew: Crew) -> RecordResources:
    return RecordResources(
        administrations=[administration(d, patient, crew) for d in record.drugs],
        procedures=[procedure(p, patient, crew) for p in record.procedures],
        allergies=allergy_resources(record.history, patient, crew),
        weight=weight_observations(record.history, patient))


def administration(drug: GivenDrug, patient: str, crew: Crew) -> dict[str, Any]:
    notes = [f"Free text: {drug.drug} is not in the formulary; the dose was not checked."] if drug.free_text \
        else [f"Dose warning shown when recorded: {w}" for w in drug.warnings]
    resource: dict[str, Any] = {
        "_url": new_url(), "resourceType": "MedicationAdministration", "status": "completed",
        "medicationCodeableConcept": _medication(drug), "subject": ref(patient),
        "effectiveDateTime": drug.given_at.isoformat(), **crew.performer(drug.by_name), "dosage": _dosage(drug)}
    if drug.free_text:
        resource["extension"] = [{"url": FREE_TEXT_DRUG, "valueBoolean": True}]
    if notes:
        resource["note"] = [{"text": note} for note in notes]
    return resource


def _medication(drug: GivenDrug) -> dict[str, Any]:
    if drug.free_text:
        return {"text": drug.drug}
    return coded(FORMULARY_CODES, name_key(drug.drug), drug.drug)


def _dosage(drug: GivenDrug) -> dict[str, Any]:
    dosage: dict[str, Any] = {"text": dose_text(drug)}
    unit = parse_unit(drug.dose_unit)
    if unit is DoseUnit.L_PER_MIN:
        dosage["rateQuantity"] = quantity(drug.dose_value, _UCUM[unit])
    else:
        dosage["dose"] = quantity(drug.dose_value, _UCUM[unit]) if unit else \
            {"value": drug.dose_value, "unit": drug.dose_unit}
    route = parse_route(drug.route)
    if route is not None and route in _ROUTES:
        code, display = _ROUTES[route]
        dosage["route"] = {"coding": [{"system": SNOMED, "code": code, "display": display}], "text": drug.route}
    elif drug.route.strip():
        dosage["route"] = {"text": drug.route}
    return dosage


def procedure(done: DoneProcedure, patient: str, crew: Crew) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "_url": new_url(), "resourceType": "Procedure", "status": "completed",
        "code": local(f"procedure-{done.procedure.value}", done.procedure.label), "subject": ref(patient),
        "performedDateTime": done.done_at.isoformat(), **crew.performer(done.by_name)}
    details = procedure_details(done)
    attached = ecg_attachment(done.extras)
    if attached is not None:
        details.append(f"ECG file sha256: {attached.sha256} (on the EMsync sync server by this hash)")
    if details:
        resource["note"] = [{"text": text} for text in details]
    return resource


def allergy_resources(history: RecordedHistory | None, patient: str, crew: Crew) -> list[dict[str, Any]]:
    if history is None:
        return []
    answer = history.history.allergies
    common: dict[str, Any] = {"resourceType": "AllergyIntolerance", "clinicalStatus": _ACTIVE,
                              "patient": ref(patient), "recordedDate": history.recorded_at.isoformat()}
    recorder = crew.url(history.by_name)
    if recorder:
        common["recorder"] = ref(recorder)
    if answer.status is AnswerStatus.NONE:
        code = {**coded(SNOMED, *NO_KNOWN_ALLERGY), "text": "No known allergies"}
        return [{"_url": new_url(), **common, "code": code}]
    if answer.status is AnswerStatus.LISTED:
        return [{"_url": new_url(), **common, "code": {"text": item}} for item in answer.items]
    return []


def allergies_empty_reason(history: RecordedHistory | None) -> dict[str, Any] | None:
    """Why the allergies section lists nothing: not asked (or no history saved), or unknown (could not ask)."""
    status = history.history.allergies.status if history else AnswerStatus.NOT_ASKED
    if status is AnswerStatus.NOT_ASKED:
        return coded(EMPTY_REASONS, "notasked", "Not Asked")
    if status is AnswerStatus.UNKNOWN:
        return coded(EMPTY_REASONS, "unavailable", "Unavailable")
    return None


def weight_observations(history: RecordedHistory | None, patient: str) -> list[dict[str, Any]]:
    weight = history.history.weight if history else None
    if history is None or weight is None:
        return []
    precise = ("3141-9", "Body weight Measured") if weight.kind is WeightKind.MEASURED else \
        ("8335-2", "Body weight Estimated")
    code = {"coding": [{"system": LOINC, "code": "29463-7", "display": "Body weight"},
                       {"system": LOINC, "code": precise[0], "display": precise[1]}],
            "text": f"Body weight ({weight.kind.value})"}
    return [observation(new_url(), patient, history.recorded_at, code, category=VITAL_CATEGORY,
                        valueQuantity=quantity(weight.kg, "kg"), method={"text": weight.kind.value.capitalize()})]


def timeline_text(record: CaseRecord) -> str:
    """One dated line per step, in the steps' order, an edit saying the time it replaced."""
    lines = []
    for stamp in sorted(record.timeline, key=lambda s: s.step.order):
        edited = f" (edited from {stamped(stamp.edited_from)})" if stamp.edited_from else ""
        lines.append(f"{stamp.step.label}: {stamped(stamp.at)}{edited}")
    return "\n".join(lines)

