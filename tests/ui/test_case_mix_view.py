"""The coordinator's Case mix tab: a question asked with the period, the counts with totals, the answer in words
and its caveats; a plain message before any day has been counted."""

from __future__ import annotations

from datetime import date, timedelta

from pytestqt.qtbot import QtBot

from emsync_desktop.domain.case_mix import Dimension
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.case_mix import load_case_mix
from emsync_desktop.sync.local import store_changes
from emsync_desktop.ui.coordinator.case_mix_view import CaseMixView
from tests.services.test_case_mix import DAY, day


def view(qtbot: QtBot) -> CaseMixView:
    widget = CaseMixView()
    qtbot.addWidget(widget)
    widget.resize(1300, 650)
    return widget


def test_changing_the_question_asks_again_with_the_period(qtbot: QtBot) -> None:
    widget = view(qtbot)
    with qtbot.waitSignal(widget.asked) as asked:
        widget.outcome.setCurrentIndex(list(Dimension).index(Dimension.AGE_BAND))
    first, last, outcome, groups = asked.args
    assert last - first == timedelta(days=29) and outcome is Dimension.AGE_BAND and groups is Dimension.COMPLAINT_GROUP


def test_the_counts_and_the_answer_are_shown(qtbot: QtBot, app_context: AppContext) -> None:
    store_changes(app_context.store, [day(1, DAY, [["18-39", "male", "trauma", "Critical", 5],
                                                   ["18-39", "male", "trauma", "Low urgency", 40],
                                                   ["65-79", "female", "cardiac", "Critical", 40],
                                                   ["65-79", "female", "cardiac", "Low urgency", 6]])], 1)
    widget = view(qtbot)
    widget.set_case_mix(load_case_mix(app_context.store, DAY, DAY, Dimension.SEVERITY, Dimension.COMPLAINT_GROUP))
    assert widget.table.item(0, 0).text() == "40 (87 %)" and widget.table.item(2, 2).text() == "91"  # grand total
    assert "Yes: severity differs by complaint group" in widget.answer.text()
    assert "Sex: female 46, male 45." in widget.totals.text()


def test_before_any_counted_day_it_says_they_come_with_the_sync(qtbot: QtBot, app_context: AppContext) -> None:
    widget = view(qtbot)
    widget.set_case_mix(load_case_mix(app_context.store, date(2026, 1, 1), date(2026, 1, 7), Dimension.SEVERITY,
                                      Dimension.COMPLAINT_GROUP))
    assert "No counted days from the sync server" in widget.answer.text() and widget.table.rowCount() == 1
