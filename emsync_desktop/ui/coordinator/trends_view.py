"""The coordinator's charts (pyqtgraph): beds in use per unit over the last day, transfers per hour."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from emsync_desktop.services.trends import Trends
from emsync_desktop.ui.theme import Theme, chart_colour

UNITS = ("ICU", "HDU", "ER", "WARD")


class TrendsView(QWidget):
    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel("Loading the history…")
        self.summary.setObjectName("muted")
        self.summary.setWordWrap(True)
        self.view = pg.GraphicsLayoutWidget()
        self.view.setBackground(theme.plot_background)
        self.occupancy_plot = self.view.addPlot(row=0, col=0, axisItems={"bottom": pg.DateAxisItem()})
        self.occupancy_plot.setTitle("Beds in use per unit (%): occupied, reserved, discharging, isolation",
                                     color=theme.text, size="13pt")
        self.occupancy_plot.addLegend(offset=(-8, 4), colCount=4, brush=pg.mkBrush(theme.surface),
                                      labelTextColor=theme.text)
        self.occupancy_plot.setYRange(0, 100)
        self.occupancy_plot.showGrid(x=True, y=True, alpha=0.2)
        self.occupancy_plot.setLabel("left", "% in use")
        self.occupancy_curves = {
            unit: self.occupancy_plot.plot([], [], name=unit, pen=pg.mkPen(chart_colour(theme, unit), width=3),
                                           stepMode="left")
            for unit in UNITS}
        self.transfers_plot = self.view.addPlot(row=1, col=0, axisItems={"bottom": pg.DateAxisItem()})
        self.transfers_plot.setTitle("Transfers requested per hour", color=theme.text, size="13pt")
        for plot in (self.occupancy_plot, self.transfers_plot):
            plot.getAxis("left").setWidth(64)  # both time axes line up
        self.transfers_plot.setXLink(self.occupancy_plot)
        self.transfers_plot.showGrid(x=False, y=True, alpha=0.2)
        self.transfers_plot.setLabel("left", "transfers")
        self.transfer_bars = pg.BarGraphItem(x=[], height=[], width=3000, brush=theme.accent)
        self.transfers_plot.addItem(self.transfer_bars)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)

    def set_trends(self, trends: Trends) -> None:
        for unit, curve in self.occupancy_curves.items():
            series = next((s for s in trends.occupancy if s.unit == unit), None)
            xs = [t.timestamp() for t in series.times] if series else []
            curve.setData(xs, series.percent_in_use if series else [], stepMode="left")  # a value holds until the next
        centres = [h.timestamp() + 1800 for h in trends.transfer_hours]
        self.transfer_bars.setOpts(x=centres, height=trends.transfers_per_hour, width=3000)
        end = trends.transfer_hours[-1].timestamp() + 3600 if trends.transfer_hours else trends.now.timestamp()
        self.occupancy_plot.setXRange(trends.since.timestamp(), end, padding=0.01)  # whole hours, the current too
        self.transfers_plot.setYRange(0, max([*trends.transfers_per_hour, 4]) + 1)
        if trends.hours_known == 0:
            self.summary.setText("No hourly figures from the sync server yet: they come with the next sync.")
            return
        gaps = "" if trends.hours_known >= 24 else \
            f" The server has figures for {trends.hours_known} of the 24 hours; the others are left blank."
        self.summary.setText(
            f"Last 24 hours, the whole network, hourly from the sync server: {_count(trends.transfers, 'transfer')} "
            f"requested.{gaps}")


def _count(n: int, what: str) -> str:
    return f"{n} {what}" if n == 1 else f"{n} {what}s"
