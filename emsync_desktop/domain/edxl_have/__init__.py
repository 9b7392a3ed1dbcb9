"""EDXL-HAVE capacity reports: build one from the network's capacity, read one from a neighbouring region.

``build(report, version)`` and ``parse(data)`` dispatch on the EDXL-HAVE version; each version is a mapping
module (``have_1_0``). EDXL-HAVE 2.0 (namespace ``urn:oasis:names:tc:emergency:edxl:have:2.0``) would be a
``have_2_0`` module added to ``_MAPPINGS``; its schema is not available offline, so it is not written yet.
Pure standard library: XSD validation is the caller's job (services, tests), on the same bytes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from types import ModuleType

from emsync_desktop.domain.edxl_have import have_1_0
from emsync_desktop.domain.edxl_have.report import (
    UNITS,
    CapacityReport,
    EdStatus,
    EdxlHaveError,
    HospitalStatus,
    Location,
    UnitBeds,
    ed_status_from_beds,
)

__all__ = ["UNITS", "CapacityReport", "EdStatus", "EdxlHaveError", "HospitalStatus", "Location", "UnitBeds",
           "build", "ed_status_from_beds", "parse", "version_of"]

_MAPPINGS: dict[str, ModuleType] = {"1.0": have_1_0}
_KNOWN_NOT_SUPPORTED = {"urn:oasis:names:tc:emergency:edxl:have:2.0": "2.0"}


def build(report: CapacityReport, version: str = "1.0") -> bytes:
    """The report as an EDXL-HAVE document of ``version`` (UTF-8 XML with a declaration)."""
    mapping = _MAPPINGS.get(version)
    if mapping is None:
        raise ValueError(f"EDXL-HAVE {version} is not supported (supported: {', '.join(_MAPPINGS)}).")
    root: ET.Element = mapping.build_root(report)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def version_of(namespace: str) -> str:
    """The supported EDXL-HAVE version a root element's namespace belongs to; EdxlHaveError otherwise."""
    for version, mapping in _MAPPINGS.items():
        if namespace == mapping.NS:
            return version
    if namespace.lower() in _KNOWN_NOT_SUPPORTED:
        found = _KNOWN_NOT_SUPPORTED[namespace.lower()]
        raise EdxlHaveError(f"This is an EDXL-HAVE {found} report; EMsync reads EDXL-HAVE 1.0 only. "
                            "Ask the sender for an EDXL-HAVE 1.0 export.")
    raise EdxlHaveError(f"This is not an EDXL-HAVE report (its XML namespace is {namespace or 'none'!r}). "
                        "Choose the region's EDXL-HAVE 1.0 capacity file.")


def parse(data: bytes) -> CapacityReport:
    """The report in ``data``. Call it on bytes already checked (size, no DTD, XSD) by the caller: this
    reads structure, not hostile input. Unknown bed types are refused with a sentence naming them."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise EdxlHaveError(f"The file is not well-formed XML ({exc}).") from exc
    namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    report: CapacityReport = _MAPPINGS[version_of(namespace)].parse_root(root)
    return report
