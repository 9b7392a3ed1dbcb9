"""The end of a patient care report: disposition (where the patient went, how the call ended) and
outcome (the hospital's, which a crew never knows: Not Recorded)."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from emsync_desktop.domain.disposition import Disposition
from emsync_desktop.domain.nemsis import codes
from emsync_desktop.domain.nemsis.call import cancelled_before_scene
from emsync_desktop.domain.nemsis.case import NemsisCase
from emsync_desktop.domain.nemsis.xml import NOT_APPLICABLE, NOT_RECORDED, add, add_nil, add_nils, add_value
from emsync_desktop.domain.procedures import Procedure


def add_outcome_sections(pcr: ET.Element, case: NemsisCase) -> None:
    _disposition(add(pcr, "eDisposition"), case)
    outcome = add(pcr, "eOutcome")
    add_nils(outcome, "eOutcome.01 eOutcome.02")
    add_nils(add(outcome, "eOutcome.EmergencyDepartmentProceduresGroup"), "eOutcome.09 eOutcome.19")
    add_nils(outcome, "eOutcome.10 eOutcome.11")
    add_nils(add(outcome, "eOutcome.HospitalProceduresGroup"), "eOutcome.12 eOutcome.20")
    add_nils(outcome, "eOutcome.13 eOutcome.16 eOutcome.18")


def _disposition(disposition: ET.Element, case: NemsisCase) -> None:
    moved = NOT_RECORDED if case.transported else NOT_APPLICABLE  # for what only a transport has
    destination = add(disposition, "eDisposition.DestinationGroup")
    if case.transported and case.destination is not None and len(case.destination.name.strip()) >= 2:
        add(destination, "eDisposition.01", case.destination.name.strip()[:100])
    add_nils(destination, "eDisposition.05 eDisposition.06 eDisposition.07", moved)
    _incident_disposition(add(disposition, "eDisposition.IncidentDispositionGroup"), case)
    add_value(disposition, "eDisposition.16", codes.GROUND_AMBULANCE if case.transported else None, moved)
    add_nils(disposition, "eDisposition.17 eDisposition.18", moved)
    add_value(disposition, "eDisposition.19", _acuity_at_release(case))
    add_nil(disposition, "eDisposition.20", moved)
    add_value(disposition, "eDisposition.21", _destination_type(case), moved)
    add_nils(disposition, "eDisposition.22 eDisposition.23", moved)
    add_nils(add(disposition, "eDisposition.HospitalTeamActivationGroup"), "eDisposition.24 eDisposition.25", moved)
    add_nil(disposition, "eDisposition.32")


def _incident_disposition(group: ET.Element, case: NemsisCase) -> None:
    if case.disposition is Disposition.CANCELLED:
        unit = codes.CANCELLED_BEFORE_SCENE if cancelled_before_scene(case) else codes.CANCELLED_ON_SCENE
    else:
        unit = codes.CONTACT_MADE
    add(group, "eDisposition.27", unit)
    for tag, code in zip(("eDisposition.28", "eDisposition.29", "eDisposition.30"),
                         codes.OUTCOME_CODES[case.disposition], strict=True):
        add_value(group, tag, code, NOT_APPLICABLE)


def _acuity_at_release(case: NemsisCase) -> str | None:
    """Only death is known for certain; 'with resuscitation' when CPR is in the record."""
    resuscitated = any(p.procedure is Procedure.CPR for p in case.procedures)
    return codes.DEAD_WITH_RESUSCITATION if case.disposition is Disposition.DIED and resuscitated else None


def _destination_type(case: NemsisCase) -> str | None:
    if not case.transported or case.destination is None:
        return None
    return codes.HOSPITAL_ED if case.destination.unit.upper() in codes.EMERGENCY_UNITS else codes.HOSPITAL_BED
