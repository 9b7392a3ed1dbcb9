"""The coordinator's Forecasts tab (issue 25): surge alerts on top; every hospital unit with its next day's peak,
its next week's transfers and how its forecast did in the backtests; the chosen unit's two charts beneath."""

from __future__ import annotations

import math
from datetime import datetime

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.domain.forecast import SeriesKind, surge_text
from emsync_desktop.domain.local_time import clock, day_and_clock
from emsync_desktop.services.forecasts import UnitForecast, surges
from emsync_desktop.ui.coordinator.forecast_chart import draw_forecast, new_forecast_plot
from emsync_desktop.ui.theme import Theme

COLUMNS = ("Hospital", "Unit", "Beds (24 h)", "Transfers (7 d)", "Surge", "Beds: skill")
ALERTS_SHOWN = 3
EMPTY = ("No forecasts yet. The sync server fits them every hour once a unit has 20 days of hourly history "
         "(the demo server: a minute after it starts), and they arrive with the next sync.")


class ForecastsView(QWidget):
    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = theme
        self._units: list[tuple[UnitForecast | None, UnitForecast | None]] = []
        self.alerts = QLabel()
        self.alerts.setObjectName("surgeAlert")
        self.alerts.setWordWrap(True)
        self.alerts.hide()
        self.summary = QLabel("Loading the forecasts…")
        self.summary.setObjectName("muted")
        self.summary.setWordWrap(True)
        self.table = _table()
        self.table.itemSelectionChanged.connect(self._draw_chosen)
        self.charts = pg.GraphicsLayoutWidget()
        self.charts.setBackground(theme.plot_background)
        self.beds_plot = new_forecast_plot(self.charts, 0, theme)
        self.transfers_plot = new_forecast_plot(self.charts, 1, theme)
        self.scores = QLabel()
        self.scores.setObjectName("muted")
        self.scores.setWordWrap(True)
        right = QVBoxLayout()
        right.addWidget(self.charts, 1)
        right.addWidget(self.scores)
        body = QHBoxLayout()
        body.addWidget(self.table, 11)
        body.addLayout(right, 10)
        layout = QVBoxLayout(self)
        layout.addWidget(self.alerts)
        layout.addWidget(self.summary)
        layout.addLayout(body, 1)

    def set_forecasts(self, forecasts: list[UnitForecast], now: datetime) -> None:
        chosen = self.table.currentRow()
        self._units = _by_unit(forecasts)
        self._show_alerts(forecasts, now)
        self.table.setRowCount(len(self._units))
        for row, (beds, transfers) in enumerate(self._units):
            any_one = beds or transfers
            assert any_one is not None
            surge = beds.surge(now) if beds else None
            cells = (any_one.hospital, any_one.unit, _next_day(beds, now), _next_week(transfers),
                     f"+{surge.over} at {clock(surge.at)}" if surge else "", beds.skill if beds else "—")
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.summary.setText(_summary(forecasts) if forecasts else EMPTY)
        if self._units:
            self.table.selectRow(min(max(chosen, 0), len(self._units) - 1))
        self._draw_chosen()

    def _show_alerts(self, forecasts: list[UnitForecast], now: datetime) -> None:
        found = surges(forecasts, now)
        lines = [surge_text(f.unit, f.hospital, s, day_and_clock(s.at)) for f, s in found[:ALERTS_SHOWN]]
        if len(found) > ALERTS_SHOWN:
            lines.append(f"and {len(found) - ALERTS_SHOWN} more: see the Surge column")
        self.alerts.setText("Surge within 24 h (80 % upper bound above the unit's beds):\n" + "\n".join(lines))
        self.alerts.setVisible(bool(found))

    def _draw_chosen(self) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self._units):
            self.beds_plot.clear()
            self.transfers_plot.clear()
            self.scores.setText("")
            return
        beds, transfers = self._units[row]
        for plot, forecast in ((self.beds_plot, beds), (self.transfers_plot, transfers)):
            if forecast is None:
                plot.clear()
            else:
                draw_forecast(plot, forecast, self._theme)
        self.scores.setText("\n".join(_scores_line(f) for f in (beds, transfers) if f is not None))


def _table() -> QTableWidget:
    table = QTableWidget(0, len(COLUMNS))
    table.setHorizontalHeaderLabels(COLUMNS)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    table.horizontalHeader().setStretchLastSection(True)
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    for column, width in enumerate((118, 58, 104, 120, 104)):
        table.setColumnWidth(column, width)
    return table


def _by_unit(forecasts: list[UnitForecast]) -> list[tuple[UnitForecast | None, UnitForecast | None]]:
    units: dict[tuple[str, str], list[UnitForecast | None]] = {}
    for f in forecasts:
        pair = units.setdefault((f.hospital, f.unit), [None, None])
        pair[0 if f.kind is SeriesKind.BEDS_HOURLY else 1] = f
    return [(beds, transfers) for (beds, transfers) in units.values()]


def _next_day(beds: UnitForecast | None, now: datetime) -> str:
    if beds is None:
        return "—"
    upcoming = [p for p in beds.points if p.at.timestamp() <= now.timestamp() + 24 * 3600] or beds.points
    peak = max(upcoming, key=lambda p: p.mean)
    return f"{math.ceil(peak.mean - 1e-9)} of {beds.capacity}"


def _next_week(transfers: UnitForecast | None) -> str:
    if transfers is None:
        return "—"
    total = sum(p.mean for p in transfers.points)
    low, high = sum(p.lo80 for p in transfers.points), sum(p.hi80 for p in transfers.points)
    return f"{round(total)} ({math.floor(low)}–{math.ceil(high)})"


def _scores_line(forecast: UnitForecast) -> str:
    what = "Beds" if forecast.kind is SeriesKind.BEDS_HOURLY else "Transfers"
    scores = " · ".join(f"{'✔ ' if s.chosen else ''}{s.name} {s.mase:.2f}" for s in forecast.scores)
    return (f"{what}: {forecast.skill}. Backtest MASE (4 rolling origins, lower is better): {scores}. "
            f"Fitted {day_and_clock(forecast.fitted_at)}.")


def _summary(forecasts: list[UnitForecast]) -> str:
    synthetic = " Fitted on the demo server's made-up (synthetic) history, not real activity." \
        if any(f.synthetic for f in forecasts) else ""
    return ("Decision support: each unit's forecast from SARIMA, with 80 % and 95 % intervals; "
            "the transfers column shows the week's total and its 80 % range (days from 00:00 UTC)." + synthetic)
