"""Checks an EDXL-HAVE document before anything reads it: size, well-formed XML with a safe parser, no
DTD, a supported version, and the official XSD (``resources/schemas/edxl-have-1.0/have.xsd``).

Every refusal is an ``EdxlHaveError`` whose message says what is wrong and what to do. Pure functions,
any thread; the compiled schema is cached for the process (about 0.1 s to load once).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

from emsync_desktop.domain.edxl_have import EdxlHaveError, version_of
from emsync_desktop.domain.edxl_have.have_1_0 import BED_TYPES, NS
from emsync_desktop.services.paths import RESOURCES_DIR

MAX_REPORT_BYTES = 5 * 1024 * 1024  # a region of a few hundred hospitals is far below 1 MB
SCHEMA_PATH = RESOURCES_DIR / "schemas" / "edxl-have-1.0" / "have.xsd"


@cache
def _schema() -> Any:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH), parser=_safe_parser()))


def _safe_parser() -> Any:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)


def schema_errors(data: bytes) -> list[str]:
    """The XSD's complaints about ``data`` (already well-formed), each with its line; empty when valid."""
    document = etree.fromstring(data, parser=_safe_parser())
    schema = _schema()
    if schema.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def read_checked(path: Path) -> bytes:
    """The bytes of the report at ``path``, once they pass every check; refused before reading if too big."""
    try:
        size = path.stat().st_size
        if size > MAX_REPORT_BYTES:
            raise EdxlHaveError(f"The file is {size / 1e6:.1f} MB; a capacity report is at most "
                                f"{MAX_REPORT_BYTES // (1024 * 1024)} MB. Check that this is the region's report.")
        with path.open("rb") as handle:
            data = handle.read(MAX_REPORT_BYTES + 1)
    except OSError as exc:
        raise EdxlHaveError(f"The file could not be read ({exc.strerror or exc}).") from exc
    if len(data) > MAX_REPORT_BYTES:  # grew while we looked
        raise EdxlHaveError("The file is larger than a capacity report can be. Check that this is the region's report.")
    check(data)
    return data


def check(data: bytes) -> None:
    """Refuses ``data`` unless it is an EDXL-HAVE 1.0 document valid against the official schema."""
    try:
        document = etree.fromstring(data, parser=_safe_parser())
    except etree.XMLSyntaxError as exc:
        raise EdxlHaveError(f"The file is not XML ({exc.msg}). Choose the region's EDXL-HAVE report "
                            "(an .xml file).") from exc
    if document.getroottree().docinfo.doctype:
        raise EdxlHaveError("The file declares a DTD, which an EDXL-HAVE report never does; it was not read.")
    version_of(etree.QName(document).namespace or "")
    errors = schema_errors(data)
    if errors:
        unknown = sorted({str(t.text).strip() for t in document.iter(f"{{{NS}}}BedType")} - set(BED_TYPES))
        if unknown:
            raise EdxlHaveError(f"The report lists bed types that EDXL-HAVE 1.0 does not define: {', '.join(unknown)}. "
                                "Nothing was imported; ask the sender for a standard EDXL-HAVE 1.0 report.")
        shown = errors[0].replace(f"{{{NS}}}", "") + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else "")
        raise EdxlHaveError(f"The report does not follow the EDXL-HAVE 1.0 schema: {shown}. "
                            "Nothing was imported; ask the sender to check their export.")
