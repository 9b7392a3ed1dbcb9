"""Element helpers for NEMSIS documents: values, not values, and times in the NEMSIS form.

Pure standard library (xml.etree). Tags are bare NEMSIS element names: the root declares the NEMSIS
namespace as the default one (ElementTree's ``default_namespace`` refuses the bare attributes NEMSIS
uses, such as NV and UUID). A not value is ``xsi:nil="true"`` with its ``NV`` code, as the XSD allows it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

NEMSIS_NS = "http://www.nemsis.org"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

NOT_APPLICABLE = "7701001"
"""NV: the element does not apply to this call (e.g. a destination when nobody was transported)."""
NOT_RECORDED = "7701003"
"""NV: it applies, but EMsync has no value for it (never recorded, or EMsync does not record it)."""


def add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


def add_nil(parent: ET.Element, tag: str, nv: str = NOT_RECORDED) -> ET.Element:
    return ET.SubElement(parent, tag, {f"{{{XSI_NS}}}nil": "true", "NV": nv})


def add_value(parent: ET.Element, tag: str, text: str | None, nv: str = NOT_RECORDED) -> ET.Element:
    """The value when known, else the not value ``nv``."""
    return add_nil(parent, tag, nv) if text is None else add(parent, tag, text)


def add_nils(parent: ET.Element, tags: str, nv: str = NOT_RECORDED) -> None:
    """Several not values in one go: ``tags`` separated by spaces, in the XSD's order."""
    for tag in tags.split():
        add_nil(parent, tag, nv)


def nemsis_time(moment: datetime | None) -> str | None:
    """'2026-12-04T07:42:00+00:00' (UTC, whole seconds, the offset NEMSIS requires); naive means UTC."""
    if moment is None:
        return None
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="seconds")


def whole(number: float | None) -> str | None:
    """A measured number as the integer NEMSIS types want (rounded half to even), or None."""
    return None if number is None else str(round(number))
