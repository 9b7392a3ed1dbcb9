"""A second, closer read of a machine-readable zone (issue 27). The general OCR reads a zone's long runs of
monospaced characters badly: it drops letters (JOSEPH as JOSPH), cuts a line where its fillers run long, or misses a
line. Here the zone's lines are cut out again across the whole width of the zone, padded, stretched sideways so each
character spans more of the recogniser's time steps, and recognised once more; a line the first pass missed is
looked for one line-pitch above or below. The caller keeps this reading only when its check digits hold.

Threading: called by ``CardReader.read`` under its lock."""

from __future__ import annotations

from typing import Any

import numpy as np

from emsync_desktop.domain.card_reading import Box, OcrLine, level, rows_of, turn_box
from emsync_desktop.domain.mrz_ocr import looks_like_zone

STRETCH = 2.5  # measured on generated passports and ID cards: 1.0 reads 2 zones in 20, 2.5 reads 12 (BENCHMARKS.md)
PAD = 0.15  # of the line's height, on every side
PITCH = 1.3  # a zone's line spacing, in line heights


def reread_zone(image: np.ndarray, lines: list[OcrLine], recognise: Any) -> list[OcrLine] | None:
    """``lines`` with the zone's lines read again (None when there is no zone-like line). ``recognise`` is
    rapidocr's recogniser: a list of crops in, ``([(text, score)], seconds)`` out."""
    import cv2

    level_lines, angle = level(lines)
    zone = [(flat, line) for flat, line in zip(level_lines, lines, strict=True) if looks_like_zone(line)]
    if not zone:
        return None
    left, right = min(f.left for f, _ in zone), max(f.right for f, _ in zone)
    rows = rows_of([f for f, _ in zone])
    spans = [(min(x.top for x in row), max(x.bottom for x in row)) for row in rows]
    if len(spans) == 1:  # a passport's first line starts with P; the missing line is below it, else above
        top, bottom = spans[0]
        step = (bottom - top) * PITCH * (1 if rows[0][0].text.startswith("P") else -1)
        spans.append((top + step, bottom + step))
    crops, boxes = [], []
    for top, bottom in sorted(spans):
        pad = (bottom - top) * PAD
        box: Box = ((left - pad, top - pad), (right + pad, top - pad), (right + pad, bottom + pad),
                    (left - pad, bottom + pad))
        width, height = int((right - left + 2 * pad) * STRETCH), int(bottom - top + 2 * pad)
        corners = np.array(turn_box(box, angle), dtype=np.float32)
        target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
        crops.append(cv2.warpPerspective(image, cv2.getPerspectiveTransform(corners, target), (width, height),
                                         borderMode=cv2.BORDER_REPLICATE))
        boxes.append(turn_box(box, angle))
    read, _ = recognise(crops)
    others = [line for line in lines if not looks_like_zone(line)]
    return others + [OcrLine(str(text), float(score), box) for (text, score), box in zip(read, boxes, strict=True)]
