"""The SBAR handoff as an HL7 FHIR R4 document Bundle (JSON), as a receiving hospital's system expects.

Composition first, then the resources it points to. Sections are coded with LOINC as the IHE
Paramedicine Summary of Care and the International Patient Summary use them; vital signs are
Observations with their LOINC codes and UCUM units. NEWS2 and the model's output go in the
assessment section, each saying what produced it (decision support, not a diagnosis).
Pure: builds a dict from a case snapshot; writing it is the caller's business.
"""

from __future__ import annotations

import html
import uuid
from datetime import datetime
from typing import Any

from emsync_desktop.domain.patient import Sex
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.domain.sbar import Sbar
from emsync_desktop.domain.vitals import Vitals
from emsync_desktop.services.case_views import CaseSnapshot

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
EMSYNC_CODES = "urn:emsync:codes"
SECTIONS = {  # key: (LOINC, title)
    "complaint": ("10154-3", "Chief complaint"),
    "history": ("10164-2", "History of present illness"),
    "allergies": ("48765-2", "Allergies and adverse reactions"),
    "medications": ("10160-0", "History of medication use"),
    "vitals": ("8716-3", "Vital signs"),
    "triage": ("11283-9", "Acuity assessment"),
    "assessment": ("51848-0", "Assessment"),
    "plan": ("18776-5", "Plan of care"),
}
# vital: (LOINC, display, UCUM unit)
VITAL_CODES = {
    "hr_bpm": ("8867-4", "Heart rate", "/min"),
    "rr_per_min": ("9279-1", "Respiratory rate", "/min"),
    "spo2_pct": ("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry", "%"),
    "temp_c": ("8310-5", "Body temperature", "Cel"),
}
BP_PANEL, SYSTOLIC, DIASTOLIC = "85354-9", "8480-6", "8462-4"
_GENDER = {Sex.FEMALE: "female", Sex.MALE: "male", Sex.OTHER: "other", Sex.UNKNOWN: "unknown"}


def handoff_bundle(snapshot: CaseSnapshot, author: UserInfo, now: datetime, sbar: Sbar | None = None
                   ) -> dict[str, Any]:
    """The whole document; ``now`` is when it was produced (timezone-aware). ``sbar``: the version sent
    with the transfer (services/handoff_doc); the case's draft when None."""
    patient, practitioner = _new_url(), _new_url()
    latest = next((e.vitals for e in reversed(snapshot.vitals) if not e.vitals.is_empty()), None)
    vitals = _vital_observations(latest, patient) if latest else []
    assessment = _assessment_observations(snapshot, patient, latest.taken_at if latest else now)
    composition = _composition(snapshot, sbar or snapshot.sbar, patient, practitioner, vitals, assessment, now)
    entries = [composition, _patient(snapshot, patient), _practitioner(author, practitioner), *vitals, *assessment]
    return {"resourceType": "Bundle", "identifier": {"system": "urn:ietf:rfc:3986", "value": _new_url()},
            "type": "document", "timestamp": now.isoformat(),
            "entry": [{"fullUrl": r.pop("_url"), "resource": r} for r in entries]}


def _new_url() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def _patient(snapshot: CaseSnapshot, url: str) -> dict[str, Any]:
    d = snapshot.details
    patient: dict[str, Any] = {"_url": url, "resourceType": "Patient", "gender": _GENDER[d.sex]}
    if d.name.strip():
        patient["name"] = [{"text": d.name.strip()}]
    if d.date_of_birth:
        patient["birthDate"] = d.date_of_birth.isoformat()
    if d.id_number.strip():
        patient["identifier"] = [{"system": "urn:emsync:id-number", "value": d.id_number.strip()}]
    if d.phone.strip():
        patient["telecom"] = [{"system": "phone", "value": d.phone.strip()}]
    return patient


def _practitioner(author: UserInfo, url: str) -> dict[str, Any]:
    return {"_url": url, "resourceType": "Practitioner", "name": [{"text": author.display_name}]}


