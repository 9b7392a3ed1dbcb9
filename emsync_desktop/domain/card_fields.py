"""Proposed fields from everything read off a card (issue 27): the machine-readable zone first (where its check
digit holds), then a barcode, then the printed text. Each proposal keeps its confidence and boxes; a failed check
digit, a failed Verhoeff check or an implausible date of birth flags the field for the person to confirm. Nothing
is accepted here: the case is written only when the person confirms."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from stdnum import verhoeff

from emsync_desktop.domain.card_codes import fields_from_code
from emsync_desktop.domain.card_reading import (
    CardField,
    CardReading,
    CodeRead,
    IdType,
    OcrLine,
    Proposal,
    Source,
    level,
    rows_of,
    turn_box,
)
from emsync_desktop.domain.card_text import (
    TextValue,
    date_of,
    insurer_row,
    labelled_values,
    person_name,
    sex_of,
    spaced,
    standalone,
)
from emsync_desktop.domain.mrz import Mrz, MrzFormat, MrzProblem, mrz_date, parse_mrz
from emsync_desktop.domain.mrz_ocr import ZoneRead, find_zone, looks_like_zone
from emsync_desktop.domain.patient import MAX_AGE_YEARS, age_on

TRUSTED_ZONE_CONFIDENCE = 0.85  # the recogniser's own score of the zone's worst line
_ZONE_TYPES = {"P": IdType.PASSPORT, "I": IdType.NATIONAL_ID, "A": IdType.NATIONAL_ID, "C": IdType.NATIONAL_ID,
               "V": IdType.VISA}
_HEADINGS = (("passport", IdType.PASSPORT), ("driving licen", IdType.DRIVING_LICENCE),
             ("identity card", IdType.NATIONAL_ID), ("id card", IdType.NATIONAL_ID), ("aadhaar", IdType.AADHAAR))


def read_card(lines: list[OcrLine], codes: list[CodeRead], *, today: date) -> CardReading:
    """The fields ``lines`` and ``codes`` propose, each flagged where a check or plausibility rule failed. Boxes are
    in the image's pixels, as given."""
    lines, angle = level(lines)
    found: dict[CardField, Proposal] = {p.field: p for p in _from_text(lines)}
    notes: list[str] = []
    for code in codes:
        read = fields_from_code(code)
        if read is None:
            notes.append(f"A {code.symbology} code holds data this reader does not know; nothing taken from it.")
            continue
        found.update({name: Proposal(name, value, 1.0, Source.CODE, (code.box,))
                      for name, value in read.values.items()})
    zone = find_zone(lines)
    mrz = _parse_zone(zone, notes) if zone else None
    if zone and mrz:
        _take_zone(found, zone, mrz, notes, today)
    elif any(looks_like_zone(line) for line in lines):
        _zone_unread(found, notes)
    proposals = tuple(_unturned(_checked(found[name], today), angle) for name in CardField
                      if name in found and found[name].value.strip())
    if not proposals:
        notes.append("No card fields found. Photograph the card so it fills the frame, flat and lit, and read it "
                     "again.")
    return CardReading(proposals, zone.text if zone else "", mrz.valid if mrz else None, tuple(notes))


def _parse_zone(zone: ZoneRead, notes: list[str]) -> Mrz | None:
    try:
        return parse_mrz(zone.text)
    except MrzProblem as problem:
        notes.append(f"The machine-readable zone could not be read: {problem}")
        return None


def _text(name: CardField, value: str, where: TextValue) -> Proposal:
    return Proposal(name, value, where.confidence, Source.TEXT, tuple(line.box for line in where.lines))


