from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from emsync_desktop.domain.disposition import Disposition
from emsync_desktop.ui.main_window import MainWindow
from tests.ui.test_case_entry import open_new_case, type_into


def test_paramedic_closes_a_case_and_it_leaves_the_list(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    type_into(qtbot, workspace.form.fields["chief_complaint"], "Faint, recovered")  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: workspace.case_list.list.count() == 1)
    workspace.ending.choose_disposition = lambda: Disposition.TREATED_ON_SCENE
    qtbot.mouseClick(workspace.ending.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Closed: Treated on scene" in workspace.ending.state.text())
    qtbot.waitUntil(lambda: workspace.case_list.list.count() == 0)
    assert workspace.ending.reopen_button.isVisible() and not workspace.ending.close_button.isVisible()
    qtbot.keyClicks(workspace.case_list.search, "faint")
    qtbot.waitUntil(lambda: workspace.case_list.list.count() == 1)
    assert "Closed: Treated on scene" in workspace.case_list.list.item(0).text()


def test_discarding_asks_first_and_then_clears_the_screen(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    asked: list[bool] = []
    workspace.ending.confirm_discard = lambda: asked.append(True) is None and len(asked) > 1  # No, then Yes
    qtbot.mouseClick(workspace.ending.discard_button, Qt.MouseButton.LeftButton)
    qtbot.wait(100)
    assert workspace.model.snapshot is not None
    qtbot.mouseClick(workspace.ending.discard_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: workspace.model.snapshot is None)
    qtbot.waitUntil(lambda: workspace.case_list.list.count() == 0)
    assert workspace.stack.currentIndex() == 0
