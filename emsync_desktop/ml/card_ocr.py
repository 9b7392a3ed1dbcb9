"""Reading a card image on the device (issue 27): text with rapidocr (PP-OCR detection, direction and recognition
models in ONNX, shipped inside the ``rapidocr_onnxruntime`` wheel, run by onnxruntime; nothing is downloaded) and
barcodes with zxing-cpp.

Threading: ``CardReader.read`` is blocking and takes about a second of CPU: call it off the GUI thread. The OCR
engine is made on first use (its import and model load take a few hundred ms) and reused; ``read`` is serialized
by a lock, so one reader may be shared.

Errors: ``CardImageProblem`` with a message that says what to do (empty file, not an image, too big, too small)."""

from __future__ import annotations

import io
import logging
import os
import threading
import time
import warnings
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from emsync_desktop.domain.card_reading import Box, CodeRead, OcrLine
from emsync_desktop.domain.mrz import MrzProblem, parse_mrz
from emsync_desktop.domain.mrz_ocr import find_zone, looks_like_zone
from emsync_desktop.ml.card_zone import reread_zone

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_PIXELS = 80_000_000  # a 10,000 × 8,000 scan; Pillow's own bomb guard is at 179 M
WORK_SIDE_PX = 1280  # read at this size: a card's print stays legible; more pixels only cost time (BENCHMARKS.md)
DETECT_SIDE_PX = 960  # text detection runs at this longest side; recognition reads the crops at WORK_SIDE_PX
MIN_SIDE_PX = 200


class CardImageProblem(ValueError):
    """The file cannot be read as a card image; the text says why and what to do."""


@dataclass(frozen=True)
class CardScan:
    """What the reader saw. ``image_jpeg`` is the image as read (turned upright, at most WORK_SIDE_PX a side): the
    boxes are in its pixels. Nothing here is stored."""

    image_jpeg: bytes
    width: int
    height: int
    lines: tuple[OcrLine, ...]
    codes: tuple[CodeRead, ...]
    turned: str  # "" or how the card lay before it was turned upright: "upside down", "on its side"
    seconds: float


def load_card_image(data: bytes) -> Image.Image:
    """The image in ``data``, upright by its EXIF orientation, RGB, at most WORK_SIDE_PX a side."""
    if not data:
        raise CardImageProblem("The file is empty (0 bytes). Choose the card's photo or scan again.")
    if len(data) > MAX_FILE_BYTES:
        raise CardImageProblem(f"The file is {len(data) // 2**20} MB; the reader takes up to "
                               f"{MAX_FILE_BYTES // 2**20} MB. Save a smaller copy, or photograph the card alone.")
    try:
        with warnings.catch_warnings():  # the size is checked here, with a message that says what to do
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data))
        pixels = opened.width * opened.height
        if pixels > MAX_PIXELS:
            raise CardImageProblem(f"The image is {pixels / 1e6:.0f} megapixels; the reader takes up to "
                                   f"{MAX_PIXELS // 10**6}. Save a smaller copy, or photograph the card alone.")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as error:
        raise CardImageProblem("This file is not an image the reader can open (JPEG, PNG, TIFF, BMP, WebP, or a PDF "
                               "scan). Choose the card's photo, or take one.") from error
    try:
        image = _eight_bit(ImageOps.exif_transpose(opened)).convert("RGB")
    except (OSError, SyntaxError, ValueError) as error:
        raise CardImageProblem(f"The {opened.format or 'image'} file is damaged or incomplete (a copy or download cut "
                               "short?). Copy it again, or take the photo again.") from error
    if min(image.size) < MIN_SIDE_PX:
        raise CardImageProblem(f"The image is {image.width} × {image.height} pixels: too small to read. Photograph "
                               "the card so it fills the frame.")
    image.thumbnail((WORK_SIDE_PX, WORK_SIDE_PX), Image.Resampling.LANCZOS)
    return image


def _eight_bit(image: Image.Image) -> Image.Image:
    """A 16-bit or float scan stretched to 8 bits (Pillow's own conversion would clip it to white)."""
    if image.mode not in ("I", "I;16", "I;16B", "I;16L", "F"):
        return image
    import numpy as np

    values = np.asarray(image, dtype=np.float64)
    low, high = float(values.min()), float(values.max())
    scaled = (values - low) * (255.0 / (high - low)) if high > low else np.zeros_like(values)
    return Image.fromarray(scaled.astype(np.uint8), mode="L")


