"""Fields from a card's printed text (issue 27): a label ("Name", "DOB", "Policy No"...) followed by its value on
the same line or on the line below, as cards print them. OCR drops spaces ("DateofBirth") and colons, so labels are
matched without either. Values are put in the form the case stores: dates ISO, sex as a word, names in title case,
numbers without spaces. Pure: lines in, values with the lines they came from out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from emsync_desktop.domain.card_reading import CardField, OcrLine, rows_of

_LABELS: dict[str, tuple[str, ...]] = {
    "name": ("fullname", "membername", "insuredname", "nameofholder", "patientname", "name"),
    "surname": ("surname", "sumame", "familyname", "lastname"),
    "given": ("givennames", "givenname", "firstname", "forenames", "forename"),
    "sex": ("sexgender", "gender", "sex"),
    "date_of_birth": ("dateofbirth", "birthdate", "dob"),
    "id_number": ("documentnumber", "documentno", "passportnumber", "passportno", "licencenumber", "licenceno",
                  "licenseno", "cardnumber", "cardno", "idnumber", "idno"),
    "address": ("address", "addr"),
    "insurer": ("insurancecompany", "insurer", "payer"),
    "policy_number": ("policynumber", "policyno", "membershipno", "memberid", "policyid", "policy"),
    "other": ("nationality", "expiry", "dateofexpiry", "validupto", "issued", "placeofbirth", "bloodgroup",
              "helpline", "validity"),
}
_KEYS = sorted(((key, kind) for kind, keys in _LABELS.items() for key in keys), key=lambda item: -len(item[0]))
_MONTHS = {m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                           "nov", "dec"))}
_INSURER_WORDS = ("insurance", "assurance", "bupa", "mediclaim", "health")


@dataclass(frozen=True)
class TextValue:
    value: str
    lines: tuple[OcrLine, ...]

    @property
    def confidence(self) -> float:
        return min(line.confidence for line in self.lines)


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.casefold())


def split_label(text: str) -> tuple[str, str] | None:
    """(label kind, the value after it) when ``text`` starts with a known label; None otherwise."""
    compact = _key(text)
    for key, kind in _KEYS:
        if compact.startswith(key):
            return kind, _after(text, len(key)).lstrip(" :.-/|")
    return None


def _after(text: str, letters: int) -> str:
    """``text`` after its first ``letters`` letters and digits."""
    seen = 0
    for i, char in enumerate(text):
        if seen == letters:
            return text[i:]
        if char.isalnum():
            seen += 1
    return ""


def labelled_values(lines: list[OcrLine]) -> dict[str, TextValue]:
    """Each label's value: what follows it on its row, else the row below it."""
    rows = [_join(row) for row in rows_of(lines)]
    found: dict[str, TextValue] = {}
    for row in rows:
        label = split_label(row.value)
        if label is None or label[0] in found:
            continue
        kind, rest = label
        value = TextValue(rest.strip(), row.lines) if rest.strip() else _value_below(row, rows)
        if value is not None:
            found[kind] = _address(value, rows) if kind == "address" else value
    return found


def _value_below(label: TextValue, rows: list[TextValue]) -> TextValue | None:
    below = [row for row in rows if row is not label and _below(label, row)]
    if not below:
        return None
    nearest = min(below, key=lambda row: row.lines[0].top)
    return nearest if split_label(nearest.value) is None else None


def _join(row: list[OcrLine]) -> TextValue:
    return TextValue(" ".join(line.text.strip() for line in row), tuple(row))


def _below(label: TextValue, row: TextValue) -> bool:
    height = max(line.height for line in label.lines)
    top = min(line.top for line in label.lines)
    gap = row.lines[0].top - max(line.bottom for line in label.lines)
    return (row.lines[0].top > top + 0.4 * height and gap < 1.5 * height
            and abs(row.lines[0].left - label.lines[0].left) < 3 * height)


def _address(first: TextValue, rows: list[TextValue]) -> TextValue:
    """The address and up to three rows under it (until a row with a label of its own)."""
    parts, lines = [first.value], list(first.lines)
    for _ in range(3):
        last = TextValue("", (lines[-1],))
        below = [row for row in rows if row.lines[0] not in lines and _below(last, row)]
        if not below:
            break
        row = min(below, key=lambda r: r.lines[0].top)
        if split_label(row.value) is not None:
            break
        parts.append(row.value)
        lines.extend(row.lines)
    text = ""
    for part in parts:
        text = part if not text else text + (" " if text.endswith(",") else ", ") + part
    return TextValue(text, tuple(lines))


def spaced(text: str) -> str:
    """Spaces OCR dropped put back where print always has them: after a comma, between letters and digits, before a
    capital that starts a word."""
    text = re.sub(r",(?=\S)", ", ", text)
    text = re.sub(r"(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z]{2})", " ", text)
    text = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def person_name(text: str) -> str:
    """A name as the case keeps it: single spaces, title case when printed in capitals."""
    words = re.sub(r"[^\w\s'.-]", " ", text).split()
    titled = [w.capitalize() if w.isupper() or (w.islower() and not w.startswith("l")) else w for w in words]
    # A name in title case never starts a word with a small l: that was a capital I (the same stroke in sans fonts).
    return " ".join("I" + w[1:] if w.startswith("l") and w[1:].islower() else w for w in titled)


def sex_of(text: str) -> str | None:
    word = _key(text.split("/")[0])
    return {"m": "male", "male": "male", "f": "female", "female": "female", "t": "other", "x": "other",
            "transgender": "other", "other": "other"}.get(word)


def date_of(text: str) -> date | None:
    """A printed date: 21/03/1984, 21.03.1984, 21-03-1984, 1984-03-21, 21 Mar 1984 (an OCR's 0ct read as Oct)."""
    raw = text.strip()
    numeric = re.search(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})", raw)
    if numeric:
        return calendar_date(int(numeric[3]), int(numeric[2]), int(numeric[1]))
    iso = re.search(r"(\d{4})-(\d{2})-(\d{2})", raw)
    if iso:
        return calendar_date(int(iso[1]), int(iso[2]), int(iso[3]))
    worded = re.search(r"(\d{1,2})\s*([A-Za-z0]{3})[A-Za-z]*\.?\s*(\d{4})", raw)
    if worded:
        month = _MONTHS.get(worded[2].replace("0", "o").casefold())
        return calendar_date(int(worded[3]), month, int(worded[1])) if month else None
    return None


def calendar_date(year: int, month: int, day: int) -> date | None:
    """The date, or None when there is no such day."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def insurer_row(lines: list[OcrLine]) -> TextValue | None:
    """The topmost row naming an insurer (an insurance card prints its insurer as its heading)."""
    for row in (_join(r) for r in rows_of(lines)):
        words = row.value.casefold()
        if any(w in words for w in _INSURER_WORDS) and "card" not in words and split_label(row.value) is None:
            return TextValue(spaced(row.value), row.lines)
    return None


def standalone(lines: list[OcrLine], field: CardField) -> TextValue | None:
    """A value printed without a label: the sex word of an Indian card, a 12-digit number printed in groups."""
    for line in lines:
        text = line.text.strip()
        if field is CardField.SEX and sex_of(text) and len(_key(text)) > 1:
            return TextValue(text, (line,))
        if field is CardField.ID_NUMBER and re.fullmatch(r"\d{4}\s?\d{4}\s?\d{4}", text):
            return TextValue(re.sub(r"\s", "", text), (line,))
    return None
