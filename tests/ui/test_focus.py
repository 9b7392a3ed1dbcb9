"""Keyboard focus: nothing typed after sign-in or into a new case can open another case."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from emsync_desktop.domain.roles import Role
from emsync_desktop.ui.main_window import MainWindow
from emsync_desktop.ui.paramedic.workspace import ParamedicWorkspace
from tests.ui.conftest import sign_in_as


def _workspace(window: MainWindow) -> ParamedicWorkspace:
    assert isinstance(window.workspace, ParamedicWorkspace)
    return window.workspace


def test_typing_after_sign_in_opens_no_case(qtbot: QtBot, window: MainWindow) -> None:
    sign_in_as(qtbot, window, Role.PARAMEDIC)
    workspace = _workspace(window)
    focused = QApplication.focusWidget()
    assert focused is workspace.case_list.search
    qtbot.keyClicks(focused, "a b c")
    qtbot.wait(100)
    assert workspace.model.snapshot is None and workspace.case_list.list.count() == 0


def test_ctrl_n_puts_the_cursor_in_the_chief_complaint(qtbot: QtBot, window: MainWindow) -> None:
    sign_in_as(qtbot, window, Role.PARAMEDIC)
    workspace = _workspace(window)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    complaint = workspace.form.fields["chief_complaint"].edit  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: QApplication.focusWidget() is complaint)
    qtbot.keyClicks(QApplication.focusWidget(), "a b c")
    qtbot.waitUntil(lambda: workspace.model.snapshot is not None
                    and workspace.model.snapshot.details.chief_complaint == "a b c", timeout=5_000)
    assert workspace.case_list.list.count() == 1


def test_clicking_new_case_leaves_no_focus_on_the_button(qtbot: QtBot, window: MainWindow) -> None:
    sign_in_as(qtbot, window, Role.PARAMEDIC)
    workspace = _workspace(window)
    qtbot.mouseClick(workspace.case_list.new_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: workspace.model.snapshot is not None)
    qtbot.keyClicks(QApplication.focusWidget() or window, "   ")
    qtbot.wait(200)
    assert workspace.case_list.list.count() == 1
