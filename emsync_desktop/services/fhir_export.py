"""The SBAR handoff as an HL7 FHIR R4 document Bundle (JSON), as a receiving hospital's system expects.

Composition first, then the resources it points to. Its four top-level sections are the SBAR parts,
titled Situation, Background, Assessment and Recommendation with the SBAR text, so a person reading it
in any FHIR viewer sees the handoff's structure; inside them, the sections coded with LOINC as the IHE
Paramedicine Summary of Care and the International Patient Summary use them. Vital signs, the other
NEWS2 inputs and NEWS2 itself are built by fhir_vitals (codes and profiles named there). The model's
output goes in the assessment section saying what produced it (decision support, not a diagnosis).
Codes of our own remain only where no standard one exists: ``urn:emsync:codes`` (the triage model's
output, the timeline section, NEWS2's SpO2 scale 2 score, procedures not yet mapped to SNOMED CT),
``urn:emsync:formulary`` (the service's drug list) and ``urn:emsync:id-number`` (an identity number
whose issuer the crew does not record); docs/decisions.md lists them. The case record
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
from emsync_desktop.services.case_views import CaseSnapshot
from emsync_desktop.services.fhir_parts import div, local, loinc, new_url, observation
from emsync_desktop.services.fhir_record import (
    Crew,
    allergies_empty_reason,
    record_resources,
    timeline_text,
)
from emsync_desktop.services.fhir_vitals import news2_observation, vital_observations

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
SBAR = {  # the SBAR structure as top-level sections (titled, so any FHIR viewer shows it), over SECTIONS
    "Situation": ("complaint", "triage"),
    "Background": ("history", "allergies", "medications", "past_history", "timeline"),
    "Assessment": ("vitals", "assessment", "administered", "procedures"),
    "Recommendation": ("plan",),
}
ID_NUMBER_SYSTEM = "urn:emsync:id-number"  # an ID as typed by the crew; its issuer is not recorded
_GENDER = {Sex.FEMALE: "female", Sex.MALE: "male", Sex.OTHER: "other", Sex.UNKNOWN: "unknown"}


def handoff_bundle(snapshot: CaseSnapshot, author: UserInfo, now: datetime, sbar: Sbar | None = None,
                   include_phone: bool = False) -> dict[str, Any]:
    """The whole document; ``now`` is when it was produced (timezone-aware). ``sbar``: the version sent
    with the transfer (services/handoff_doc); the case's draft when None. The case record is the one in
    ``snapshot``: every entry on this device now, including any made after the SBAR was sent. The
    patient's phone number goes in only if the crew chose ``include_phone`` (the handoff does not need it)."""
    patient, practitioner = new_url(), new_url()
    latest = next((e.vitals for e in reversed(snapshot.vitals) if not e.vitals.is_empty()), None)
    vitals, news2 = _vitals_and_news2(snapshot, patient)
    assessment = news2 + _triage_observations(snapshot, patient, latest.taken_at if latest else now)
    crew = Crew(author.display_name, practitioner)
    record = record_resources(snapshot.record, patient, crew)
    listed = {"vitals": [*vitals, *record.weight], "assessment": assessment, "allergies": record.allergies,
              "administered": record.administrations, "procedures": record.procedures}
    composition = _composition(snapshot, sbar or snapshot.sbar, patient, practitioner, listed, now)
    entries = [composition, _patient(snapshot, patient, include_phone), _practitioner(author, practitioner),
               *crew.added,
               *(resource for resources in listed.values() for resource in resources)]
    return {"resourceType": "Bundle", "identifier": {"system": "urn:ietf:rfc:3986", "value": new_url()},
            "type": "document", "timestamp": now.isoformat(),
            "entry": [{"fullUrl": r.pop("_url"), "resource": r} for r in entries]}


def _patient(snapshot: CaseSnapshot, url: str, include_phone: bool) -> dict[str, Any]:
    d = snapshot.details
    patient: dict[str, Any] = {"_url": url, "resourceType": "Patient", "gender": _GENDER[d.sex]}
    if d.name.strip():
        patient["name"] = [{"text": d.name.strip()}]
    if d.date_of_birth:
        patient["birthDate"] = d.date_of_birth.isoformat()
    if d.id_number.strip():
        patient["identifier"] = [{"system": ID_NUMBER_SYSTEM, "value": d.id_number.strip(),
                                  "type": {"text": "Identity document number (as typed by the crew)"}}]
    if include_phone and d.phone.strip():
        patient["telecom"] = [{"system": "phone", "value": d.phone.strip()}]
    return patient


def _practitioner(author: UserInfo, url: str) -> dict[str, Any]:
    return {"_url": url, "resourceType": "Practitioner", "name": [{"text": author.display_name}]}


def _vitals_and_news2(snapshot: CaseSnapshot, patient: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The newest set's observations, and those of the newest complete set when that is an older one,
    with the NEWS2 total derived from the complete set's."""
    filled = [e for e in snapshot.vitals if not e.vitals.is_empty()]
    if not filled:
        return [], []
    latest = vital_observations(filled[-1].vitals, patient)
    complete = snapshot.news2_status.latest_complete  # an incomplete set's sum is not a NEWS2 score
    if complete is None:
        return latest, []
    scored = next(e for e in reversed(filled) if e.vitals.taken_at == complete.taken_at)
    inputs = latest if scored is filled[-1] else vital_observations(scored.vitals, patient)
    news2 = news2_observation(complete.result, scored.vitals, patient, [o["_url"] for o in inputs])
    return (latest if inputs is latest else [*inputs, *latest]), [news2]


def _triage_observations(snapshot: CaseSnapshot, patient: str, when: datetime) -> list[dict[str, Any]]:
    triage = snapshot.triage if snapshot.triage_current else None
    if triage is None:
        return []
    code = local("triage-model-urgency", "Urgency predicted by triage model")
    needs = ", ".join(f"{n.label} {n.probability:.0%}" for n in triage.needs if n.flagged) or "none flagged"
    note = f"Model {triage.model_version}; decision support, not a diagnosis. Predicted needs: {needs}."
    return [observation(new_url(), patient, when, code, valueCodeableConcept={"text": triage.severity.value},
                        note=[{"text": note}])]


def _composition(snapshot: CaseSnapshot, sbar: Sbar, patient: str, practitioner: str,
                 listed: dict[str, list[dict[str, Any]]], now: datetime) -> dict[str, Any]:
    """One section per SECTIONS key, in that order: its narrative, and the resources it lists."""
    texts = _section_texts(snapshot, sbar)
    empty = {"allergies": allergies_empty_reason(snapshot.record.history)} \
        if not listed["allergies"] and not snapshot.details.allergies.strip() else {}
    coded_sections = {}
    for key, (code, title) in SECTIONS.items():
        coding = local(code, title) if key == "timeline" else loinc(code, title)
        section: dict[str, Any] = {"title": title, "code": coding,
                                   "text": {"status": "generated", "div": div(texts[key] or "None recorded")}}
        if listed.get(key):
            section["entry"] = [{"reference": r["_url"]} for r in listed[key]]
        elif empty.get(key):
            section["emptyReason"] = empty[key]
        coded_sections[key] = section
    sbar_texts = {"Situation": sbar.situation, "Background": sbar.background, "Assessment": sbar.assessment,
                  "Recommendation": sbar.recommendation}
    sections = [{"title": part, "text": {"status": "generated", "div": div(sbar_texts[part] or "None recorded")},
                 "section": [coded_sections[key] for key in keys]} for part, keys in SBAR.items()]
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
