"""Validation of NEMSIS documents against the official NEMSIS 3.5.1 XSD shipped in resources/schemas.

lxml's parser is told never to touch the network; the schema's includes are local files. The schema
is loaded once per process (about a second) and shared: lxml's XMLSchema may validate from any thread.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from lxml import etree

from emsync_desktop.services.paths import RESOURCES_DIR

EMS_DATASET_XSD = RESOURCES_DIR / "schemas" / "nemsis-3.5" / "NEMSIS_XSDs" / "EMSDataSet_v3.xsd"
_NAMESPACE = re.compile(r"\{[^}]*\}")


@cache
def ems_dataset_schema(path: Path = EMS_DATASET_XSD) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(path), parser))


def ems_dataset_problems(document: bytes) -> list[str]:
    """Why ``document`` is not a valid NEMSIS 3.5.1 EMSDataSet, one sentence per problem (empty: valid)."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    try:
        root = etree.fromstring(document, parser)
    except etree.XMLSyntaxError as error:
        return [f"It is not well-formed XML: {error}."]
    schema = ems_dataset_schema()
    if schema.validate(root):
        return []
    return [_in_words(entry) for entry in schema.error_log]


def _in_words(entry: etree._LogEntry) -> str:
    """'Line 12, eVitals.06: '600' is not a valid value of the atomic type 'SBP'.'"""
    message = _NAMESPACE.sub("", entry.message)
    element = message.split("'")[1] if message.startswith("Element '") else ""
    where = f"Line {entry.line}" + (f", {element}" if element else "")
    return f"{where}: {message}"
