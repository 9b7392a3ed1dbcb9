"""EDXL-HAVE 1.0 (OASIS Standard, 2008) mapping: root ``HospitalStatus``, one ``Hospital`` per hospital.

Our field → EDXL-HAVE 1.0:

- hospital id → ``Organization/OrganizationInformation/xpil:Identifiers/Identifier/IdentifierElement``;
  name → ``xnl:OrganisationName/NameElement``; location → ``OrganizationGeoLocation/gml:Point/gml:pos``
  ("lat lon", WGS84, as geo-oasis says). A hospital without a location has no ``OrganizationGeoLocation``.
- beds per unit → one ``HospitalBedCapacityStatus/BedCapacity`` each, ``Capacity/AvailableCount`` = free
  beds, ``BaselineCount`` = every bed listed in the unit (whatever its status), ``CapacityStatus``
  ``Vacant/Available`` when one is free, else ``NotAvailable``. Units → ``BedType``:
  ICU → ``AdultICU`` (1.0 counts every ICU subtype there but burns); ER → ``EmergencyDepartment``;
  WARD → ``MedicalSurgical``; HDU (step-down, no 1.0 type) → ``MedicalSurgical`` with
  ``SubCategoryBedType`` ``HDU``, so a receiver counting ICU beds never counts step-down beds.
- ED status → ``EmergencyDepartmentStatus/EMSTraffic/EMSTrafficStatus`` (see ``ed_status_from_beds``).
- last update → ``LastUpdateTime`` (UTC, ``Z``).

Read back (a neighbouring region's report): ``AdultICU``, ``PediatricICU``, ``NeonatalICU``, ``Burn`` → ICU;
``MedicalSurgical`` + ``HDU`` → HDU; ``EmergencyDepartment`` → ER; the other bed types (``MedicalSurgical``,
``Pediatrics``, psychiatric, nursery, rehab/long-term, isolation) → WARD; ``OperatingRooms`` are not beds a
patient is sent to and are not shown. Several entries of one unit are added up. A bed type 1.0 does not
define is refused, by name. A ``LastUpdateTime`` without a zone is read as UTC.

No EDXL field for: bed statuses other than free (reserved, occupied, cleaning, pending discharge, out of
service: only inside the baseline), capabilities (``ServiceCoverageStatus`` is not filled: our codes do not
map one to one), the hospital's short name, address and phone. Nothing of HAVE's facility, resources,
triage counts, surge (24 h / 72 h) or offload status is written or read.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import UTC, datetime

from emsync_desktop.domain.edxl_have.report import (
    UNITS,
    CapacityReport,
    EdStatus,
    EdxlHaveError,
    HospitalStatus,
    Location,
    UnitBeds,
)

NS = "urn:oasis:names:tc:emergency:EDXL:HAVE:1.0"
XPIL = "urn:oasis:names:tc:ciq:xpil:3"
XNL = "urn:oasis:names:tc:ciq:xnl:3"
GEO = "urn:oasis:names:tc:emergency:EDXL:HAVE:1.0:geo-oasis"
GML = "http://www.opengis.net/gml"
for _prefix, _uri in (("have", NS), ("xpil", XPIL), ("xnl", XNL), ("geo-oasis", GEO), ("gml", GML)):
    ET.register_namespace(_prefix, _uri)

BED_TYPES = ("AdultICU", "PediatricICU", "NeonatalICU", "EmergencyDepartment", "NurseryBeds", "MedicalSurgical",
             "RehabLongTermCare", "Burn", "Pediatrics", "AdultPsychiatric", "PediatricPsychiatric",
             "NegativeFlowIsolation", "OtherIsolation", "OperatingRooms")  # the 1.0 XSD's enumeration
HDU_SUBTYPE = "HDU"
_EXPORT: dict[str, tuple[str, str | None]] = {"ICU": ("AdultICU", None), "HDU": ("MedicalSurgical", HDU_SUBTYPE),
                                              "ER": ("EmergencyDepartment", None), "WARD": ("MedicalSurgical", None)}
_ICU_TYPES = {"AdultICU", "PediatricICU", "NeonatalICU", "Burn"}
_NOT_BEDS = {"OperatingRooms"}


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def _sub(parent: ET.Element, ns: str, tag: str, text: str | None = None) -> ET.Element:
    child = ET.SubElement(parent, _q(ns, tag))
    if text is not None:
        child.text = text
    return child


def build_root(report: CapacityReport) -> ET.Element:
    root = ET.Element(_q(NS, "HospitalStatus"))
    for hospital in report.hospitals:
        _build_hospital(_sub(root, NS, "Hospital"), hospital)
    return root


def _build_hospital(element: ET.Element, h: HospitalStatus) -> None:
    organization = _sub(element, NS, "Organization")
    info = _sub(organization, NS, "OrganizationInformation")
    _sub(_sub(info, XNL, "OrganisationName"), XNL, "NameElement", h.name)
    _sub(_sub(_sub(info, XPIL, "Identifiers"), XPIL, "Identifier"), XPIL, "IdentifierElement", h.id)
    if h.location is not None:
        point = _sub(_sub(organization, NS, "OrganizationGeoLocation"), GML, "Point")
        _sub(point, GML, "pos", f"{h.location.lat:.6f} {h.location.lon:.6f}")
    traffic = _sub(_sub(element, NS, "EmergencyDepartmentStatus"), NS, "EMSTraffic")
    _sub(traffic, NS, "EMSTrafficStatus", h.ed_status.value)
    if h.ed_status is EdStatus.ADVISORY:
        _sub(traffic, NS, "EMSTrafficReason", "No emergency department bed free")
    beds = sorted(h.beds, key=lambda b: UNITS.index(b.unit))
    if beds:
        status = _sub(element, NS, "HospitalBedCapacityStatus")
        for unit in beds:
            _build_beds(_sub(status, NS, "BedCapacity"), unit)
    _sub(element, NS, "LastUpdateTime", h.last_update.astimezone(UTC).isoformat().replace("+00:00", "Z"))


def _build_beds(element: ET.Element, beds: UnitBeds) -> None:
    bed_type, subtype = _EXPORT[beds.unit]
    _sub(element, NS, "BedType", bed_type)
    if subtype is not None:
        _sub(element, NS, "SubCategoryBedType", subtype)
    capacity = _sub(element, NS, "Capacity")
    _sub(capacity, NS, "CapacityStatus", "Vacant/Available" if beds.available > 0 else "NotAvailable")
    _sub(capacity, NS, "AvailableCount", str(beds.available))
    _sub(capacity, NS, "BaselineCount", str(beds.baseline))


def parse_root(root: ET.Element) -> CapacityReport:
    if root.tag != _q(NS, "HospitalStatus"):
        raise EdxlHaveError(f"An EDXL-HAVE 1.0 report starts with HospitalStatus, not {root.tag.split('}')[-1]}.")
    hospitals = root.findall(_q(NS, "Hospital"))
    unknown = sorted({t for t in _bed_types(root) if t not in BED_TYPES})
    if unknown:
        raise EdxlHaveError(f"The report lists bed types that EDXL-HAVE 1.0 does not define: {', '.join(unknown)}. "
                            "Nothing was imported; ask the sender for a standard EDXL-HAVE 1.0 report.")
    return CapacityReport(tuple(_parse_hospital(h, i) for i, h in enumerate(hospitals, start=1)))


def _bed_types(root: ET.Element) -> Iterable[str]:
    for capacity in root.iter(_q(NS, "BedCapacity")):
        yield (capacity.findtext(_q(NS, "BedType")) or "").strip() or "(none given)"


def _parse_hospital(element: ET.Element, number: int) -> HospitalStatus:
    info = f"{_q(NS, 'Organization')}/{_q(NS, 'OrganizationInformation')}"
    ident_path = f"{info}/{_q(XPIL, 'Identifiers')}/{_q(XPIL, 'Identifier')}/{_q(XPIL, 'IdentifierElement')}"
    traffic_path = f"{_q(NS, 'EmergencyDepartmentStatus')}/{_q(NS, 'EMSTraffic')}/{_q(NS, 'EMSTrafficStatus')}"
    name = (element.findtext(f"{info}/{_q(XNL, 'OrganisationName')}/{_q(XNL, 'NameElement')}") or "").strip()
    ident = element.findtext(ident_path)
    name = name or f"Hospital {number}"
    traffic = element.findtext(traffic_path)
    beds = _parse_beds(element.findall(f"{_q(NS, 'HospitalBedCapacityStatus')}/{_q(NS, 'BedCapacity')}"), name)
    return HospitalStatus(id=(ident or "").strip() or name, name=name, location=_parse_location(element, name),
                          beds=beds, ed_status=_ed_status(traffic, name),
                          last_update=_parse_time(element.findtext(_q(NS, "LastUpdateTime")) or "", name))


def _ed_status(text: str | None, name: str) -> EdStatus:
    if not text:
        return EdStatus.NOT_APPLICABLE
    try:
        return EdStatus(text.strip())
    except ValueError as exc:
        raise EdxlHaveError(f"{name}: its emergency department status {text.strip()!r} is not one of "
                            f"{', '.join(s.value for s in EdStatus)}.") from exc


def _parse_location(element: ET.Element, name: str) -> Location | None:
    geo = f"{_q(NS, 'Organization')}/{_q(NS, 'OrganizationGeoLocation')}"
    pos = element.findtext(f"{geo}/{_q(GML, 'Point')}/{_q(GML, 'pos')}")
    if pos is None:
        return None
    try:
        lat, lon = (float(v) for v in pos.split())
    except ValueError as exc:
        raise EdxlHaveError(f"{name}: its location {pos!r} is not 'latitude longitude'.") from exc
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise EdxlHaveError(f"{name}: its location {pos!r} is off the globe.")
    return Location(lat, lon)


def _parse_beds(capacities: list[ET.Element], name: str) -> tuple[UnitBeds, ...]:
    totals: dict[str, tuple[int, int]] = {}
    for element in capacities:
        bed_type = (element.findtext(_q(NS, "BedType")) or "").strip()
        if bed_type in _NOT_BEDS:
            continue
        unit = _unit_of(bed_type, (element.findtext(_q(NS, "SubCategoryBedType")) or "").strip())
        available, baseline = _counts(element, name)
        before = totals.get(unit, (0, 0))
        totals[unit] = (before[0] + available, before[1] + baseline)
    return tuple(UnitBeds(u, *totals[u]) for u in UNITS if u in totals)


def _unit_of(bed_type: str, subtype: str) -> str:
    if bed_type in _ICU_TYPES:
        return "ICU"
    if bed_type == "EmergencyDepartment":
        return "ER"
    return "HDU" if (bed_type, subtype) == ("MedicalSurgical", HDU_SUBTYPE) else "WARD"


def _counts(element: ET.Element, name: str) -> tuple[int, int]:
    capacity = element.find(_q(NS, "Capacity"))
    if capacity is None:
        return 0, 0
    try:
        available = int(capacity.findtext(_q(NS, "AvailableCount")) or 0)
        baseline = int(capacity.findtext(_q(NS, "BaselineCount")) or available)
    except ValueError as exc:
        raise EdxlHaveError(f"{name}: a bed count is not a whole number.") from exc
    if available < 0 or baseline < 0:
        raise EdxlHaveError(f"{name}: a bed count is negative.")
    return available, max(baseline, available)


def _parse_time(text: str, name: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise EdxlHaveError(f"{name}: its LastUpdateTime {text!r} is not a date and time.") from exc
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
