"""HTML laid out on A4 pages by Qt (the reports, the ward's handover).

Threading: any thread (QTextDocument and QPdfWriter, no widget)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QSizeF, QUrl
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from emsync_desktop.domain.local_time import to_local
from emsync_desktop.ui.theme import print_stylesheet


def html_pdf(html_text: str, title: str, images: dict[str, QImage] | None = None) -> bytes:
    """The PDF's bytes: ``html_text`` in the paper style (``theme.print_stylesheet``), with ``images`` by name."""
    document = QTextDocument()
    document.setDefaultStyleSheet(print_stylesheet())
    for name, image in (images or {}).items():
        document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
    document.setHtml(html_text)
    buffer = QBuffer()  # its own byte array: one passed in can be freed by Python under the writer
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(title)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter))
    writer.setResolution(150)
    # Laid out on the page's text area in 96-dpi pixels (the HTML's units): left to itself the document kept a
    # narrower width of its own (looked at with pdftoppm).
    document.setPageSize(QSizeF(writer.pageLayout().paintRectPixels(96).size()))
    document.print_(writer)
    del writer  # finishes the PDF into the buffer
    buffer.close()
    return bytes(buffer.data().data())


def file_stamp(moment: datetime) -> str:
    """'20261206-071500+0530': a file name's local time."""
    return to_local(moment).strftime("%Y%m%d-%H%M%S%z")
