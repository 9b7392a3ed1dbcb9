"""The report as a PDF (issue 25): the charts are drawn by the Forecasts tab's code (``forecast_chart``) on the GUI
thread, then the text and charts are laid out and written by Qt's PDF writer off it.

Threading: ``render_charts`` on the GUI thread (it uses a pyqtgraph widget, never shown); ``write_report_pdf`` on any
thread (QTextDocument and QPdfWriter, no widget), the file written atomically.
"""

from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
from PySide6.QtGui import QImage

from emsync_desktop.services.exports import exports_dir, write_atomically
from emsync_desktop.services.report import ReportData, report_html
from emsync_desktop.ui.coordinator.forecast_chart import draw_forecast, new_forecast_plot
from emsync_desktop.ui.theme import LIGHT
from emsync_desktop.ui.widgets.pdf import file_stamp, html_pdf


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
    pdf = html_pdf(report_html(data, list(images)), f"EMsync {data.kind.value} report", images)
    name = f"report-{data.kind.value}-{file_stamp(data.generated_at)}.pdf"
    return write_atomically(exports_dir(data_dir) / name, pdf)
