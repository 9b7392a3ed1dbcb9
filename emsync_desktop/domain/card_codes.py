"""Fields from the codes printed on cards (issue 27): the XML QR code of Indian Aadhaar letters and cards
(``PrintLetterBarcodeData``) and the PDF417 of North American driving licences (AAMVA DL/ID card design standard,
data elements DCS, DAC, DBB, DBC, DAQ...). A code that is neither gives nothing: its text is shown, not guessed at."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

from emsync_desktop.domain.card_reading import CardField, CodeRead, IdType
from emsync_desktop.domain.card_text import calendar_date, date_of

_MAX_XML = 8192


@dataclass(frozen=True)
class CodeFields:
    values: dict[CardField, str]
    code: CodeRead
    kind: str  # what the code was, in words


def fields_from_code(code: CodeRead) -> CodeFields | None:
    text = code.text.strip()
    if "PrintLetterBarcodeData" in text[:200]:
        return _aadhaar_xml(code)
    if (text.startswith("@") and "ANSI " in text[:40]) or "AAMVA" in text[:40]:
        return _aamva(code)
    return None


def _aadhaar_xml(code: CodeRead) -> CodeFields | None:
    if len(code.text) > _MAX_XML:
        return None
    try:
        root = ElementTree.fromstring(code.text.strip().encode())
    except ElementTree.ParseError:
        return None
    a = root.attrib
    values: dict[CardField, str] = {CardField.ID_TYPE: IdType.AADHAAR.value}
    if a.get("uid"):
        values[CardField.ID_NUMBER] = re.sub(r"\s", "", a["uid"])
    if a.get("name"):
        values[CardField.NAME] = " ".join(a["name"].split())
    sex = {"M": "male", "F": "female", "T": "other"}.get(a.get("gender", "").upper()[:1])
    if sex:
        values[CardField.SEX] = sex
    born = date_of(a.get("dob", ""))
    if born:
        values[CardField.DATE_OF_BIRTH] = born.isoformat()
    address = ", ".join(x for x in (a.get("house"), a.get("street"), a.get("lm"), a.get("loc")) if x)
    place = " ".join(x for x in (a.get("vtc"), a.get("pc")) if x)
    if address or place:
        values[CardField.ADDRESS] = ", ".join(x for x in (address, place) if x)
    return CodeFields(values, code, "Aadhaar QR code")


def _aamva(code: CodeRead) -> CodeFields:
    lines = re.split(r"[\r\n\x1e]+", code.text)
    # The first element follows the header's subfile designator on its line ("...DLDAQD1234562").
    lines = [m[1] if (m := re.search(r"(?:DL|ID)(D[A-Z]{2}.*)$", x)) and not x.startswith("D") else x for x in lines]
    elements = {line[:3]: line[3:].strip() for line in lines if len(line) > 3}
    values: dict[CardField, str] = {CardField.ID_TYPE: IdType.DRIVING_LICENCE.value}
    given = " ".join(x for x in (elements.get("DAC"), elements.get("DAD")) if x and x.upper() != "NONE")
    family = elements.get("DCS", "")
    if given or family:
        values[CardField.NAME] = " ".join(w.capitalize() for w in f"{given} {family}".split())
    if elements.get("DAQ"):
        values[CardField.ID_NUMBER] = elements["DAQ"]
    sex = {"1": "male", "2": "female", "9": "other"}.get(elements.get("DBC", "")[:1])
    if sex:
        values[CardField.SEX] = sex
    born = elements.get("DBB", "")
    if re.fullmatch(r"\d{8}", born):  # MMDDCCYY in the US, CCYYMMDD in Canada
        us = calendar_date(int(born[4:]), int(born[:2]), int(born[2:4]))
        parsed = us or calendar_date(int(born[:4]), int(born[4:6]), int(born[6:]))
        if parsed:
            values[CardField.DATE_OF_BIRTH] = parsed.isoformat()
    street = ", ".join(x for x in (elements.get("DAG"), elements.get("DAI"), elements.get("DAJ")) if x)
    if street:
        values[CardField.ADDRESS] = " ".join(x for x in (street, elements.get("DAK", "")[:5]) if x)
    return CodeFields(values, code, "driving licence PDF417")
