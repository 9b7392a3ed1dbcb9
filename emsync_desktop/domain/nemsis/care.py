"""The care sections of a patient care report: narrative, vitals, protocols, medications, procedures.

A section the XSD requires but the crew left empty (no vitals, no drugs, no procedures) is one group
of not values: Not Recorded for vitals (they apply to every patient), Not Applicable for drugs and
procedures (none were given or done).
"""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from emsync_desktop.domain.formulary import name_key, parse_route, parse_unit
from emsync_desktop.domain.nemsis import codes
from emsync_desktop.domain.nemsis.case import MedicationGiven, NemsisCase, ProcedureDone, VitalsReading
from emsync_desktop.domain.nemsis.xml import (
    NOT_APPLICABLE,
    NOT_RECORDED,
    add,
    add_nil,
    add_nils,
    add_value,
    nemsis_time,
    whole,
)

NARRATIVE_MAX_CHARS = 10_000
_NOT_MEASURED = VitalsReading(taken_at=datetime.min.replace(tzinfo=UTC))  # its values: all None


def add_care_sections(pcr: ET.Element, case: NemsisCase) -> None:
    narrative = narrative_text(case)
    if narrative:
        add(add(pcr, "eNarrative"), "eNarrative.01", narrative[:NARRATIVE_MAX_CHARS])
    vitals = add(pcr, "eVitals")
    for reading in case.vitals or (None,):
        _vital_group(add(vitals, "eVitals.VitalGroup"), reading)
    add_nil(add(add(pcr, "eProtocols"), "eProtocols.ProtocolGroup"), "eProtocols.01")
    medications = add(pcr, "eMedications")
    for given in case.medications or (None,):
        _medication_group(add(medications, "eMedications.MedicationGroup"), given)
    procedures = add(pcr, "eProcedures")
    for done in case.procedures or (None,):
        _procedure_group(add(procedures, "eProcedures.ProcedureGroup"), done)


def narrative_text(case: NemsisCase) -> str:
    """What the coded elements cannot carry, in words: who gave or did what, drugs and procedures as
    typed (names without a code, routes and units as written), and new confusion (the C of ACVPU)."""
    lines = [f"Crew: {case.crew.strip()}"] if case.crew.strip() else []
    lines += [f"Drug given {nemsis_time(m.given_at)}: {m.drug} {m.dose_value:g} {m.dose_unit} {m.route}"
              f"{_by(m.by_name)}{' (free text, not in the formulary)' if m.free_text else ''}"
              for m in case.medications]
    lines += [f"Procedure {nemsis_time(p.done_at)}: {p.procedure.label}{f' ({p.details})' if p.details else ''}"
              f"{_by(p.by_name)}" for p in case.procedures]
    lines += [f"New confusion (ACVPU 'C', sent as Alert) at {nemsis_time(v.taken_at)}"
              for v in case.vitals if v.avpu == "C"]
    return "\n".join(lines)


def _by(name: str) -> str:
    return f" by {name.strip()}" if name.strip() else ""


def _vital_group(group: ET.Element, reading: VitalsReading | None) -> None:
    v = reading if reading is not None else _NOT_MEASURED
    add_value(group, "eVitals.01", nemsis_time(reading.taken_at) if reading else None)
    add_value(group, "eVitals.02", codes.NO if reading else None)
    add_nils(add(group, "eVitals.CardiacRhythmGroup"), "eVitals.03 eVitals.04 eVitals.05")
    pressure = add(group, "eVitals.BloodPressureGroup")
    add_value(pressure, "eVitals.06", whole(v.sbp_mmhg))
    if v.dbp_mmhg is not None:
        add(pressure, "eVitals.07", whole(v.dbp_mmhg))
    add_value(add(group, "eVitals.HeartRateGroup"), "eVitals.10", whole(v.hr_bpm))
    add_value(group, "eVitals.12", whole(v.spo2_pct))
    add_value(group, "eVitals.14", whole(v.rr_per_min))
    add_nil(group, "eVitals.16")
    add_value(group, "eVitals.18", whole(v.glucose_mg_dl))
    gcs = add(group, "eVitals.GlasgowScoreGroup")
    add_nils(gcs, "eVitals.19 eVitals.20 eVitals.21 eVitals.22")
    if v.gcs_total is not None:
        add(gcs, "eVitals.23", whole(v.gcs_total))
    if v.temp_c is not None:
        add(add(group, "eVitals.TemperatureGroup"), "eVitals.24", f"{v.temp_c:.1f}")
    add_value(group, "eVitals.26", codes.AVPU.get(v.avpu or ""))
    add_value(add(group, "eVitals.PainScaleGroup"), "eVitals.27", whole(v.pain_0_10))
    add_nils(add(group, "eVitals.StrokeScaleGroup"), "eVitals.29 eVitals.30")
    add_nil(group, "eVitals.31")


def _medication_group(group: ET.Element, given: MedicationGiven | None) -> None:
    if given is None:
        add_nils(group, "eMedications.01 eMedications.02 eMedications.03 eMedications.04", NOT_APPLICABLE)
        add_nils(add(group, "eMedications.DosageGroup"), "eMedications.05 eMedications.06", NOT_APPLICABLE)
        add_nils(group, "eMedications.07 eMedications.08 eMedications.10", NOT_APPLICABLE)
        return
    add(group, "eMedications.01", nemsis_time(given.given_at))
    add(group, "eMedications.02", codes.NO)  # given by this crew, not before EMS care
    rxcui = codes.RXNORM_INGREDIENT.get(name_key(given.drug))
    if rxcui is None:
        add_nil(group, "eMedications.03")
    else:
        add(group, "eMedications.03", rxcui, CodeType=codes.RXNORM)
    route = parse_route(given.route)
    add_value(group, "eMedications.04", codes.ROUTE.get(route) if route else None)
    dosage = add(group, "eMedications.DosageGroup")
    add(dosage, "eMedications.05", f"{given.dose_value:.3f}".rstrip("0").rstrip("."))
    unit = parse_unit(given.dose_unit)
    add_value(dosage, "eMedications.06", codes.DOSE_UNIT.get(unit) if unit else None)
    add_nils(group, "eMedications.07 eMedications.08 eMedications.10", NOT_RECORDED)


def _procedure_group(group: ET.Element, done: ProcedureDone | None) -> None:
    if done is None:
        add_nils(group, "eProcedures.01 eProcedures.02 eProcedures.03 eProcedures.05 eProcedures.06 "
                        "eProcedures.07 eProcedures.08 eProcedures.10", NOT_APPLICABLE)
        return
    add(group, "eProcedures.01", nemsis_time(done.done_at))
    add(group, "eProcedures.02", codes.NO)
    add_value(group, "eProcedures.03", codes.PROCEDURE_SNOMED.get(done.procedure))
    add_nils(group, "eProcedures.05 eProcedures.06 eProcedures.07 eProcedures.08 eProcedures.10")
