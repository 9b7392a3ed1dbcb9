"""Machine-readable zones of travel documents, ICAO Doc 9303 (issue 27, first part): TD1 (ID cards, 3 lines of 30),
TD2 (2 of 36) and TD3 (passports, 2 of 44); every check digit verified (7-3-1 weights, part 3 section 4.9), each
field with whether its check held. Pure: text in, fields out; OCR's usual confusions in digit fields (O for 0, I for
1...) are corrected only where the format allows digits, and said so."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

_WEIGHTS = (7, 3, 1)
_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "B": "8",
                                   "G": "6"})
_LINE = re.compile(r"^[A-Z0-9<]+$")


class MrzFormat(StrEnum):
    TD1 = "TD1"
    TD2 = "TD2"
    TD3 = "TD3"


_SHAPES = {MrzFormat.TD1: (3, 30), MrzFormat.TD2: (2, 36), MrzFormat.TD3: (2, 44)}


def char_value(char: str) -> int:
    """0-9 for digits, 10-35 for A-Z, 0 for the filler ``<``. Raises ValueError for anything else."""
    if char.isdigit():
        return int(char)
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    if char == "<":
        return 0
    raise ValueError(f"{char!r} cannot be in a machine-readable zone")


def check_digit(text: str) -> str:
    """The ICAO 9303 check digit of ``text``: the sum of its characters' values weighted 7, 3, 1, ... modulo 10."""
    return str(sum(char_value(c) * _WEIGHTS[i % 3] for i, c in enumerate(text)) % 10)


@dataclass(frozen=True)
class Checked:
    """A field with its check digit: ``ok`` whether the digit matches (None: the format gives it none)."""

    value: str
    ok: bool | None


@dataclass(frozen=True)
class Mrz:
    format: MrzFormat
    document_type: str  # "P", "I", "ID", "AC"...
    issuing_state: str  # ICAO three-letter code, e.g. "IND", "D<<" for Germany
    surname: str
    given_names: str
    document_number: Checked
    nationality: str
    birth_date: Checked  # YYMMDD as printed
    sex: str  # "F", "M" or "<" (unspecified)
    expiry_date: Checked
    optional: str
    composite: Checked
    corrections: tuple[str, ...] = field(default_factory=tuple)  # what was read as a look-alike and corrected

    @property
    def valid(self) -> bool:
        """Every check digit holds."""
        return all(c.ok is not False for c in (self.document_number, self.birth_date, self.expiry_date,
                                               self.composite))

    def failed_checks(self) -> list[str]:
        names = {"document number": self.document_number, "date of birth": self.birth_date,
                 "expiry date": self.expiry_date, "whole zone (composite)": self.composite}
        return [name for name, checked in names.items() if checked.ok is False]


class MrzProblem(ValueError):
    """Not a machine-readable zone of a known format; the text says why."""


def find_format(lines: list[str]) -> MrzFormat:
    for fmt, (count, width) in _SHAPES.items():
        if len(lines) == count and all(len(line) == width for line in lines):
            return fmt
    shape = " and ".join(str(len(line)) for line in lines)
    raise MrzProblem(f"{len(lines)} lines of {shape} characters: a zone is 3 lines of 30 (ID card), 2 of 36 or 2 of "
                     "44 (passport).")


def parse_mrz(text: str) -> Mrz:
    """The zone in ``text`` (its lines; spaces removed, letters upper-cased). Raises MrzProblem."""
    lines = [re.sub(r"\s", "", line).upper() for line in text.strip().splitlines() if line.strip()]
    fmt = find_format(lines)
    for line in lines:
        if not _LINE.match(line):
            raise MrzProblem("A zone holds only A-Z, 0-9 and <: " + ", ".join(sorted(set(re.sub(r"[A-Z0-9<]", "",
                                                                                                   line)))))
    return _TD1(lines) if fmt is MrzFormat.TD1 else _TD2_3(lines, fmt)


class _Reader:
    """Corrects look-alikes in the positions that hold only digits, keeping a record of each correction."""

    def __init__(self) -> None:
        self.corrections: list[str] = []

    def fix(self, line: str, spans: list[tuple[int, int, str]]) -> str:
        for start, end, name in spans:
            raw = line[start:end]
            fixed = raw.translate(_DIGIT_LOOKALIKES)
            if fixed != raw:
                self.corrections.append(f"{name}: read {raw!r} as {fixed!r}")
                line = line[:start] + fixed + line[end:]
        return line


def _checked(value: str, digit: str) -> Checked:
    if digit == "<" and not value.strip("<"):
        return Checked(value, None)  # an empty optional field may carry no check digit
    return Checked(value, check_digit(value) == digit)


def _names(field_text: str) -> tuple[str, str]:
    surname, _, given = field_text.partition("<<")
    return surname.replace("<", " ").strip(), given.replace("<", " ").strip()


def _TD1(lines: list[str]) -> Mrz:
    r = _Reader()
    one = r.fix(lines[0], [(14, 15, "document number check digit")])
    two = r.fix(lines[1], [(0, 7, "date of birth"), (8, 15, "expiry date"), (29, 30, "composite check digit")])
    three = lines[2]
    number = _checked(one[5:14], one[14])
    if one[14] == "<" and one[15:30].strip("<"):  # a long number continues in the optional field (part 5, 4.2.4)
        rest = one[15:30].rstrip("<")
        number = Checked(one[5:14] + rest[:-1], check_digit(one[5:14] + rest[:-1]) == rest[-1])
    composite = _checked(one[5:30] + two[0:7] + two[8:15] + two[18:29], two[29])
    surname, given = _names(three)
    return Mrz(MrzFormat.TD1, one[0:2].rstrip("<"), one[2:5], surname, given, number, two[15:18],
               _checked(two[0:6], two[6]), two[7], _checked(two[8:14], two[14]),
               one[15:30].rstrip("<") + two[18:29].rstrip("<"), composite, tuple(r.corrections))


def _TD2_3(lines: list[str], fmt: MrzFormat) -> Mrz:
    r = _Reader()
    one = lines[0]
    last = 43 if fmt is MrzFormat.TD3 else 35
    spans = [(9, 10, "document number check digit"), (13, 20, "date of birth"), (21, 28, "expiry date"),
             (last, last + 1, "composite check digit")]
    two = r.fix(lines[1], spans + ([(42, 43, "personal number check digit")] if fmt is MrzFormat.TD3 else []))
    surname, given = _names(one[5:])
    optional = two[28:42] if fmt is MrzFormat.TD3 else two[28:35]
    composite = _checked(two[0:10] + two[13:20] + two[21:last], two[last])
    return Mrz(fmt, one[0:2].rstrip("<"), one[2:5], surname, given, _checked(two[0:9], two[9]), two[10:13],
               _checked(two[13:19], two[19]), two[20], _checked(two[21:27], two[27]), optional.rstrip("<"),
               composite, tuple(r.corrections))


def mrz_date(yymmdd: str, *, today: date, future: bool) -> date | None:
    """A zone's YYMMDD as a date: a birth date is in the past (the century that makes it so), an expiry date within
    the next 50 years. None when it is not a date."""
    if not (len(yymmdd) == 6 and yymmdd.isdigit()):
        return None
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    century = today.year // 100 * 100
    year = century + yy
    if future:
        year = year if year >= today.year - 50 else year + 100
    elif year > today.year:
        year -= 100
    try:
        found = date(year, mm, dd)
    except ValueError:
        return None
    if not future and found > today:
        return date(year - 100, mm, dd)
    return found
