"""Vital signs and NEWS2 in the FHIR R4 handoff document, so that a receiving system can read every
observation the crew took and re-score NEWS2 from the document itself.

- The R4 vital-signs profile's codes and UCUM units (http://hl7.org/fhir/R4/observation-vitalsigns.html):
  heart rate 8867-4 /min, respiratory rate 9279-1 /min, oxygen saturation 2708-6 (required) with 59408-5
  (by pulse oximetry) beside it, %, body temperature 8310-5 Cel, blood pressure panel 85354-9 with systolic
  8480-6 and diastolic 8462-4 components in mm[Hg]; a component not measured (a palpated systolic) is
  there with ``dataAbsentReason`` "not-performed", as the profile requires both components.
- The other NEWS2 inputs and what the crew records beside them: Glasgow coma score total LOINC 9269-2
  ({score}); pain 0-10 LOINC 72514-3 ({score}); blood glucose LOINC 2339-0 (mg/dL); consciousness as the
  NHS ACVPU scale (SNOMED CT UK 1104441000000107) valued with the SNOMED CT findings NHS England's
  NEWS2 messages use (248234008 Mentally alert, 130987000 Acute confusion, 300202002 Responds to voice,
  450847001 Responds to pain, 422768004 Unresponsive); air or oxygen as the finding 722742002 Breathing
  room air or 371825009 Patient on oxygen.
- NEWS2: the total of the newest complete set (SNOMED CT UK 1104051000000101, Royal College of Physicians
  NEWS2 total score) with one component per parameter score (the RCP NEWS2 parameter-score codes; SpO2
  scale 2 has no such code here and is named in text) and ``derivedFrom`` the observations of that set,
  which are in the document even when a newer, incomplete set is the one shown as latest.
"""

from __future__ import annotations

from typing import Any

from emsync_desktop.domain.news2 import News2Result
from emsync_desktop.domain.vitals import Consciousness, Vitals
from emsync_desktop.services.fhir_parts import (
    SNOMED,
    VITAL_CATEGORY,
    coded,
    local,
    loinc,
    new_url,
    observation,
    quantity,
    ref,
)

SURVEY_CATEGORY = [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                "code": "survey", "display": "Survey"}]}]
DATA_ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
SPO2_CODES = {"coding": [{"system": "http://loinc.org", "code": "2708-6",
                          "display": "Oxygen saturation in Arterial blood"},
                         {"system": "http://loinc.org", "code": "59408-5",
                          "display": "Oxygen saturation in Arterial blood by Pulse oximetry"}],
              "text": "Oxygen saturation (pulse oximetry)"}
# vital: (LOINC, display, UCUM unit); SpO2 has two codes (SPO2_CODES)
VITAL_CODES = {
    "hr_bpm": ("8867-4", "Heart rate", "/min"),
    "rr_per_min": ("9279-1", "Respiratory rate", "/min"),
    "temp_c": ("8310-5", "Body temperature", "Cel"),
}
SCORES = {  # recorded beside the vital signs: (LOINC, display, UCUM unit)
    "gcs": ("9269-2", "Glasgow coma score total", "{score}"),
    "pain_0_10": ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported", "{score}"),
    "glucose_mg_dl": ("2339-0", "Glucose [Mass/volume] in Blood", "mg/dL"),
}
BP_PANEL, SYSTOLIC, DIASTOLIC = "85354-9", "8480-6", "8462-4"
ACVPU_SCALE = ("1104441000000107", "ACVPU (Alert Confusion Voice Pain Unresponsive) scale score")
ACVPU_FINDINGS = {Consciousness.ALERT: ("248234008", "Mentally alert"),
                  Consciousness.NEW_CONFUSION: ("130987000", "Acute confusion"),
                  Consciousness.VOICE: ("300202002", "Responds to voice"),
                  Consciousness.PAIN: ("450847001", "Responds to pain"),
                  Consciousness.UNRESPONSIVE: ("422768004", "Unresponsive")}
