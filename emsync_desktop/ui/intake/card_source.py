"""Card images from where a paramedic has them (issue 27): a photo or scan file (a PDF's first page is rendered at
200 dpi with QtPdf), or the PC's camera through Qt Multimedia.

Threading: ``card_file_bytes`` reads the disk and may render a PDF: call it on a background thread. The camera
dialog is GUI-thread only."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QSize

from emsync_desktop.ml.card_ocr import MAX_FILE_BYTES, CardImageProblem

PDF_DPI = 200
IMAGE_FILTER = "Card images and scans (*.jpg *.jpeg *.png *.tif *.tiff *.bmp *.webp *.pdf);;All files (*)"


def card_file_bytes(path: Path) -> bytes:
    """The image in ``path``: the file itself, or a PDF's first page as PNG. Raises CardImageProblem."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CardImageProblem(f"The file is {size // 2**20} MB; the reader takes up to {MAX_FILE_BYTES // 2**20} "
                                   "MB. Save a smaller copy, or photograph the card alone.")
        data = path.read_bytes()
    except OSError as error:
        raise CardImageProblem(f"The file could not be read ({error.strerror or error}). Check it is still there "
                               "and choose it again.") from error
    return pdf_first_page(path, data) if data[:5] == b"%PDF-" else data


def pdf_first_page(path: Path, data: bytes) -> bytes:
    from PySide6.QtPdf import QPdfDocument

    document = QPdfDocument()
    error = document.load(str(path))
    if error != QPdfDocument.Error.None_ or document.pageCount() < 1:
        raise CardImageProblem("This PDF could not be opened (it may be damaged or protected by a password). Scan "
                               "the card again, or photograph it.")
    points = document.pagePointSize(0)
    size = QSize(int(points.width() * PDF_DPI / 72), int(points.height() * PDF_DPI / 72))
    image = document.render(0, size)
    document.close()
    if image.isNull():
        raise CardImageProblem("The PDF's first page could not be drawn. Scan the card again as an image.")
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]
    return bytes(buffer.data().data())


def camera_names() -> list[str]:
    """The cameras Qt Multimedia sees (empty on a PC without one, or without the multimedia backend)."""
    from PySide6.QtCore import QLoggingCategory

    # The FFmpeg backend lists each optional library it lacks (PipeWire, VA-API) on every start: not a fault.
    QLoggingCategory.setFilterRules("qt.multimedia.symbolsresolver.debug=false\nqt.multimedia.symbolsresolver.info="
                                    "false\nqt.multimedia.symbolsresolver.warning=false\nqt.multimedia.ffmpeg.info=false")
    try:
        from PySide6.QtMultimedia import QMediaDevices
    except ImportError:
        return []
    return [device.description() for device in QMediaDevices.videoInputs()]
