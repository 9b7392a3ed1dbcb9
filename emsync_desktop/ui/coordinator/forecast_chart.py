"""One forecast drawn on a pyqtgraph plot: the recent actuals, the forecast's mean, its 80 % and 95 % intervals as
bands, and (beds) the unit's beds as a dashed line. The Forecasts tab draws with it; so will the reports."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from emsync_desktop.domain.forecast import SeriesKind
from emsync_desktop.services.forecasts import UnitForecast
from emsync_desktop.ui.theme import Theme

TITLES = {SeriesKind.BEDS_HOURLY: "beds in use, last 7 days and next 72 hours",
          SeriesKind.TRANSFERS_DAILY: "transfers per day, last 4 weeks and next 7 days"}


def new_forecast_plot(layout: pg.GraphicsLayoutWidget, row: int, theme: Theme) -> pg.PlotItem:
    plot = layout.addPlot(row=row, col=0, axisItems={"bottom": pg.DateAxisItem()})
    plot.showGrid(x=True, y=True, alpha=0.2)
    plot.getAxis("left").setWidth(56)
    for side in ("left", "bottom"):
        plot.getAxis(side).setTextPen(theme.text)
    return plot  # no legend: on a chart this short it covered the data; the caption (CHART_LEGEND) says what is what


def draw_forecast(plot: pg.PlotItem, forecast: UnitForecast, theme: Theme) -> None:
    """Replace what ``plot`` shows with ``forecast``."""
    plot.clear()
    plot.setTitle(f"{forecast.hospital} {forecast.unit}: {TITLES[forecast.kind]}", color=theme.text, size="12pt")
    xs = [p.at.timestamp() for p in forecast.points]
    _band(plot, xs, [p.lo95 for p in forecast.points], [p.hi95 for p in forecast.points], theme.accent, 40)
    _band(plot, xs, [p.lo80 for p in forecast.points], [p.hi80 for p in forecast.points], theme.accent, 80)
    plot.plot([t.timestamp() for t in forecast.actual_times], forecast.actuals, name="actual",
              pen=pg.mkPen(theme.text, width=2))
    plot.plot(xs, [p.mean for p in forecast.points], name="forecast", pen=pg.mkPen(theme.accent, width=3))
    top = max([p.hi95 for p in forecast.points] + forecast.actuals + [1.0])
    if forecast.kind is SeriesKind.BEDS_HOURLY:
        first = forecast.actual_times[0].timestamp() if forecast.actual_times else xs[0]
        plot.plot([first, xs[-1]], [forecast.capacity] * 2, name=f"beds ({forecast.capacity})",
                  pen=pg.mkPen(theme.error, width=2, style=Qt.PenStyle.DashLine))
        top = max(top, forecast.capacity)
    plot.setYRange(0, top * 1.08, padding=0)


def _band(plot: pg.PlotItem, xs: list[float], low: list[float], high: list[float], colour: str, alpha: int) -> None:
    lower, upper = pg.PlotDataItem(xs, low), pg.PlotDataItem(xs, high)
    fill = QColor(colour)
    fill.setAlpha(alpha)
    plot.addItem(pg.FillBetweenItem(lower, upper, brush=pg.mkBrush(fill)))