def _from_text(lines: list[OcrLine]) -> list[Proposal]:
    values = labelled_values(lines)
    out: list[Proposal] = []
    name = _name(values)
    if name:
        out.append(name)
    sex = values.get("sex") or standalone(lines, CardField.SEX)
    if sex and sex_of(sex.value):
        out.append(_text(CardField.SEX, str(sex_of(sex.value)), sex))
    born = values.get("date_of_birth")
    if born:
        parsed = date_of(born.value)
        proposal = _text(CardField.DATE_OF_BIRTH, parsed.isoformat() if parsed else born.value, born)
        out.append(proposal if parsed else _flag(proposal, "Not a date as read: type it as YYYY-MM-DD."))
    number = values.get("id_number") or standalone(lines, CardField.ID_NUMBER)
    if number:
        out.append(_text(CardField.ID_NUMBER, re.sub(r"\s", "", number.value).upper(), number))
    kind = _id_type(lines, number)
    if kind:
        out.append(kind)
    for key, field in (("address", CardField.ADDRESS), ("insurer", CardField.INSURER)):
        value = values.get(key) or (insurer_row(lines) if key == "insurer" else None)
        if value:
            out.append(_text(field, spaced(value.value), value))
    policy = values.get("policy_number")
    if policy:
        out.append(_text(CardField.POLICY_NUMBER, re.sub(r"\s", "", policy.value), policy))
    return out


def _name(values: dict[str, TextValue]) -> Proposal | None:
    if "name" in values:
        return _text(CardField.NAME, person_name(values["name"].value), values["name"])
    surname, given = values.get("surname"), values.get("given")
    if surname is None:
        return None
    both = TextValue(f"{given.value if given else ''} {surname.value}", (*(given.lines if given else ()),
                                                                          *surname.lines))
    return _text(CardField.NAME, person_name(both.value), both)


def _id_type(lines: list[OcrLine], number: TextValue | None) -> Proposal | None:
    for row in rows_of(lines):
        words = " ".join(x.text for x in row).casefold()
        for heading, kind in _HEADINGS:
            if heading in words or heading.replace(" ", "") in words:
                return _text(CardField.ID_TYPE, kind.value, TextValue(words, tuple(row)))
    digits = re.sub(r"\s", "", number.value) if number else ""
    if number and re.fullmatch(r"[2-9]\d{11}", digits) and verhoeff.is_valid(digits):
        return _text(CardField.ID_TYPE, IdType.AADHAAR.value, number)
    return None


def _take_zone(found: dict[CardField, Proposal], zone: ZoneRead, mrz: Mrz, notes: list[str], today: date) -> None:
    def put(name: CardField, value: str, ok: bool | None = None, check: str = "") -> None:
        proposal = Proposal(name, value, zone.confidence, Source.ZONE, zone.boxes,
                            verified="check digit" if ok else "")
        printed = found.get(name)
        if ok is False:
            if printed is not None and printed.source is not Source.ZONE:
                found[name] = _flag(printed, f"The zone's {check} check digit fails (zone reads {value}); compare "
                                             "with the card.")
                return
            proposal = _flag(proposal, f"The zone's {check} check digit fails: compare with the card.")
        elif printed is not None and printed.value.casefold() != value.casefold() and name is not CardField.ID_TYPE:
            notes.append(f"{name.label}: the print reads {printed.display!r}, the zone {value!r}; the zone's is used.")
        found[name] = proposal

    _take_unchecked(found, CardField.NAME, person_name(f"{mrz.given_names} {mrz.surname}"), zone, mrz, notes)
    if mrz.sex in "MF":
        _take_unchecked(found, CardField.SEX, "male" if mrz.sex == "M" else "female", zone, mrz, notes)
    born = mrz_date(mrz.birth_date.value, today=today, future=False)
    put(CardField.DATE_OF_BIRTH, born.isoformat() if born else mrz.birth_date.value, mrz.birth_date.ok and bool(born),
        "date of birth")
    number = mrz.document_number.value.replace("<", "")
    printed = found.get(CardField.ID_NUMBER)
    if zone.number_guessed and (printed is None or printed.value != number):
        # A look-alike reading that passes the check digit is a guess unless the print says the same.
        found[CardField.ID_NUMBER] = Proposal(
            CardField.ID_NUMBER, number, zone.confidence, Source.ZONE, zone.boxes,
            f"The zone read {zone.number_guessed.replace('<', '')}; only the look-alike reading {number} passes its "
            "check digit. Compare with the card.")
    else:
        put(CardField.ID_NUMBER, number, mrz.document_number.ok, "document number")
    kind = _ZONE_TYPES.get(mrz.document_type[:1])
    if kind is None and mrz.format is MrzFormat.TD1:
        kind = IdType.NATIONAL_ID  # only ID cards (I, A, C) use the TD1 size
    if kind is not None or CardField.ID_TYPE not in found:
        put(CardField.ID_TYPE, (kind or IdType.OTHER).value)
    expiry = mrz_date(mrz.expiry_date.value, today=today, future=True)
    if expiry and expiry < today:
        notes.append(f"The document expired on {expiry.isoformat()}.")
    notes.extend(f"Zone: {c}" for c in (*zone.corrections, *mrz.corrections))


