"""Finding a machine-readable zone among OCR lines and repairing what OCR does to it (issue 27).

OCR of a zone drops or adds fillers (``<``), splits a line where the fillers run long, and confuses letters with
digits (O/0, I/1, S/5...). The zone's layout says which positions hold letters and which digits (ICAO 9303 parts
4-6), so each position is read as its kind; a document number, which may hold both, is tried with its look-alikes
and kept only when exactly one reading satisfies its check digit. Every change is recorded; a zone that still fails a
check is flagged, never forced to pass."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from emsync_desktop.domain.card_reading import Box, OcrLine, rows_of
from emsync_desktop.domain.mrz import MrzFormat, check_digit

_FILLER_LOOKALIKES = str.maketrans({"«": "<<", "‹": "<", "く": "<", "〈": "<", "＜": "<", "(": "<", "{": "<"})
_LETTER_FOR_DIGIT = str.maketrans({"0": "O", "1": "I", "2": "Z", "5": "S", "8": "B", "6": "G"})
_DIGIT_FOR_LETTER = str.maketrans({"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "B": "8",
                                   "G": "6"})
_SEX_LOOKALIKES = {"H": "M", "N": "M", "E": "F", "P": "F", "K": "<"}
_CONFUSABLE = {"0": "O", "O": "0", "1": "I", "I": "1", "2": "Z", "Z": "2", "5": "S", "S": "5", "8": "B", "B": "8",
               "6": "G", "G": "6"}
_WIDTH = {MrzFormat.TD1: 30, MrzFormat.TD2: 36, MrzFormat.TD3: 44}

# Per line, the kind of each position: A letters (and <), N digits, X either, S sex. From ICAO 9303 parts 4-6.
_LAYOUT = {
    MrzFormat.TD1: ("AAAAA" + "X" * 9 + "N" + "X" * 15, "N" * 7 + "S" + "N" * 7 + "AAA" + "X" * 11 + "N", "A" * 30),
    MrzFormat.TD2: ("A" * 36, "X" * 9 + "N" + "AAA" + "N" * 7 + "S" + "N" * 7 + "X" * 7 + "N"),
    MrzFormat.TD3: ("A" * 44, "X" * 9 + "N" + "AAA" + "N" * 7 + "S" + "N" * 7 + "X" * 14 + "NN"),
}


@dataclass(frozen=True)
class ZoneRead:
    format: MrzFormat
    text: str  # the repaired lines, joined by newlines
    confidence: float  # the lowest of its lines' OCR confidences
    boxes: tuple[Box, ...]
    corrections: tuple[str, ...]
    number_guessed: str = ""  # the document number as read, when a look-alike reading was put in its place


def clean(text: str) -> str:
    """Upper case, no spaces, filler look-alikes as ``<``."""
    return re.sub(r"\s", "", text).translate(_FILLER_LOOKALIKES).upper()


def looks_like_zone(line: OcrLine) -> bool:
    text = clean(line.text)
    strange = len(re.sub(r"[A-Z0-9<]", "", text))
    if strange > 1 or len(text) < 10:
        return False
    return "<<" in text or (len(text) >= 26 and not any(c.islower() for c in line.text))


def find_zone(lines: list[OcrLine]) -> ZoneRead | None:
    """The zone among ``lines``: the longest run (2 or 3) of consecutive zone-like rows. None when there is none."""
    rows = rows_of([x for x in lines if looks_like_zone(x)])
    if len(rows) < 2:
        return None
    rows = _consecutive(rows)[-3:]
    texts = ["".join(clean(x.text) for x in row) for row in rows]
    fmt = _format_of(texts)
    if fmt is None:
        return None
    texts = texts[-len(_LAYOUT[fmt]):]
    rows = rows[-len(_LAYOUT[fmt]):]
    corrections: list[str] = []
    texts = [_readable(text, i + 1, corrections) for i, text in enumerate(texts)]
    fixed = [_fit(text, _WIDTH[fmt], i + 1, corrections) for i, text in enumerate(texts)]
    fixed = [_by_kind(text, kinds, i + 1, corrections)
             for i, (text, kinds) in enumerate(zip(fixed, _LAYOUT[fmt], strict=True))]
    names_at = (2, 0) if fmt is MrzFormat.TD1 else (0, 5)
    fixed[names_at[0]] = _stray_fillers(fixed[names_at[0]], names_at[1], names_at[0] + 1, corrections)
    before = fixed
    fixed = _document_number(fixed, fmt, corrections)
    confidence = min(x.confidence for row in rows for x in row)
    guessed = _number(before, fmt) if fixed != before else ""
    return ZoneRead(fmt, "\n".join(fixed), confidence, tuple(x.box for row in rows for x in row), tuple(corrections),
                    guessed)


def _number(lines: list[str], fmt: MrzFormat) -> str:
    return lines[0][5:14] if fmt is MrzFormat.TD1 else lines[1][0:9]


def _consecutive(rows: list[list[OcrLine]]) -> list[list[OcrLine]]:
    """The last run of rows that follow one another without a gap of more than two line heights."""
    run = [rows[0]]
    for row in rows[1:]:
        gap = row[0].top - run[-1][0].bottom
        run = [*run, row] if gap < 2 * row[0].height else [row]
    return run if len(run) >= 2 else rows


def _format_of(texts: list[str]) -> MrzFormat | None:
    if len(texts) >= 3 and max(len(t) for t in texts[-3:]) <= 34:
        return MrzFormat.TD1
    longest = max(len(t) for t in texts[-2:])
    if longest <= 33:
        return None  # two lines of an ID card's three: too little to check
    if texts[-2].startswith("P") or longest >= 40:
        return MrzFormat.TD3
    return MrzFormat.TD2 if longest >= 30 else None


def _readable(text: str, number: int, corrections: list[str]) -> str:
    strange = re.sub(r"[A-Z0-9<]", "", text)
    if strange:
        corrections.append(f"line {number}: {strange!r} cannot be in a zone; read as a filler")
    return re.sub(r"[^A-Z0-9<]", "<", text)


def _fit(text: str, width: int, number: int, corrections: list[str]) -> str:
    """``text`` at ``width``: fillers added to or taken from its longest run of fillers (the last, on a tie)."""
    if len(text) == width:
        return text
    runs = list(re.finditer(r"<+", text))
    if not runs:
        fitted = text[:width].ljust(width, "<")
    else:
        run = max(reversed(runs), key=lambda m: len(m.group()))
        length = max(1, len(run.group()) + width - len(text))
        fitted = (text[:run.start()] + "<" * length + text[run.end():])[:width].ljust(width, "<")
    corrections.append(f"line {number}: {len(text)} characters read, fillers adjusted to {width}")
    return fitted


def _by_kind(text: str, kinds: str, number: int, corrections: list[str]) -> str:
    out = []
    for position, (char, kind) in enumerate(zip(text, kinds, strict=True)):
        new = char
        if kind == "A" and char.isdigit():
            new = char.translate(_LETTER_FOR_DIGIT)
        elif kind == "N" and char.isalpha():
            new = char.translate(_DIGIT_FOR_LETTER)
        elif kind == "S" and char not in "MF<":
            new = _SEX_LOOKALIKES.get(char, char)
        if new != char:
            corrections.append(f"line {number}, position {position + 1}: {char!r} taken as {new!r}")
        out.append(new)
    return "".join(out)


def _stray_fillers(text: str, start: int, number: int, corrections: list[str]) -> str:
    """A lone K, C, L or X inside a run of fillers after the names is a filler misread (``<`` and ``K`` share a
    stroke): ``VIJAY<<<K<<<`` is ``VIJAY<<<<<<<``. A one-letter name between single fillers is left alone."""
    def fill(match: re.Match[str]) -> str:
        corrections.append(f"line {number}, position {start + match.start() + 1}: read {match.group()!r} among "
                           "fillers as '<'")
        return "<"

    def fill_run(match: re.Match[str]) -> str:
        corrections.append(f"line {number}: {match.group()!r} among the closing fillers taken as fillers")
        return "<" * len(match.group())

    tail = re.sub(r"(?<=<<)[KCLX](?=<)|(?<=<)[KCLX](?=<<)", fill, text[start:])
    # Short runs of K, C, L or X between fillers up to the line's end are fillers too ("ELENA<KK<KK<<<<").
    tail = re.sub(r"(?<=<)(?:[KCLX]{1,2}<)+(?=<*$)", fill_run, tail)
    return text[:start] + tail


def _document_number(lines: list[str], fmt: MrzFormat, corrections: list[str]) -> list[str]:
    row, start = (0, 5) if fmt is MrzFormat.TD1 else (1, 0)
    line = lines[row]
    number, digit = line[start:start + 9], line[start + 9]
    if not digit.isdigit() or check_digit(number) == digit:
        return lines
    fixed = look_alike_reading(number, digit)
    if fixed is None:
        return lines
    corrections.append(f"document number: read {number!r} as {fixed!r} (the only look-alike reading its check "
                       "digit accepts)")
    lines = list(lines)
    lines[row] = line[:start] + fixed + line[start + 9:]
    return lines


def look_alike_reading(value: str, digit: str, *, most: int = 10) -> str | None:
    """The one reading of ``value``, with some of its look-alike characters swapped, whose check digit is ``digit``,
    with the fewest swaps; None when there is none or more than one at the fewest."""
    places = [i for i, c in enumerate(value) if c in _CONFUSABLE][:most]
    for count in range(1, len(places) + 1):
        found = {_swapped(value, chosen) for chosen in itertools.combinations(places, count)}
        passing = [text for text in found if check_digit(text) == digit]
        if passing:
            return passing[0] if len(passing) == 1 else None
    return None


def _swapped(value: str, places: tuple[int, ...]) -> str:
    chars = list(value)
    for i in places:
        chars[i] = _CONFUSABLE[chars[i]]
    return "".join(chars)
