"""The SBAR handoff as an HL7 FHIR R4 document Bundle (JSON), as a receiving hospital's system expects.

Composition first, then the resources it points to. Sections are coded with LOINC as the IHE
Paramedicine Summary of Care and the International Patient Summary use them; vital signs are
Observations with their LOINC codes and UCUM units. NEWS2 and the model's output go in the
assessment section, each saying what produced it (decision support, not a diagnosis). The case record
(drugs given, procedures, allergies, weight, timeline) is built by fhir_record, which says how.
Pure: builds a dict from a case snapshot; writing it is the caller's business.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from emsync_desktop.domain.history import HistoryItem
from emsync_desktop.domain.patient import Sex
from emsync_desktop.domain.record_summary import (
    CaseRecord,
    answer_text,
    drug_line,
    merged_answer_text,
    present_illness_lines,
    procedure_line,
)
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.domain.sbar import Sbar
from emsync_desktop.domain.vitals import Vitals
from emsync_desktop.services.case_views import CaseSnapshot
from emsync_desktop.services.fhir_parts import (
    VITAL_CATEGORY,
    div,
    local,
    loinc,
    new_url,
    observation,
    quantity,
)
from emsync_desktop.services.fhir_record import (
    Crew,
    allergies_empty_reason,
    record_resources,
    timeline_text,
)

SECTIONS = {  # key: (code, title); LOINC document section codes, and one of ours where LOINC has none
    "complaint": ("10154-3", "Chief complaint"),
    "history": ("10164-2", "History of present illness"),
    "allergies": ("48765-2", "Allergies and adverse reactions"),
    "medications": ("10160-0", "History of medication use"),
    "past_history": ("11348-0", "History of past illness"),
    "vitals": ("8716-3", "Vital signs"),
    "triage": ("11283-9", "Acuity assessment"),
    "assessment": ("51848-0", "Assessment"),
    "administered": ("29549-3", "Medications administered"),
    "procedures": ("47519-4", "Procedures"),
    "timeline": ("ems-timeline", "EMS timeline"),  # ours (fhir_record says why a section)
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
    with the transfer (services/handoff_doc); the case's draft when None. The case record is the one in
    ``snapshot``: every entry on this device now, including any made after the SBAR was sent."""
    patient, practitioner = new_url(), new_url()
    latest = next((e.vitals for e in reversed(snapshot.vitals) if not e.vitals.is_empty()), None)
    vitals = _vital_observations(latest, patient) if latest else []
    assessment = _assessment_observations(snapshot, patient, latest.taken_at if latest else now)
    crew = Crew(author.display_name, practitioner)
    record = record_resources(snapshot.record, patient, crew)
    listed = {"vitals": [*vitals, *record.weight], "assessment": assessment, "allergies": record.allergies,
              "administered": record.administrations, "procedures": record.procedures}
    composition = _composition(snapshot, sbar or snapshot.sbar, patient, practitioner, listed, now)
    entries = [composition, _patient(snapshot, patient), _practitioner(author, practitioner), *crew.added,
               *(resource for resources in listed.values() for resource in resources)]
    return {"resourceType": "Bundle", "identifier": {"system": "urn:ietf:rfc:3986", "value": new_url()},
            "type": "document", "timestamp": now.isoformat(),
            "entry": [{"fullUrl": r.pop("_url"), "resource": r} for r in entries]}


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


def _vital_observations(v: Vitals, patient: str) -> list[dict[str, Any]]:
    result = []
    for name, (code, display, unit) in VITAL_CODES.items():
        value = getattr(v, name)
        if value is not None:
            result.append(observation(new_url(), patient, v.taken_at, loinc(code, display),
                                      category=VITAL_CATEGORY, valueQuantity=quantity(value, unit)))
    if v.sbp_mmhg is not None:
        components = [{"code": loinc(SYSTOLIC, "Systolic blood pressure"),
                       "valueQuantity": quantity(v.sbp_mmhg, "mm[Hg]")}]
        if v.dbp_mmhg is not None:
            components.append({"code": loinc(DIASTOLIC, "Diastolic blood pressure"),
                               "valueQuantity": quantity(v.dbp_mmhg, "mm[Hg]")})
        result.append(observation(new_url(), patient, v.taken_at, loinc(BP_PANEL, "Blood pressure panel"),
                                  category=VITAL_CATEGORY, component=components))
    return result


