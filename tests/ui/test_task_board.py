"""The nurse's task board (issue 26) with pytest-qt: claiming from the board, the nurse in charge told of
escalations (with a moved clock), and the new-task form that does not close on an empty title."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.domain.ward_tasks import Priority
from emsync_desktop.services.runner import DbRunner
from emsync_desktop.services.ward_tasks import NewTask, WardTaskService
from emsync_desktop.ui.nurse.task_board import TaskBoardView
from emsync_desktop.ui.nurse.task_dialog import NewTaskDialog
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import LIGHT
from tests.services.test_ward_tasks import T0, Clock, clock, nurse, tasks

__all__ = ["clock", "nurse", "tasks"]  # the services tests' fixtures: a nurse, a movable clock, her task service


@pytest.fixture
def service(tasks: WardTaskService) -> WardTaskService:
    return tasks


@pytest.fixture
def board(qtbot: QtBot, runner: DbRunner, service: WardTaskService, nurse: UserInfo) -> Iterator[TaskBoardView]:
    view = TaskBoardView(TaskRelay(runner), service, nurse.id, LIGHT, lambda: None)
    qtbot.addWidget(view)
    view.show()
    yield view


def shown(qtbot: QtBot, board: TaskBoardView, rows: int) -> None:
    board.refresh()
    qtbot.waitUntil(lambda: board.table.rowCount() == rows)


def test_claiming_from_the_board_queues_the_claim_and_names_you(qtbot: QtBot, board: TaskBoardView,
                                                                 service: WardTaskService) -> None:
    service.create(NewTask("Check IV line", "ICU", Priority.URGENT, timedelta(minutes=30)))
    shown(qtbot, board, 1)
    assert board.claim.isEnabled() and not board.done.isEnabled()
    qtbot.mouseClick(board.claim, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: board.table.item(0, 5).text() == "you")
    assert board.table.item(0, 4).text() == "sending…" and board.done.isEnabled() and not board.claim.isEnabled()


def test_the_nurse_in_charge_sees_a_stat_task_nobody_claimed_for_five_minutes(
        qtbot: QtBot, board: TaskBoardView, service: WardTaskService, clock: Clock) -> None:
    service.create(NewTask("Suction, bed 2", "ICU", Priority.STAT, None))
    board.in_charge.setChecked(True)
    shown(qtbot, board, 1)
    assert not board.escalation.isVisible()
    clock.now = T0 + timedelta(minutes=6)
    with qtbot.waitSignal(board.escalations_changed) as escalated:
        board.refresh()
    assert escalated.args == [1]
    assert board.escalation.isVisible() and "Suction, bed 2" in board.escalation.text()
    assert board.table.item(0, 0).text() == "⚠ STAT"
    board.in_charge.setChecked(False)
    assert not board.escalation.isVisible()


def test_the_new_task_form_stays_open_and_says_why_on_an_empty_title(qtbot: QtBot, service: WardTaskService) -> None:
    dialog = NewTaskDialog(service.beds())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClick(dialog.title, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.problem.isVisible()
    qtbot.keyClicks(dialog.title, "Check drip")
    dialog.bed.setCurrentIndex(1)
    dialog.priority.setCurrentIndex(3)
    qtbot.keyClick(dialog.title, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    new = dialog.new_task()
    bed = service.beds()[0]
    assert (new.title, new.bed_id, new.due_in, new.priority, new.unit) == ("Check drip", bed.id, None, Priority.STAT,
                                                                          bed.unit)
    service.create(new)  # what the board does with it
    assert [t.title for t in service.board().tasks] == ["Check drip"]


def test_observations_need_a_typed_score_enter_alone_saves_nothing(qtbot: QtBot) -> None:
    from emsync_desktop.ui.nurse.task_dialog import ObservationsDialog

    dialog = ObservationsDialog("Observations, bed ICU-02")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClick(dialog.score, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.value() is None
    qtbot.keyClicks(dialog.score, "25")
    assert dialog.value() is None and "0 to 20" in dialog.next.text()
    dialog.score.clear()
    qtbot.keyClicks(dialog.score, "7")
    assert "continuously" in dialog.next.text()
    qtbot.keyClick(dialog.score, Qt.Key.Key_Return)
    assert not dialog.isVisible() and dialog.value() == 7