def _import_engine() -> Any:
    """rapidocr's engine class. Importing it imports OpenCV, which points QT_* and LD_LIBRARY_PATH at its own Qt;
    that must not reach this Qt app's later child processes (QtWebEngine), so the environment is put back."""
    saved = {key: os.environ.get(key) for key in ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR", "LD_LIBRARY_PATH")}
    try:
        from rapidocr_onnxruntime import RapidOCR
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return RapidOCR


class CardReader:
    def __init__(self, *, threads: int = 2) -> None:
        self._threads = threads
        self._engine: Any = None
        self._directions: list[str] = []
        self._lock = threading.Lock()

    def _ocr(self) -> Any:
        if self._engine is None:
            engine_class = _import_engine()
            started = time.perf_counter()
            engine = engine_class(intra_op_num_threads=self._threads, inter_op_num_threads=1,
                                  det_limit_side_len=DETECT_SIDE_PX, det_limit_type="max")
            classify = engine.text_cls

            def noting_direction(crops: Any) -> Any:
                out = classify(crops)
                self._directions.extend(str(label) for label, score in out[1] if score >= 0.9)
                return out

            engine.text_cls = noting_direction
            self._engine = engine
            log.info("OCR models loaded in %.2f s", time.perf_counter() - started)
        return self._engine

    def warm_up(self) -> None:
        """Load the models now (off the GUI thread) so the first card is read at full speed."""
        with self._lock:
            self._ocr()

    def read(self, data: bytes) -> CardScan:
        """Read the card image in ``data``. Raises CardImageProblem. A card on its side or upside down is turned
        upright and read again (the boxes are in the turned image's pixels)."""
        import numpy as np
        import zxingcpp

        image = load_card_image(data)
        with self._lock:
            started = time.perf_counter()
            lines = self._lines(image)
            turned = ""
            if _sideways(lines):
                image, turned = image.rotate(90, expand=True), "on its side"
                lines = self._lines(image)
            if self._directions.count("180") > len(self._directions) / 2:
                image, turned = image.rotate(180), turned or "upside down"
                lines = self._lines(image)
            lines = _closer_zone(np.asarray(image), lines, self._ocr().text_rec)
            codes = [CodeRead(code.text, code.format.name, _code_box(code.position))
                     for code in zxingcpp.read_barcodes(image) if code.valid]
            seconds = time.perf_counter() - started
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=90)
        return CardScan(buffer.getvalue(), image.width, image.height, tuple(lines), tuple(codes), turned, seconds)

    def _lines(self, image: Image.Image) -> list[OcrLine]:
        import numpy as np

        self._directions.clear()
        result, _ = self._ocr()(np.asarray(image))
        return [OcrLine(str(text), float(score), _box(points)) for points, text, score in result or []]


def _sideways(lines: list[OcrLine]) -> bool:
    """Most lines of three or more characters run up or down the image: the card lies on its side."""
    long = [line for line in lines if len(line.text.strip()) >= 3]
    upright = sum(1 for line in long if line.height > 1.5 * (line.right - line.left))
    return bool(long) and upright > len(long) / 2


def _closer_zone(image: Any, lines: list[OcrLine], recognise: Any) -> list[OcrLine]:
    """The lines with the zone read again closely, when the first reading of it does not pass its check digits and
    the second does (``card_zone``)."""
    first = find_zone(lines)
    if first is None and not any(looks_like_zone(line) for line in lines):
        return lines
    if first is not None and _valid(first.text):
        return lines
    again = reread_zone(image, lines, recognise)
    second = find_zone(again) if again else None
    return again if again is not None and second is not None and _valid(second.text) else lines


def _valid(zone_text: str) -> bool:
    try:
        return parse_mrz(zone_text).valid
    except MrzProblem:
        return False


def _box(points: Any) -> Box:
    return tuple((float(x), float(y)) for x, y in points)


def _code_box(position: Any) -> Box:
    return tuple((float(p.x), float(p.y)) for p in (position.top_left, position.top_right, position.bottom_right,
                                                    position.bottom_left))
