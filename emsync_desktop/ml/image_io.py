"""Opening a radiograph: PNG, JPEG or DICOM, to one grey-scale float image in [0, 1] (0 black).

DICOM: rescale slope/intercept, the file's window/level (else the full range of its values),
MONOCHROME1 inverted so that dense is white as on a light box, 8 to 16 bits stored. Colour images are
turned to grey (and say so). Anything else is refused with ``ImageRefused``: what is wrong in a
nurse's words, what to do, and the decoder's own text apart (for IT); nothing is half-loaded.

Threading: any thread (no Qt). Decoding a large file takes time: never on the GUI thread.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

MAX_SIDE_PX = 8192  # a chest radiograph is about 3000 px; beyond this the file is not one
MAX_FILE_BYTES = 256 * 1024 * 1024
DICOM_MAGIC_OFFSET = 128

FloatImage = npt.NDArray[np.float32]


NOT_AN_XRAY = "This file is not a readable X-ray image."
DAMAGED = "This X-ray file is damaged or incomplete."
TOO_LARGE = "This picture is far larger than any X-ray."
EXPORT_AT_SIZE = "Export it again at its original size from the PACS or the X-ray machine."
COPY_AGAIN = "Copy it again from the PACS or the X-ray machine, then open the new copy."
OPEN_A_RADIOGRAPH = ("Open a chest X-ray saved as DICOM, PNG or JPEG (from the PACS or the X-ray machine). If this "
                     "was one, copy it again.")


class ImageRefused(ValueError):
    """The file cannot be analysed. ``message``: what is wrong, in words for the nurse (no jargon, no
    file name); ``advice``: what to do; ``details``: the decoder's own text, for IT (may be empty).
    ``str()`` is all three, for logs."""

    def __init__(self, message: str, advice: str = "", details: str = "") -> None:
        self.message, self.advice, self.details = message, advice, details
        super().__init__(" ".join(part for part in (message, advice, f"({details})" if details else "") if part))


@dataclass(frozen=True)
class LoadedImage:
    pixels: FloatImage  # (height, width), 0 = black, 1 = white
    sha256: str  # of the file's bytes: the study's identity, and how it syncs
    kind: str  # "DICOM", "PNG" or "JPEG"
    description: str  # what was done to show it, e.g. "CR, MONOCHROME1 inverted, window 15000/30000"
    notes: list[str] = field(default_factory=list)  # things the user should know (e.g. "colour turned to grey")
    modality: str = ""

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return int(self.pixels.shape[1]), int(self.pixels.shape[0])


def load_image(path: Path) -> LoadedImage:
    """Raises ``ImageRefused`` for any file that does not decode to one grey image, whatever the
    decoder raised (a damaged file can trip any of its errors)."""
    try:
        data = path.read_bytes() if path.stat().st_size <= MAX_FILE_BYTES else None
    except OSError as exc:
        raise ImageRefused("This file could not be opened.", "Check that it is still there (a USB stick still "
                           "plugged in, a network folder still connected) and try again.",
                           f"{path}: {exc.strerror}") from exc
    if data is None:
        raise ImageRefused("This file is too large to be one X-ray image.", "Open a single image exported from the "
                           "PACS or the X-ray machine.", f"{path}: over {MAX_FILE_BYTES // 2**20} MB")
    digest = hashlib.sha256(data).hexdigest()
    try:
        if data[DICOM_MAGIC_OFFSET:DICOM_MAGIC_OFFSET + 4] == b"DICM" or path.suffix.lower() in (".dcm", ".dicom"):
            return _load_dicom(path, digest)
        return _load_picture(path, data, digest)
    except ImageRefused:
        raise
    except Exception as exc:  # a decoder's unforeseen error on a strange file: still just an unreadable file
        raise ImageRefused(NOT_AN_XRAY, OPEN_A_RADIOGRAPH, f"{path.name}: {type(exc).__name__}: {exc}") from exc


def _load_picture(path: Path, data: bytes, digest: str) -> LoadedImage:
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            _check_size(image.width, image.height, path)
            kind = str(image.format or "")
            if kind not in ("PNG", "JPEG"):
                raise ImageRefused(NOT_AN_XRAY, "EMsync opens X-rays saved as DICOM, PNG or JPEG: ask for the "
                                   "image in one of those.", f"{path.name}: a {kind or 'unknown'} image")
            notes = []
            if image.mode in ("RGB", "RGBA", "P", "CMYK", "YCbCr"):
                notes.append("colour image turned to grey")
            pixels = _grey_float(image)
    except Image.DecompressionBombError as exc:
        raise ImageRefused(TOO_LARGE, EXPORT_AT_SIZE, f"{path.name}: {exc}") from exc
    except UnidentifiedImageError as exc:  # its text names an in-memory buffer, not the file: say it plainly
        raise ImageRefused(NOT_AN_XRAY, OPEN_A_RADIOGRAPH,
                           f"{path.name}: not a PNG, JPEG or DICOM image (its first bytes are {data[:8]!r}).") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        if isinstance(exc, ImageRefused):
            raise
        raise ImageRefused(DAMAGED, COPY_AGAIN, f"{path.name}: {exc}") from exc
    return LoadedImage(pixels, digest, kind, f"{kind}, {pixels.shape[1]} × {pixels.shape[0]} px", notes)


def _grey_float(image: Any) -> FloatImage:
    from PIL import Image

    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        values = np.asarray(image, dtype=np.float32)
        low, high = float(values.min()), float(values.max())
        return ((values - low) / (high - low) if high > low else np.zeros_like(values)).astype(np.float32)
    grey = image.convert("L") if image.mode != "L" else image
    assert isinstance(grey, Image.Image)
    return (np.asarray(grey, dtype=np.float32) / 255.0).astype(np.float32)


def _check_size(width: int, height: int, path: Path) -> None:
    if width < 16 or height < 16:
        raise ImageRefused("This picture is too small to be an X-ray.", "Open the full-size image, not a preview "
                           "or thumbnail.", f"{path.name}: {width} × {height} px")
    if max(width, height) > MAX_SIDE_PX:
        raise ImageRefused(TOO_LARGE, EXPORT_AT_SIZE,
                           f"{path.name}: {width} × {height} px (limit {MAX_SIDE_PX} px a side)")


def _load_dicom(path: Path, digest: str) -> LoadedImage:
    import pydicom
    from pydicom.errors import InvalidDicomError

    try:
        ds = pydicom.dcmread(path)
    except (InvalidDicomError, OSError, ValueError, EOFError) as exc:
        raise ImageRefused(NOT_AN_XRAY, OPEN_A_RADIOGRAPH, f"{path.name}: {exc}") from exc
    if "PixelData" not in ds:
        raise ImageRefused("This DICOM file holds no image: it may be a report or measurements.",
                           "Export the image series from the PACS, not the report.",
                           f"{path.name}: no PixelData element")
    _check_size(int(ds.get("Columns", 0)), int(ds.get("Rows", 0)), path)
    try:
        raw = ds.pixel_array
    except (NotImplementedError, RuntimeError) as exc:
        syntax = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
        name = getattr(syntax, "name", "this compression")
        raise ImageRefused("This X-ray is stored compressed in a way this computer cannot open.",
                           "Ask for it to be exported again uncompressed from the PACS (Explicit VR Little Endian).",
                           f"{path.name}: transfer syntax {name}: {exc}") from exc
    except (ValueError, EOFError) as exc:
        raise ImageRefused(DAMAGED, COPY_AGAIN, f"{path.name}: {exc}") from exc
    return _dicom_to_image(ds, np.asarray(raw), digest, path)


def _dicom_to_image(ds: Any, raw: npt.NDArray[Any], digest: str, path: Path) -> LoadedImage:
    notes: list[str] = []
    photometric = str(ds.get("PhotometricInterpretation", "MONOCHROME2"))
    if raw.ndim == 3 and int(ds.get("NumberOfFrames", 1) or 1) > 1:
        raw = raw[0]
        notes.append("first frame of a multi-frame image")
    if raw.ndim == 3:  # colour samples last
        raw = raw[..., :3].astype(np.float32) @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
        notes.append("colour image turned to grey")
    values = raw.astype(np.float32) * float(ds.get("RescaleSlope", 1) or 1) + float(ds.get("RescaleIntercept", 0) or 0)
    centre, width = _window(ds, values)
    low = centre - width / 2
    pixels = np.clip((values - low) / max(width, 1e-6), 0.0, 1.0).astype(np.float32)
    steps = [str(ds.get("Modality", "")) or "DICOM", f"{int(ds.get('BitsStored', 8))}-bit"]
    if photometric == "MONOCHROME1":
        pixels = 1.0 - pixels
        steps.append("MONOCHROME1 inverted")
    steps.append(f"window {centre:g}/{width:g}")
    return LoadedImage(pixels, digest, "DICOM", ", ".join(steps), notes, str(ds.get("Modality", "")))


def _window(ds: Any, values: npt.NDArray[np.float32]) -> tuple[float, float]:
    """The file's first window (centre, width), else the 0.5–99.5 percentile range of its values."""
    centre, width = ds.get("WindowCenter"), ds.get("WindowWidth")
    if centre is not None and width is not None and _first(width) > 0:
        return _first(centre), _first(width)
    low, high = (float(v) for v in np.percentile(values, [0.5, 99.5]))
    return (low + high) / 2, max(high - low, 1.0)


def _first(value: Any) -> float:
    """A DICOM decimal string may hold several values (several windows): the first."""
    return float(value[0]) if hasattr(value, "__len__") and not isinstance(value, str) else float(value)
