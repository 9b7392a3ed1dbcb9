"""Trend chart of the vitals series and NEWS2 (pyqtgraph)."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

from emsync_desktop.services.case_views import VitalsEntry
from emsync_desktop.ui.theme import Theme, chart_colour

SERIES = [("hr_bpm", "HR"), ("sbp_mmhg", "SBP"), ("rr_per_min", "RR"), ("spo2_pct", "SpO2")]


class VitalsTrendChart(QWidget):
    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = pg.GraphicsLayoutWidget()
        self.view.setBackground(theme.plot_background)
        self.view.setMinimumHeight(260)
        self.vitals_plot = self.view.addPlot(row=0, col=0, axisItems={"bottom": pg.DateAxisItem()})
        self.vitals_plot.addLegend(offset=(-8, 4), colCount=4, brush=pg.mkBrush(theme.surface),
                                   labelTextColor=theme.text)
        self.vitals_plot.showGrid(x=True, y=True, alpha=0.2)
        self.vitals_plot.setLabel("left", "value")
        self.news2_plot = self.view.addPlot(row=1, col=0, axisItems={"bottom": pg.DateAxisItem()})
        self.news2_plot.setXLink(self.vitals_plot)
        self.news2_plot.setLabel("left", "NEWS2")
        self.news2_plot.setYRange(0, 20)
        self.news2_plot.setMaximumHeight(110)
        self.news2_plot.showGrid(x=True, y=True, alpha=0.2)
        for y, key in ((5, "news2_watch"), (7, "news2_urgent")):
            self.news2_plot.addLine(y=y, pen=pg.mkPen(chart_colour(theme, key), style=pg.QtCore.Qt.PenStyle.DashLine))
        for plot in (self.vitals_plot, self.news2_plot):
            plot.getViewBox().setDefaultPadding(0.06)
        self.curves = {
            name: self.vitals_plot.plot([], [], name=label, pen=pg.mkPen(chart_colour(theme, name), width=2),
                                        symbol="o", symbolSize=7, symbolBrush=chart_colour(theme, name))
            for name, label in SERIES
        }
        self.news2_curve = self.news2_plot.plot([], [], pen=pg.mkPen(theme.text, width=2), symbol="s",
                                                symbolSize=7, symbolBrush=theme.text)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

    def set_series(self, entries: tuple[VitalsEntry, ...]) -> None:
        for name, curve in self.curves.items():
            points = [(e.vitals.taken_at.timestamp(), getattr(e.vitals, name)) for e in entries]
            xs = [x for x, y in points if y is not None]
            ys = [y for _x, y in points if y is not None]
            curve.setData(xs, ys)
        scored = [e for e in entries if e.news2.complete]  # a partial sum is no score: never a trend point
        self.news2_curve.setData([e.vitals.taken_at.timestamp() for e in scored], [e.news2.total for e in scored])
        if entries:
            self.vitals_plot.setXRange(*time_window([e.vitals.taken_at.timestamp() for e in entries]), padding=0)
            self.vitals_plot.setYRange(0, 230)


MIN_WINDOW_S = 30 * 60


def time_window(times: list[float]) -> tuple[float, float]:
    """The time axis for these points (epoch seconds): at least half an hour, so that even one set shows
    clock times ("07:30 07:40 …") instead of fractions of a second, with a margin on either side."""
    first, last = min(times), max(times)
    span = max(last - first, MIN_WINDOW_S)
    margin = span * 0.05
    return first - margin, first + span + margin
