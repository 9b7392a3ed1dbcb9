"""OCR lines made by hand for the card-reading rules: text at a place, as rapidocr would report it."""

from __future__ import annotations

import math

from emsync_desktop.domain.card_reading import OcrLine, turn_box


def line(text: str, x: float, y: float, *, height: float = 30.0, confidence: float = 0.97,
         turn_deg: float = 0.0) -> OcrLine:
    width = max(len(text), 1) * height * 0.55
    box = ((x, y), (x + width, y), (x + width, y + height), (x, y + height))
    return OcrLine(text, confidence, turn_box(box, math.radians(turn_deg)) if turn_deg else box)


def zone_lines(zone: str, *, top: float = 600.0, turn_deg: float = 0.0) -> list[OcrLine]:
    return [line(text, 40, top + i * 45, height=34, turn_deg=turn_deg) for i, text in enumerate(zone.splitlines())]