def _zone_unread(found: dict[CardField, Proposal], notes: list[str]) -> None:
    """The card has a zone the reader could not read whole: nothing was checked by its check digits, so the printed
    ID number (O or 0? I or 1?) is left for the person to confirm."""
    notes.append("The card's machine-readable zone could not be read whole: no check digit was checked. Compare the "
                 "fields with the card, or photograph it again, flat and without glare.")
    number = found.get(CardField.ID_NUMBER)
    if number is not None and number.source is Source.TEXT and not number.flag:
        found[CardField.ID_NUMBER] = replace(number, flag="Not checked: the zone could not be read. Compare with "
                                                          "the card (O or 0? I or 1?).")


def _take_unchecked(found: dict[CardField, Proposal], name: CardField, value: str, zone: ZoneRead, mrz: Mrz,
                    notes: list[str]) -> None:
    """A zone field no check digit covers (names, sex): the print's value stands; the zone's is used alone only
    from a zone whose checks all hold, read with confidence; any disagreement is flagged for the person."""
    printed = found.get(name)
    if not value:
        return
    if printed is None:
        trusted = mrz.valid and zone.confidence >= TRUSTED_ZONE_CONFIDENCE
        found[name] = Proposal(name, value, zone.confidence, Source.ZONE, zone.boxes,
                               None if trusted else f"Read from the zone only, which has no check digit for the "
                               f"{name.label.lower()}: compare with the card.")
    elif _words(printed.value) != _words(value):
        found[name] = replace(printed, flag=f"The print reads {printed.display}, the zone {value}: check the "
                                            f"{name.label.lower()} on the card.")
        notes.append(f"{name.label}: the print reads {printed.display!r}, the zone {value!r}.")


def _words(name: str) -> list[str]:
    return sorted(re.sub(r"[^\w]", " ", name.casefold()).split())


def _unturned(proposal: Proposal, angle: float) -> Proposal:
    if proposal.source is Source.CODE:
        return proposal
    return replace(proposal, boxes=tuple(turn_box(box, angle) for box in proposal.boxes))


def _flag(proposal: Proposal, flag: str) -> Proposal:
    return replace(proposal, flag=flag)


def _checked(proposal: Proposal, today: date) -> Proposal:
    """Plausibility: a date of birth in the past and within a lifespan; an Aadhaar number with its Verhoeff digit."""
    if proposal.flag:
        return proposal
    if proposal.field is CardField.DATE_OF_BIRTH:
        born = date_of(proposal.value)
        if born and born > today:
            return _flag(proposal, "In the future: check the year.")
        if born and age_on(born, today) > MAX_AGE_YEARS:
            return _flag(proposal, f"Gives an age over {MAX_AGE_YEARS}: check the year.")
    if proposal.field is CardField.ID_NUMBER and re.fullmatch(r"\d{12}", proposal.value):
        if not verhoeff.is_valid(proposal.value):
            return _flag(proposal, "Fails the Aadhaar check digit (Verhoeff): read it again from the card.")
        return replace(proposal, verified="Verhoeff check digit")
    return proposal
