"""The coordinator's Forecasts tab: a surge on top naming the unit, when and by how much; a row per hospital unit;
the chosen unit's charts and backtest scores; a plain message before any forecast has come."""

from __future__ import annotations

from datetime import timedelta

from pytestqt.qtbot import QtBot

from emsync_desktop.domain.forecast import SeriesKind
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.forecasts import load_forecasts
from emsync_desktop.sync.local import store_changes
from emsync_desktop.ui.coordinator.forecast_view import EMPTY, ForecastsView
from emsync_desktop.ui.theme import LIGHT
from tests.services.conftest import NOW
from tests.services.test_forecasts import change, published


def view(qtbot: QtBot) -> ForecastsView:
    widget = ForecastsView(LIGHT)
    qtbot.addWidget(widget)
    widget.resize(1300, 700)
    return widget


def test_a_surge_is_named_on_top_with_the_unit_row_and_its_scores(qtbot: QtBot, app_context: AppContext) -> None:
    store_changes(app_context.store, [change(1, published([10, 13.5, 12])),
                                      change(2, published([30, 31], kind=SeriesKind.TRANSFERS_DAILY))], 2)
    widget = view(qtbot)
    widget.set_forecasts(load_forecasts(app_context.store), NOW)
    assert not widget.alerts.isHidden()
    assert "ICU at Lourdes" in widget.alerts.text() and "2 beds more than its 12" in widget.alerts.text()
    assert widget.table.rowCount() == 1 and widget.table.item(0, 2).text() == "12 (up to 14) of 12"
    assert widget.table.item(0, 3).text() == "57 (53–61)"
    assert "beats the same hour last week by 23 %" in widget.scores.text()
    assert "(published) 0.50" in widget.scores.text()


def test_no_alert_when_no_unit_passes_its_beds(qtbot: QtBot, app_context: AppContext) -> None:
    store_changes(app_context.store, [change(1, published([9, 10, 11]))], 1)
    widget = view(qtbot)
    widget.set_forecasts(load_forecasts(app_context.store), NOW + timedelta(minutes=5))
    assert widget.alerts.isHidden() and widget.table.item(0, 3).text() == "—" and widget.table.item(0, 4).text() == ""


def test_before_any_forecast_it_says_when_they_come(qtbot: QtBot) -> None:
    widget = view(qtbot)
    widget.set_forecasts([], NOW)
    assert widget.summary.text() == EMPTY and widget.table.rowCount() == 0 and widget.alerts.isHidden()
