"""The roster tab (issue 26) with pytest-qt: a roster built off the GUI thread appears and is saved; impossible rules
are named instead; the staff form refuses what cannot be right and says which row."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidgetItem
from pytestqt.qtbot import QtBot

from emsync_desktop.domain.roles import Role, UserInfo
from emsync_desktop.domain.roster import Grade, Nurse, Rules
from emsync_desktop.domain.shifts import Shift
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.rosters import RosterBook
from emsync_desktop.services.runner import DbRunner
from emsync_desktop.services.staffing import staffing
from emsync_desktop.ui.nurse.roster_dialogs import StaffDialog
from emsync_desktop.ui.nurse.roster_view import RosterView
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import LIGHT

TEAM = tuple(Nurse(name.lower(), name, Grade.REGISTERED, 37.5) for name in ("Asha", "Bina", "Chitra", "Devi",
                                                                            "Elsa", "Fatima"))


@pytest.fixture
def book(app_context: AppContext) -> RosterBook:
    nurse: UserInfo = next(u for u in demo_users(app_context.store) if u.role is Role.NURSE)
    book = RosterBook(app_context.store, nurse)
    book.save_staff(TEAM)
    return book


@pytest.fixture
def view(qtbot: QtBot, runner: DbRunner, app_context: AppContext, book: RosterBook) -> Iterator[RosterView]:
    nurse = next(u for u in demo_users(app_context.store) if u.role is Role.NURSE)
    roster = RosterView(TaskRelay(runner), book,
                        lambda saved: staffing(app_context.store, nurse, saved, datetime.now(UTC)), LIGHT)
    qtbot.addWidget(roster)
    roster.show()
    yield roster


def test_a_roster_is_built_off_the_gui_thread_shown_and_saved(qtbot: QtBot, view: RosterView,
                                                              book: RosterBook) -> None:
    book.save_rules(Rules(cover={Shift.EARLY: 1, Shift.LATE: 1, Shift.NIGHT: 1}, min_registered=1))
    qtbot.mouseClick(view.build, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.build.isEnabled() and view.grid.rowCount() == len(TEAM) + 3, timeout=30_000)
    assert "Every hard rule kept" in view.notes.text()
    qtbot.waitUntil(lambda: book.saved() is not None)
    saved = book.saved()
    assert saved is not None and set(saved.roster.shifts) == {n.id for n in TEAM}


def test_rules_no_roster_can_keep_are_named(qtbot: QtBot, view: RosterView, book: RosterBook) -> None:
    book.save_rules(Rules(cover={Shift.EARLY: 5, Shift.LATE: 5, Shift.NIGHT: 5}, min_registered=2))
    qtbot.mouseClick(view.build, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.build.isEnabled() and "No roster built" in view.outcome.text(), timeout=60_000)
    assert "No roster can keep all of these rules together" in view.notes.text()
    assert "cover of 5 nurses" in view.notes.text() and book.saved() is None


def test_the_staff_form_says_which_row_is_wrong(qtbot: QtBot) -> None:
    dialog = StaffDialog(TEAM[:1])
    qtbot.addWidget(dialog)
    dialog.table.setItem(0, 2, QTableWidgetItem("lots"))
    dialog.buttons.accepted.emit()
    assert dialog.problem.isVisibleTo(dialog) and "Row 1 (Asha): hours a week is a number" in dialog.problem.text()
    dialog.table.setItem(0, 2, QTableWidgetItem("30"))
    dialog.buttons.accepted.emit()
    assert dialog.result() == 1 and dialog.staff[0].contract_hours == 30.0


def test_a_stopped_build_is_shown_but_saved_only_when_asked(qtbot: QtBot, view: RosterView, book: RosterBook) -> None:
    from emsync_desktop.services.roster_demo import DEMO_RULES, demo_staff

    book.save_staff(demo_staff())
    book.save_rules(DEMO_RULES)
    qtbot.mouseClick(view.build, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.outcome.text().startswith("Found a roster"), timeout=30_000)
    qtbot.mouseClick(view.stop, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(view.build.isEnabled, timeout=30_000)
    assert view.keep.isVisibleTo(view) and "not saved" in view.outcome.text() and book.saved() is None
    qtbot.mouseClick(view.keep, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: book.saved() is not None)
    assert not view.keep.isVisibleTo(view)
