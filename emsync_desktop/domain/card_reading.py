"""What an ID or insurance card reader sees and proposes (issue 27). Pure value types: the OCR's lines and the
barcodes in image pixels in, proposed fields out, each with its confidence, the boxes it came from and, when a
check or a plausibility rule failed, a flag a person must look at. Nothing here stores anything."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

Point = tuple[float, float]
Box = tuple[Point, ...]  # the corners of a text line or code, clockwise from top left, in image pixels


class CardField(StrEnum):
    NAME = "name"
    SEX = "sex"
    DATE_OF_BIRTH = "date_of_birth"
    ID_NUMBER = "id_number"
    ID_TYPE = "id_type"
    ADDRESS = "address"
    INSURER = "insurer"
    POLICY_NUMBER = "policy_number"

    @property
    def label(self) -> str:
        return _FIELD_LABELS[self]


_FIELD_LABELS = {CardField.NAME: "Name", CardField.SEX: "Sex", CardField.DATE_OF_BIRTH: "Date of birth",
                 CardField.ID_NUMBER: "ID number", CardField.ID_TYPE: "ID type", CardField.ADDRESS: "Address",
                 CardField.INSURER: "Insurer", CardField.POLICY_NUMBER: "Policy number"}


class IdType(StrEnum):
    PASSPORT = "passport"
    NATIONAL_ID = "national_id"
    AADHAAR = "aadhaar"
    DRIVING_LICENCE = "driving_licence"
    VISA = "visa"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _ID_LABELS[self]


_ID_LABELS = {IdType.PASSPORT: "Passport", IdType.NATIONAL_ID: "National ID card", IdType.AADHAAR: "Aadhaar",
              IdType.DRIVING_LICENCE: "Driving licence", IdType.VISA: "Visa", IdType.OTHER: "Other ID"}


class Source(StrEnum):
    ZONE = "machine-readable zone"
    CODE = "barcode"
    TEXT = "printed text"


@dataclass(frozen=True)
class OcrLine:
    text: str
    confidence: float  # 0-1, the recogniser's
    box: Box

    @property
    def top(self) -> float:
        return min(y for _, y in self.box)

    @property
    def bottom(self) -> float:
        return max(y for _, y in self.box)

    @property
    def left(self) -> float:
        return min(x for x, _ in self.box)

    @property
    def right(self) -> float:
        return max(x for x, _ in self.box)

    @property
    def height(self) -> float:
        return self.bottom - self.top


def rows_of(lines: list[OcrLine]) -> list[list[OcrLine]]:
    """Lines grouped into rows, top to bottom, each left to right: pieces on one baseline with at most a gap of a
    line's height or two between them (a zone line the OCR split in pieces; "National Insurance" and "Co"). Lines
    side by side in different columns stay apart. Expects level lines (``level``)."""
    rows: list[list[OcrLine]] = []
    for line in sorted(lines, key=lambda x: (x.left, x.top)):
        middle = (line.top + line.bottom) / 2
        for row in rows:
            last = row[-1]
            if (abs(middle - (last.top + last.bottom) / 2) < 0.5 * max(line.height, last.height)
                    and -0.5 * line.height < line.left - last.right < 2 * max(line.height, last.height)):
                row.append(line)
                break
        else:
            rows.append([line])
    return sorted(rows, key=lambda row: (row[0].top, row[0].left))


def text_angle(lines: list[OcrLine]) -> float:
    """The card's turn in radians: the median slope of the lines' top edges (of lines clearly wider than tall)."""
    slopes = sorted(math.atan2(line.box[1][1] - line.box[0][1], line.box[1][0] - line.box[0][0])
                    for line in lines if len(line.box) == 4 and line.right - line.left > 2 * line.height)
    return slopes[len(slopes) // 2] if slopes else 0.0


def turn_box(box: Box, angle: float) -> Box:
    """``box`` turned by ``angle`` radians about the image's origin."""
    cos, sin = math.cos(angle), math.sin(angle)
    return tuple((x * cos - y * sin, x * sin + y * cos) for x, y in box)


def level(lines: list[OcrLine]) -> tuple[list[OcrLine], float]:
    """The lines turned so their text runs level (for layout: rows, what is below what), and the angle undone. Turn
    a level box back with ``turn_box(box, angle)``."""
    angle = text_angle(lines)
    return [OcrLine(x.text, x.confidence, turn_box(x.box, -angle)) for x in lines], angle


@dataclass(frozen=True)
class CodeRead:
    """A barcode or QR code: its decoded text, its symbology (e.g. "QRCode", "PDF417") and where it was."""

    text: str
    symbology: str
    box: Box


@dataclass(frozen=True)
class Proposal:
    """One field as read. ``flag`` set: a check failed or the value is implausible; the person must confirm it."""

    field: CardField
    value: str
    confidence: float
    source: Source
    boxes: tuple[Box, ...] = ()
    flag: str | None = None
    verified: str = ""  # the check that held, e.g. "check digit"

    @property
    def display(self) -> str:
        if self.field is CardField.ID_TYPE:
            return IdType(self.value).label
        return self.value


@dataclass(frozen=True)
class CardReading:
    proposals: tuple[Proposal, ...]
    zone_text: str = ""  # the machine-readable zone as repaired, "" when the card has none
    zone_valid: bool | None = None  # every check digit held (None: no zone)
    notes: tuple[str, ...] = field(default_factory=tuple)  # what was corrected or could not be read

    def get(self, name: CardField) -> Proposal | None:
        return next((p for p in self.proposals if p.field is name), None)

    @property
    def flagged(self) -> list[Proposal]:
        return [p for p in self.proposals if p.flag]