ROOM_AIR, ON_OXYGEN = ("722742002", "Breathing room air"), ("371825009", "Patient on oxygen")
NEWS2_TOTAL = ("1104051000000101", "Royal College of Physicians NEWS2 (National Early Warning Score 2) total score")
_NEWS2_PART = "Royal College of Physicians NEWS2 (National Early Warning Score 2) - {} score"
NEWS2_PARTS = {"rr": ("1104301000000104", "respiration rate"), "hr": ("1104351000000103", "pulse"),
               "air_or_oxygen": ("1104331000000105", "air or oxygen"), "temp": ("1104371000000107", "temperature"),
               "sbp": ("1104341000000101", "systolic blood pressure"),
               "consciousness": ("1104361000000100", "consciousness")}
SPO2_SCALE_1 = ("1104311000000102", "oxygen saturation scale 1")


def vital_observations(v: Vitals, patient: str) -> list[dict[str, Any]]:
    """Every value of one set, each an Observation at the set's time."""
    result = [observation(new_url(), patient, v.taken_at, loinc(code, display), category=VITAL_CATEGORY,
                          valueQuantity=quantity(value, unit))
              for name, (code, display, unit) in VITAL_CODES.items() if (value := getattr(v, name)) is not None]
    if v.spo2_pct is not None:
        result.append(observation(new_url(), patient, v.taken_at, SPO2_CODES, category=VITAL_CATEGORY,
                                  valueQuantity=quantity(v.spo2_pct, "%")))
    if v.sbp_mmhg is not None or v.dbp_mmhg is not None:
        result.append(_blood_pressure(v, patient))
    result += [observation(new_url(), patient, v.taken_at, loinc(code, display), category=SURVEY_CATEGORY,
                           valueQuantity=quantity(value, unit))
               for name, (code, display, unit) in SCORES.items() if (value := getattr(v, name)) is not None]
    if v.consciousness is not None:
        result.append(observation(new_url(), patient, v.taken_at, coded(SNOMED, *ACVPU_SCALE),
                                  category=SURVEY_CATEGORY,
                                  valueCodeableConcept=coded(SNOMED, *ACVPU_FINDINGS[v.consciousness])))
    if v.on_oxygen is not None:
        result.append(observation(new_url(), patient, v.taken_at,
                                  coded(SNOMED, *(ON_OXYGEN if v.on_oxygen else ROOM_AIR)), category=VITAL_CATEGORY))
    return result


def _blood_pressure(v: Vitals, patient: str) -> dict[str, Any]:
    def component(code: str, display: str, value: float | None) -> dict[str, Any]:
        if value is None:
            return {"code": loinc(code, display),
                    "dataAbsentReason": coded(DATA_ABSENT, "not-performed", "Not Performed")}
        return {"code": loinc(code, display), "valueQuantity": quantity(value, "mm[Hg]")}

    return observation(new_url(), patient, v.taken_at, loinc(BP_PANEL, "Blood pressure panel"),
                       category=VITAL_CATEGORY,
                       component=[component(SYSTOLIC, "Systolic blood pressure", v.sbp_mmhg),
                                  component(DIASTOLIC, "Diastolic blood pressure", v.dbp_mmhg)])


def news2_observation(result: News2Result, v: Vitals, patient: str, derived_from: list[str]) -> dict[str, Any]:
    """The NEWS2 total of one complete set, with its parameter scores, derived from that set's observations."""
    components = []
    for part, points in result.parts.items():
        if part == "spo2":
            code = coded(SNOMED, SPO2_SCALE_1[0], _NEWS2_PART.format(SPO2_SCALE_1[1])) if result.spo2_scale == 1 \
                else local("news2-spo2-scale-2", "NEWS2 oxygen saturation scale 2 score")
        else:
            code = coded(SNOMED, NEWS2_PARTS[part][0], _NEWS2_PART.format(NEWS2_PARTS[part][1]))
        components.append({"code": code, "valueInteger": points})
    return observation(new_url(), patient, v.taken_at, coded(SNOMED, *NEWS2_TOTAL), category=SURVEY_CATEGORY,
                       valueInteger=result.total, interpretation=[{"text": result.band.label}],
                       component=components, derivedFrom=[ref(url) for url in derived_from],
                       note=[{"text": "Scored on this device by the RCP NEWS2 rules from the observations it is "
                                      "derived from."}])