def _assessment_observations(snapshot: CaseSnapshot, patient: str, when: datetime) -> list[dict[str, Any]]:
    result = []
    complete = snapshot.news2_status.latest_complete  # an incomplete set's sum is not a NEWS2 score
    if complete is not None:
        code = local("news2", "NEWS2 total score (RCP 2017)")
        result.append(observation(new_url(), patient, complete.taken_at, code, valueInteger=complete.result.total,
                                  interpretation=[{"text": complete.result.band.label}]))
    triage = snapshot.triage if snapshot.triage_current else None
    if triage is not None:
        code = local("triage-model-urgency", "Urgency predicted by triage model")
        needs = ", ".join(f"{n.label} {n.probability:.0%}" for n in triage.needs if n.flagged) or "none flagged"
        note = f"Model {triage.model_version}; decision support, not a diagnosis. Predicted needs: {needs}."
        result.append(observation(new_url(), patient, when, code,
                                  valueCodeableConcept={"text": triage.severity.value}, note=[{"text": note}]))
    return result


def _composition(snapshot: CaseSnapshot, sbar: Sbar, patient: str, practitioner: str,
                 listed: dict[str, list[dict[str, Any]]], now: datetime) -> dict[str, Any]:
    """One section per SECTIONS key, in that order: its narrative, and the resources it lists."""
    texts = _section_texts(snapshot, sbar)
    empty = {"allergies": allergies_empty_reason(snapshot.record.history)} \
        if not listed["allergies"] and not snapshot.details.allergies.strip() else {}
    sections = []
    for key, (code, title) in SECTIONS.items():
        coding = local(code, title) if key == "timeline" else loinc(code, title)
        section: dict[str, Any] = {"title": title, "code": coding,
                                   "text": {"status": "generated", "div": div(texts[key] or "None recorded")}}
        if listed.get(key):
            section["entry"] = [{"reference": r["_url"]} for r in listed[key]]
        elif empty.get(key):
            section["emptyReason"] = empty[key]
        sections.append(section)
    return {"_url": new_url(), "resourceType": "Composition", "status": "final",
            "type": loinc("34133-9", "Summary of episode note"), "subject": {"reference": patient},
            "date": now.isoformat(), "author": [{"reference": practitioner}],
            "title": "Paramedic handoff (SBAR)", "section": sections}


def _section_texts(snapshot: CaseSnapshot, sbar: Sbar) -> dict[str, str]:
    d, record = snapshot.details, snapshot.record
    sample = record.sample
    weight = [f"Weight: {sample.weight.text}"] if sample and sample.weight else []
    return {
        "complaint": d.chief_complaint,
        "history": "\n".join([d.history.strip(), *(present_illness_lines(sample) if sample else [])]),
        "allergies": merged_answer_text(HistoryItem.ALLERGIES, sample.allergies if sample else None, d.allergies,
                                        "Not recorded"),
        "medications": merged_answer_text(HistoryItem.MEDICATIONS, sample.medications if sample else None,
                                          d.medications, "None recorded"),
        "past_history": answer_text(HistoryItem.PAST_HISTORY, sample.past_history) if sample else "Not recorded",
        "vitals": "\n".join([sbar.assessment.split("\n")[0], *weight]), "triage": sbar.situation,
        "assessment": sbar.assessment, "administered": _record_lines(record, "drugs"),
        "procedures": _record_lines(record, "procedures"), "timeline": timeline_text(record) or "No times recorded.",
        "plan": sbar.recommendation}


def _record_lines(record: CaseRecord, which: str) -> str:
    if which == "drugs":
        return "\n".join(drug_line(d) for d in record.drugs) or "No drugs recorded."
    return "\n".join(procedure_line(p) for p in record.procedures) or "No procedures recorded."
