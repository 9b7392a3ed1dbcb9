"""The report as a PDF (issue 25): the charts are drawn by the Forecasts tab's code (``forecast_chart``) on the GUI
thread, then the text and charts are laid out and written by Qt's PDF writer off it.

Threading: ``render_charts`` on the GUI thread (it uses a pyqtgraph widget, never shown); ``write_report_pdf`` on any
thread (QTextDocument and QPdfWriter, no widget), the file written atomically.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QSizeF, QUrl
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from emsync_desktop.domain.local_time import to_local
from emsync_desktop.services.exports import exports_dir, write_atomically
from emsync_desktop.services.report import ReportData, report_html
from emsync_desktop.ui.coordinator.forecast_chart import draw_forecast, new_forecast_plot
from emsync_desktop.ui.theme import LIGHT, print_stylesheet


def render_charts(data: ReportData) -> dict[str, QImage]:
    """One image per charted unit (beds above, transfers below), on paper colours whatever the desk's theme."""
    images: dict[str, QImage] = {}
    for index, (beds, transfers) in enumerate(data.charted()):
        view = pg.GraphicsLayoutWidget()
        view.setBackground(LIGHT.plot_background)
        view.resize(900, 470 if transfers else 250)  # drawn at 900 px, printed 680 px wide: the axes stay legible
        draw_forecast(new_forecast_plot(view, 0, LIGHT), beds, LIGHT)
        if transfers is not None:
            draw_forecast(new_forecast_plot(view, 1, LIGHT), transfers, LIGHT)
        images[f"chart-{index}.png"] = view.grab().toImage()
        view.deleteLater()
    return images


def write_report_pdf(data: ReportData, images: dict[str, QImage], data_dir: Path) -> Path:
    """The PDF in the exports folder, named by kind and local time; returns its path."""
    document = QTextDocument()
    document.setDefaultStyleSheet(print_stylesheet())
    for name, image in images.items():
        document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
    document.setHtml(report_html(data, list(images)))
    buffer = QBuffer()  # its own byte array: one passed in can be freed by Python under the writer
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(f"EMsync {data.kind.value} report")
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter))
    writer.setResolution(150)
    # Laid out on the page's text area in 96-dpi pixels (the HTML's units): left to itself the document kept a
    # narrower width of its own (looked at with pdftoppm).
    document.setPageSize(QSizeF(writer.pageLayout().paintRectPixels(96).size()))
    document.print_(writer)
    del writer  # finishes the PDF into the buffer
    buffer.close()
    return write_atomically(exports_dir(data_dir) / f"report-{data.kind.value}-{_stamp(data.generated_at)}.pdf",
                            bytes(buffer.data().data()))


def _stamp(moment: datetime) -> str:
    return to_local(moment).strftime("%Y%m%d-%H%M%S%z")
