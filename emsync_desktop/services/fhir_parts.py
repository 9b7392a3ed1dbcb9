"""Small builders the FHIR handoff document is made of: code systems, codings, quantities, references,
narrative. Resources are dicts carrying their bundle ``fullUrl`` under ``_url`` until the bundle is made."""

from __future__ import annotations

import html
import uuid
from datetime import datetime
from typing import Any

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
SNOMED = "http://snomed.info/sct"
EMSYNC_CODES = "urn:emsync:codes"

VITAL_CATEGORY = [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                               "code": "vital-signs", "display": "Vital Signs"}]}]


def new_url() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def coded(system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}], "text": display}


def loinc(code: str, display: str) -> dict[str, Any]:
    return coded(LOINC, code, display)


def local(code: str, display: str) -> dict[str, Any]:
    """A code of ours, for what LOINC has no code for (NEWS2 as scored here, the model's output)."""
    return coded(EMSYNC_CODES, code, display)


def quantity(value: float, unit: str) -> dict[str, Any]:
    """A UCUM quantity: ``unit`` is the UCUM code (also shown)."""
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def ref(url: str) -> dict[str, str]:
    return {"reference": url}


def observation(url: str, patient: str, when: datetime, code: dict[str, Any], **value: Any) -> dict[str, Any]:
    return {"_url": url, "resourceType": "Observation", "status": "final", "code": code,
            "subject": ref(patient), "effectiveDateTime": when.isoformat(), **value}


def div(text: str) -> str:
    """Typed text as XHTML narrative: escaped (never markup), one line per line."""
    body = "<br/>".join(html.escape(line) for line in text.strip().splitlines())
    return f'<div xmlns="http://www.w3.org/1999/xhtml">{body}</div>'
