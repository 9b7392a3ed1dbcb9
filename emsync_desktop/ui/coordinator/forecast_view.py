"""The coordinator's Forecasts tab (issue 25): surge alerts on top; every hospital unit with its next day's peak,
its next week's transfers and how its forecast did in the backtests; the chosen unit's two charts beneath."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
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
from emsync_desktop.services.forecasts import CHART_LEGEND, UnitForecast, peak_text, surges, week_text
from emsync_desktop.services.report import ReportKind
from emsync_desktop.ui.coordinator.forecast_chart import draw_forecast, new_forecast_plot
from emsync_desktop.ui.theme import Theme
from emsync_desktop.ui.widgets.buttons import touch_button

COLUMNS = ("Hospital", "Unit", "Beds 24 h", "Transfers 7 d", "Surge", "Beds: skill")
ALERTS_SHOWN = 3
EMPTY = ("No forecasts yet. The sync server fits them every hour once a unit has 20 days of hourly history "
         "(the demo server: a few minutes after it starts), and they arrive with the next sync.")


class ForecastsView(QWidget):
    """Emits ``report_asked`` with a ``ReportKind`` when a report button is pressed (the workspace makes it)."""

    report_asked = Signal(object)

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
        self.charts.setToolTip(CHART_LEGEND)
        self.beds_plot = new_forecast_plot(self.charts, 0, theme)
        self.transfers_plot = new_forecast_plot(self.charts, 1, theme)
        self.scores = QLabel()
        self.scores.setObjectName("muted")
        self.scores.setWordWrap(True)
        self.scores.setMinimumHeight(120)  # room for both lines of scores: the table does not jump between rows
        left = QVBoxLayout()  # the scores under the table: the charts get the whole height beside them
        left.addWidget(self.table, 1)
        left.addWidget(self.scores)
        body = QHBoxLayout()
        body.addLayout(left, 11)
        body.addWidget(self.charts, 10)
        self.report_result = QLabel()
        self.report_result.setObjectName("muted")
        self.report_result.setWordWrap(True)
        reports = QHBoxLayout()
        for kind, label in ((ReportKind.DAILY, "Daily report (PDF)"), (ReportKind.WEEKLY, "Weekly report (PDF)")):
            button = touch_button(label)
            button.clicked.connect(lambda _checked=False, k=kind: self._ask_report(k))
            reports.addWidget(button)
        reports.addWidget(self.report_result, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.alerts)
        layout.addWidget(self.summary)
        layout.addLayout(body, 1)
        layout.addLayout(reports)

    def _ask_report(self, kind: ReportKind) -> None:
        self.report_result.setText(f"Making the {kind.value} report…")
        self.report_asked.emit(kind)

    def show_report_result(self, result: object) -> None:
        self.report_result.setText(f"Saved: {result}" if isinstance(result, Path) else f"Could not make it: {result}")

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
                item = QTableWidgetItem(text)
                item.setToolTip(text)  # a narrow column cuts the skill's sentence
                self.table.setItem(row, column, item)
        self.summary.setText(_summary(forecasts) if forecasts else EMPTY)
        self.charts.setVisible(bool(forecasts))
        if self._units:
            row = chosen if 0 <= chosen < len(self._units) else self._first_surging(now)
            self.table.selectRow(row)
            self.table.scrollTo(self.table.model().index(row, 0))
        self._draw_chosen()

    def _first_surging(self, now: datetime) -> int:
        return next((row for row, (beds, _t) in enumerate(self._units) if beds and beds.surge(now)), 0)

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
    for column, width in enumerate((118, 56, 136, 112, 96)):
        table.setColumnWidth(column, width)
    return table


def _by_unit(forecasts: list[UnitForecast]) -> list[tuple[UnitForecast | None, UnitForecast | None]]:
    units: dict[tuple[str, str], list[UnitForecast | None]] = {}
    for f in forecasts:
        pair = units.setdefault((f.hospital, f.unit), [None, None])
        pair[0 if f.kind is SeriesKind.BEDS_HOURLY else 1] = f
    return [(beds, transfers) for (beds, transfers) in units.values()]


def _next_day(beds: UnitForecast | None, now: datetime) -> str:
    return peak_text(beds, now) if beds else "—"


def _next_week(transfers: UnitForecast | None) -> str:
    return week_text(transfers) if transfers else "—"


def _scores_line(forecast: UnitForecast) -> str:
    what = "Beds" if forecast.kind is SeriesKind.BEDS_HOURLY else "Transfers"
    scores = " · ".join(f"{s.name}{' (published)' if s.chosen else ''} {s.mase:.2f}" for s in forecast.scores)
    best = forecast.scores[0]
    better = "" if best.chosen else f" {best.name} did better in the backtests."
    return f"{what}: {forecast.skill}.{better} Backtest MASE (lower is better): {scores}."


def _summary(forecasts: list[UnitForecast]) -> str:
    synthetic = " Fitted on the demo server's made-up (synthetic) history, not real activity." \
        if any(f.synthetic for f in forecasts) else ""
    return ("Decision support: each unit's forecast from SARIMA. Beds: the next day's highest forecast and its highest "
            "80 % bound; transfers: the next 7 days with their 80 % range (days from 00:00 UTC)." + synthetic)