def _observation(url: str, patient: str, when: datetime, code: dict[str, Any], **value: Any) -> dict[str, Any]:
    return {"_url": url, "resourceType": "Observation", "status": "final", "code": code,
            "subject": {"reference": patient}, "effectiveDateTime": when.isoformat(), **value}


def _loinc(code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": LOINC, "code": code, "display": display}], "text": display}


def _local(code: str, display: str) -> dict[str, Any]:
    """A code of ours, for what LOINC has no code for (NEWS2 as scored here, the model's output)."""
    return {"coding": [{"system": EMSYNC_CODES, "code": code, "display": display}], "text": display}


_VITAL_CATEGORY = [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                "code": "vital-signs", "display": "Vital Signs"}]}]


def _quantity(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def _vital_observations(v: Vitals, patient: str) -> list[dict[str, Any]]:
    result = []
    for name, (code, display, unit) in VITAL_CODES.items():
        value = getattr(v, name)
        if value is not None:
            result.append(_observation(_new_url(), patient, v.taken_at, _loinc(code, display),
                                       category=_VITAL_CATEGORY, valueQuantity=_quantity(value, unit)))
    if v.sbp_mmhg is not None:
        components = [{"code": _loinc(SYSTOLIC, "Systolic blood pressure"),
                       "valueQuantity": _quantity(v.sbp_mmhg, "mm[Hg]")}]
        if v.dbp_mmhg is not None:
            components.append({"code": _loinc(DIASTOLIC, "Diastolic blood pressure"),
                               "valueQuantity": _quantity(v.dbp_mmhg, "mm[Hg]")})
        result.append(_observation(_new_url(), patient, v.taken_at, _loinc(BP_PANEL, "Blood pressure panel"),
                                   category=_VITAL_CATEGORY, component=components))
    return result


def _assessment_observations(snapshot: CaseSnapshot, patient: str, when: datetime) -> list[dict[str, Any]]:
    result = []
    complete = snapshot.news2_status.latest_complete  # an incomplete set's sum is not a NEWS2 score
    if complete is not None:
        code = _local("news2", "NEWS2 total score (RCP 2017)")
        result.append(_observation(_new_url(), patient, complete.taken_at, code, valueInteger=complete.result.total,
                                   interpretation=[{"text": complete.result.band.label}]))
    triage = snapshot.triage if snapshot.triage_current else None
    if triage is not None:
        code = _local("triage-model-urgency", "Urgency predicted by triage model")
        needs = ", ".join(f"{n.label} {n.probability:.0%}" for n in triage.needs if n.flagged) or "none flagged"
        note = f"Model {triage.model_version}; decision support, not a diagnosis. Predicted needs: {needs}."
        result.append(_observation(_new_url(), patient, when, code,
                                   valueCodeableConcept={"text": triage.severity.value}, note=[{"text": note}]))
    return result


def _composition(snapshot: CaseSnapshot, sbar: Sbar, patient: str, practitioner: str, vitals: list[dict[str, Any]],
                 assessment: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    d = snapshot.details
    texts = {"complaint": d.chief_complaint, "history": d.history, "allergies": d.allergies or "Not recorded",
             "medications": d.medications, "vitals": sbar.assessment.split("\n")[0], "triage": sbar.situation,
             "assessment": sbar.assessment, "plan": sbar.recommendation}
    entries = {"vitals": vitals, "assessment": assessment}
    sections = []
    for key, (code, title) in SECTIONS.items():
        section: dict[str, Any] = {"title": title, "code": _loinc(code, title),
                                   "text": {"status": "generated", "div": _div(texts[key] or "None recorded")}}
        if entries.get(key):
            section["entry"] = [{"reference": r["_url"]} for r in entries[key]]
        sections.append(section)
    return {"_url": _new_url(), "resourceType": "Composition", "status": "final",
            "type": _loinc("34133-9", "Summary of episode note"), "subject": {"reference": patient},
            "date": now.isoformat(), "author": [{"reference": practitioner}],
            "title": "Paramedic handoff (SBAR)", "section": sections}


def _div(text: str) -> str:
    body = "<br/>".join(html.escape(line) for line in text.strip().splitlines())
    return f'<div xmlns="http://www.w3.org/1999/xhtml">{body}</div>'
