"""The call sections of a patient care report: record, response, dispatch, times, patient, payment,
scene, situation, injury, arrest and history, each in the XSD's element order."""

from __future__ import annotations

from datetime import datetime
from xml.etree import ElementTree as ET

from emsync_desktop.domain.disposition import Disposition
from emsync_desktop.domain.nemsis import codes
from emsync_desktop.domain.nemsis.case import NemsisAgency, NemsisCase
from emsync_desktop.domain.nemsis.xml import (
    NOT_APPLICABLE,
    NOT_RECORDED,
    add,
    add_nil,
    add_nils,
    add_value,
    nemsis_time,
)
from emsync_desktop.domain.patient import age_on
from emsync_desktop.domain.timeline import TimelineStep

SOFTWARE_CREATOR, SOFTWARE_NAME = "EMsync", "EMsync Desktop"
_TRANSPORT_STEPS = {TimelineStep.LEFT_SCENE, TimelineStep.AT_DESTINATION, TimelineStep.HANDED_OVER}


def add_call_sections(pcr: ET.Element, agency: NemsisAgency, case: NemsisCase) -> None:
    _record(add(pcr, "eRecord"), agency, case)
    _response(add(pcr, "eResponse"), agency, case)
    dispatch = add(pcr, "eDispatch")
    add(dispatch, "eDispatch.01", codes.DISPATCH_NO_OTHER_CHOICE)
    add_nil(dispatch, "eDispatch.02")
    _times(add(pcr, "eTimes"), case)
    _patient(add(pcr, "ePatient"), case)
    add_nils(add(pcr, "ePayment"), "ePayment.01 ePayment.50")
    add_nils(add(pcr, "eScene"), "eScene.01 eScene.06 eScene.07 eScene.08 eScene.09 eScene.18 eScene.19 eScene.21")
    _situation(add(pcr, "eSituation"), case)
    add_nils(add(pcr, "eInjury"), "eInjury.01 eInjury.03 eInjury.04")
    add_nils(add(pcr, "eArrest"), "eArrest.01 eArrest.02 eArrest.03 eArrest.04 eArrest.07 eArrest.09 eArrest.11 "
                                  "eArrest.12 eArrest.14 eArrest.16 eArrest.17 eArrest.18 eArrest.20 eArrest.21 "
                                  "eArrest.22")
    add_nils(add(pcr, "eHistory"), "eHistory.01 eHistory.17")


def _record(record: ET.Element, agency: NemsisAgency, case: NemsisCase) -> None:
    add(record, "eRecord.01", case.case_id)
    software = add(record, "eRecord.SoftwareApplicationGroup")
    add(software, "eRecord.02", SOFTWARE_CREATOR)
    add(software, "eRecord.03", SOFTWARE_NAME)
    add(software, "eRecord.04", agency.software_version)


def _response(response: ET.Element, agency: NemsisAgency, case: NemsisCase) -> None:
    add(add(response, "eResponse.AgencyGroup"), "eResponse.01", agency.number)
    add_nils(response, "eResponse.03 eResponse.04")
    add(add(response, "eResponse.ServiceGroup"), "eResponse.05", agency.service_category)
    add(response, "eResponse.07", agency.transport_capability)
    add_nils(response, "eResponse.08 eResponse.09 eResponse.10 eResponse.11 eResponse.12")
    add(response, "eResponse.13", case.unit_call_sign[:25])
    add(response, "eResponse.14", case.unit_call_sign[:50])
    add(response, "eResponse.23", agency.response_mode)
    add_nil(response, "eResponse.24")


def unit_notified_at(case: NemsisCase) -> datetime:
    """eTimes.03, which the XSD requires: dispatched, else the call received, else when the case was opened."""
    times = case.times
    return times.get(TimelineStep.DISPATCHED) or times.get(TimelineStep.CALL_RECEIVED) or case.opened_at


def _times(times: ET.Element, case: NemsisCase) -> None:
    def step(tag: str, which: TimelineStep) -> None:
        unused = which in _TRANSPORT_STEPS and not case.transported
        add_value(times, tag, nemsis_time(case.times.get(which)), NOT_APPLICABLE if unused else NOT_RECORDED)

    step("eTimes.01", TimelineStep.CALL_RECEIVED)
    add(times, "eTimes.03", nemsis_time(unit_notified_at(case)))
    step("eTimes.05", TimelineStep.EN_ROUTE)
    step("eTimes.06", TimelineStep.AT_SCENE)
    step("eTimes.07", TimelineStep.AT_PATIENT)
    step("eTimes.09", TimelineStep.LEFT_SCENE)
    step("eTimes.11", TimelineStep.AT_DESTINATION)
    step("eTimes.12", TimelineStep.HANDED_OVER)
    add(times, "eTimes.13", nemsis_time(case.closed_at))


def _patient(patient: ET.Element, case: NemsisCase) -> None:
    add_nils(patient, "ePatient.07 ePatient.08 ePatient.09 ePatient.14")
    age = _age_years(case)
    ages = add(patient, "ePatient.AgeGroup")
    add_value(ages, "ePatient.15", str(age) if age else None)
    add_value(ages, "ePatient.16", codes.YEARS if age else None)
    if case.date_of_birth is not None:
        add(patient, "ePatient.17", case.date_of_birth.isoformat())
    add_value(patient, "ePatient.25", codes.SEX.get(case.sex))


def _age_years(case: NemsisCase) -> int | None:
    """Whole years, 1 to 120 (an infant's age in months is not recorded: Not Recorded)."""
    age = case.age_years
    if age is None and case.date_of_birth is not None:
        age = age_on(case.date_of_birth, case.opened_at.date())
    return age if age is not None and 1 <= age <= 120 else None


def _situation(situation: ET.Element, case: NemsisCase) -> None:
    add_nils(situation, "eSituation.01 eSituation.02")
    complaint = " ".join(case.chief_complaint.split())
    if complaint:
        group = add(situation, "eSituation.PatientComplaintGroup")
        add(group, "eSituation.03", codes.CHIEF_COMPLAINT)
        add(group, "eSituation.04", complaint[:255])
    add_nils(situation, "eSituation.07 eSituation.08 eSituation.09 eSituation.10 eSituation.11 eSituation.12 "
                        "eSituation.13 eSituation.18")
    add_nil(situation, "eSituation.20", NOT_APPLICABLE)


def cancelled_before_scene(case: NemsisCase) -> bool:
    return case.disposition is Disposition.CANCELLED and TimelineStep.AT_SCENE not in case.times
