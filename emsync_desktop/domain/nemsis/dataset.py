"""The EMSDataSet document: Header → DemographicGroup (the agency) → one PatientCareReport per case."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from xml.etree import ElementTree as ET

from emsync_desktop.domain.nemsis.call import add_call_sections
from emsync_desktop.domain.nemsis.care import add_care_sections
from emsync_desktop.domain.nemsis.case import NemsisAgency, NemsisCase
from emsync_desktop.domain.nemsis.outcome import add_outcome_sections
from emsync_desktop.domain.nemsis.xml import NEMSIS_NS, add

PCR_UUID_NAMESPACE = uuid.UUID("6f1d3c52-8d8e-5b6a-9c1e-4e6d2a7b9f10")
"""Our namespace for the reports' UUIDs (name-based, version 5: the XSD accepts versions 1 to 5 only,
and case ids are UUIDv7). The same case always gets the same report UUID."""


class NoCasesToReport(ValueError):
    """An EMSDataSet needs at least one patient care report."""


def report_uuid(case_id: str) -> str:
    return str(uuid.uuid5(PCR_UUID_NAMESPACE, case_id))


def ems_dataset(agency: NemsisAgency, cases: Sequence[NemsisCase]) -> ET.Element:
    """The document's root element. Raises NoCasesToReport for no cases."""
    if not cases:
        raise NoCasesToReport("There is no closed case to put in the NEMSIS report.")
    root = ET.Element("EMSDataSet", {"xmlns": NEMSIS_NS})
    header = add(root, "Header")
    group = add(header, "DemographicGroup")
    add(group, "dAgency.01", agency.state_id)
    add(group, "dAgency.02", agency.number)
    add(group, "dAgency.04", agency.state_code)
    for case in cases:
        pcr = add(header, "PatientCareReport", UUID=report_uuid(case.case_id))
        add_call_sections(pcr, agency, case)
        add_care_sections(pcr, case)
        add_outcome_sections(pcr, case)
    return root


def ems_dataset_bytes(agency: NemsisAgency, cases: Sequence[NemsisCase]) -> bytes:
    """The document as UTF-8 XML with its declaration."""
    document: bytes = ET.tostring(ems_dataset(agency, cases), encoding="utf-8", xml_declaration=True)
    return document
