"""Keyboard only (issue 18): every control is reachable, Tab always leads out again, shortcuts land in the
first field, and the paramedic's story (sign in, case, vitals, hospital, send) needs no mouse."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QGraphicsView, QPushButton, QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from emsync_desktop.domain.roles import Role
from emsync_desktop.ui.main_window import MainWindow
from emsync_desktop.ui.paramedic.workspace import ParamedicWorkspace
from emsync_desktop.ui.widgets.fields import ChoiceField, SavingField
from tests.ui.conftest import sign_in_as
from tests.ui.test_case_entry import open_new_case

CTRL = Qt.KeyboardModifier.ControlModifier


def _key(qtbot: QtBot, window: MainWindow, key: Qt.Key,
         modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(QApplication.focusWidget() or window, key, modifier)


def _traps(root: QWidget) -> list[str]:
    """Tables that move Tab between their cells, and scroll areas or charts that take Tab unseen."""
    found = [f"{type(v).__name__} keeps Tab" for v in root.findChildren(QAbstractItemView) if v.tabKeyNavigation()]
    found += [f"{type(a).__name__} is a Tab stop" for a in root.findChildren(QWidget)
              if isinstance(a, (QScrollArea, QGraphicsView)) and a.focusPolicy() & Qt.FocusPolicy.TabFocus]
    return found


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_no_workspace_traps_or_hides_the_tab_key(qtbot: QtBot, window: MainWindow, role: Role) -> None:
    sign_in_as(qtbot, window, role)
    assert window.workspace is not None
    assert _traps(window.workspace) == []


def test_every_acvpu_button_is_a_tab_stop_and_return_presses_it(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    acvpu = workspace.vitals.fields["consciousness"]
    assert isinstance(acvpu, ChoiceField)
    assert all(b.focusPolicy() & Qt.FocusPolicy.TabFocus for b in acvpu.buttons.values())
    acvpu.buttons["V"].setFocus()
    qtbot.keyClick(acvpu.buttons["V"], Qt.Key.Key_Return)
    assert acvpu.value() == "V"


def test_ctrl_2_puts_the_cursor_in_heart_rate_and_enter_moves_on(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    _key(qtbot, window, Qt.Key.Key_2, CTRL)
    heart_rate, resp_rate = (workspace.vitals.fields[n] for n in ("hr_bpm", "rr_per_min"))
    assert isinstance(heart_rate, SavingField) and isinstance(resp_rate, SavingField)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is heart_rate.edit)
    qtbot.keyClicks(heart_rate.edit, "120")
    qtbot.keyClick(heart_rate.edit, Qt.Key.Key_Return)
    focused = QApplication.focusWidget()
    assert focused is resp_rate.edit, focused.accessibleName() if focused else None
    qtbot.waitUntil(lambda: workspace.model.snapshot is not None
                    and [v.vitals.hr_bpm for v in workspace.model.snapshot.vitals] == [120])


def test_a_bad_value_is_explained_in_full_under_the_vitals(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    _key(qtbot, window, Qt.Key.Key_2, CTRL)
    heart_rate = workspace.vitals.fields["hr_bpm"]
    assert isinstance(heart_rate, SavingField)
    qtbot.keyClicks(heart_rate.edit, "12o")
    qtbot.keyClick(heart_rate.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: workspace.vitals.problems.isVisible())
    whole = heart_rate.messages.full_text().removeprefix("✖ ")
    assert whole and workspace.vitals.problems.text() == f"✖ {whole}"
    assert workspace.vitals.problems.fontMetrics().boundingRect(
        0, 0, workspace.vitals.problems.width(), 1000, Qt.TextFlag.TextWordWrap, workspace.vitals.problems.text(),
    ).height() <= workspace.vitals.problems.height()  # it fits its two lines: nothing is cut


def _open_hospitals_by_keyboard(qtbot: QtBot, window: MainWindow) -> ParamedicWorkspace:
    workspace = open_new_case(qtbot, window)
    complaint = workspace.form.fields["chief_complaint"]
    assert isinstance(complaint, SavingField)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is complaint.edit)  # a new case puts the cursor there
    qtbot.keyClicks(complaint.edit, "Fall from a ladder")
    _key(qtbot, window, Qt.Key.Key_3, CTRL)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is workspace.transfer.hospitals)
    qtbot.waitUntil(lambda: "Ranked from" in workspace.transfer.routing_note.text(), timeout=15_000)
    return workspace


def _arrow_to(qtbot: QtBot, workspace: ParamedicWorkspace, name: str) -> str:
    table = workspace.transfer.hospitals
    rows = [table.item(r, 0).text() for r in range(table.rowCount())]  # type: ignore[union-attr]
    target = next(r for r, text in enumerate(rows) if text.startswith(name))
    for _ in range(target - table.currentRow()):
        qtbot.keyClick(table, Qt.Key.Key_Down)
    hospital = workspace.transfer.selected_hospital()
    assert hospital is not None and table.item(target, 0).data(Qt.ItemDataRole.UserRole) == hospital  # type: ignore[union-attr]
    return hospital


def test_a_hospital_chosen_with_the_arrow_keys_stays_chosen_through_new_rankings(qtbot: QtBot,
                                                                                   window: MainWindow) -> None:
    workspace = _open_hospitals_by_keyboard(qtbot, window)
    chosen = _arrow_to(qtbot, workspace, "Lourdes")
    with qtbot.waitSignal(workspace.transfer.chooser.ranked, timeout=15_000):
        workspace.transfer.unit.set_value("WARD")
        workspace.transfer._fill_hospitals()  # a new ranking, as a new position or capacity brings
    assert workspace.transfer.selected_hospital() == chosen


def test_the_paramedic_sends_a_case_without_a_mouse(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.waitUntil(lambda: "paramedic" in window.login.demo_buttons)
    window.login.demo_buttons["paramedic"].setFocus()
    qtbot.keyClick(window.login.demo_buttons["paramedic"], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.user is not None and window.user.role is Role.PARAMEDIC)
    workspace = window.workspace
    assert isinstance(workspace, ParamedicWorkspace)
    _key(qtbot, window, Qt.Key.Key_N, CTRL)
    complaint = workspace.form.fields["chief_complaint"]
    assert isinstance(complaint, SavingField)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is complaint.edit)
    qtbot.keyClicks(complaint.edit, "Fall from a ladder")
    _key(qtbot, window, Qt.Key.Key_3, CTRL)
    qtbot.waitUntil(lambda: "Ranked from" in workspace.transfer.routing_note.text(), timeout=15_000)
    _arrow_to(qtbot, workspace, "Lourdes")
    for _ in range(12):  # Tab on to the send button
        if QApplication.focusWidget() is workspace.transfer.send:
            break
        _key(qtbot, window, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is workspace.transfer.send
    _key(qtbot, window, Qt.Key.Key_Return)
    assert workspace.transfer.message.text() == ""
    case_id = workspace.model.snapshot.id  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: len(workspace.transfer._service.transfers_for_case(case_id)) == 1)
    [sent] = workspace.transfer._service.transfers_for_case(case_id)
    assert sent.hospital.startswith("Lourdes")
    focused = QApplication.focusWidget()  # not lost with the button that went grey: still on this tab
    assert focused is not None and workspace.transfer.isAncestorOf(focused)
    qtbot.waitUntil(lambda: workspace.map.send.text() == "Send elsewhere…")  # the map's button says the same


def test_ctrl_shift_q_signs_out(qtbot: QtBot, window: MainWindow) -> None:
    sign_in_as(qtbot, window, Role.NURSE)
    _key(qtbot, window, Qt.Key.Key_Q, CTRL | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: window.user is None)


def test_the_sign_in_screen_starts_in_the_user_name(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.login.username)


def test_the_keyboard_stays_on_a_card_after_its_button_is_pressed(qtbot: QtBot, window: MainWindow) -> None:
    from tests.ui.test_ward_decisions import nurse_with_one_card

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    workspace = nurse_with_one_card(qtbot, window)
    [card] = workspace.incoming.cards.values()
    first = card.findChildren(QPushButton)[0]
    first.setFocus()
    qtbot.keyClick(first, Qt.Key.Key_Return)  # a pressed button is gone after the cards are rebuilt
    qtbot.waitUntil(lambda: next(iter(workspace.incoming.cards.values())) is not card)
    [rebuilt] = workspace.incoming.cards.values()
    qtbot.waitUntil(lambda: rebuilt.isAncestorOf(QApplication.focusWidget()))


def test_arrow_keys_move_between_beds_as_they_are_laid_out(qtbot: QtBot, window: MainWindow) -> None:
    from tests.ui.test_bed_board import open_board

    window.resize(1366, 768)
    board = open_board(qtbot, window).beds
    qtbot.wait(100)
    tiles = list(board.tiles.values())
    first = tiles[0]
    first.setFocus()

    def place(tile: QWidget) -> tuple[int, int]:
        point = tile.mapTo(board, tile.rect().topLeft())
        return point.x(), point.y()

    qtbot.keyClick(first, Qt.Key.Key_Down)
    below = QApplication.focusWidget()
    assert below in tiles and place(below)[0] == place(first)[0] and place(below)[1] > place(first)[1]
    qtbot.keyClick(below, Qt.Key.Key_Right)
    right = QApplication.focusWidget()
    assert right in tiles and place(right)[1] == place(below)[1] and place(right)[0] > place(below)[0]


def test_tab_goes_through_the_beds_before_the_incoming_transfers(qtbot: QtBot, window: MainWindow) -> None:
    from tests.ui.test_ward_decisions import nurse_with_one_card

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    workspace = nurse_with_one_card(qtbot, window)
    workspace.incoming.refresh()  # the cards redrawn after the board: they must still come after it
    qtbot.wait(200)
    qtbot.waitUntil(lambda: all(t.isVisible() for t in workspace.beds.tiles.values()))
    tiles = list(workspace.beds.tiles.values())
    tiles[-2].setFocus()
    qtbot.keyClick(tiles[-2], Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is tiles[-1]
    qtbot.keyClick(tiles[-1], Qt.Key.Key_Tab)
    [card] = workspace.incoming.cards.values()
    assert card.isAncestorOf(QApplication.focusWidget())


def test_the_coordinator_redirects_a_transfer_without_a_mouse(qtbot: QtBot, window: MainWindow) -> None:
    from tests.ui.test_coordinator import coordinator_with_one_transfer

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    workspace = coordinator_with_one_transfer(qtbot, window)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is workspace.transfers)
    workspace.transfers.clearSelection()
    qtbot.keyClick(workspace.transfers, Qt.Key.Key_Home)  # the first row, selected
    qtbot.keyClick(workspace.transfers, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: workspace.redirect_dialog is not None and workspace.redirect_dialog.isVisible())
    workspace.redirect_dialog.reject()  # type: ignore[union-attr]
    window.activateWindow()  # what the window manager does when a dialog closes (offscreen has none)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is workspace.transfers)  # back on the row
    _key(qtbot, window, Qt.Key.Key_2, CTRL)
    assert workspace.tabs.currentWidget() is workspace.trends
    assert QApplication.focusWidget() is workspace.tabs.tabBar()  # the keyboard is somewhere visible
    _key(qtbot, window, Qt.Key.Key_1, CTRL)
    assert QApplication.focusWidget() is workspace.transfers


def test_ctrl_i_and_ctrl_b_take_the_nurse_to_the_transfers_and_the_beds(qtbot: QtBot, window: MainWindow) -> None:
    from tests.ui.test_ward_decisions import nurse_with_one_card

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    workspace = nurse_with_one_card(qtbot, window)
    _key(qtbot, window, Qt.Key.Key_I, CTRL)
    [card] = workspace.incoming.cards.values()
    assert card.isAncestorOf(QApplication.focusWidget())
    _key(qtbot, window, Qt.Key.Key_B, CTRL)
    assert QApplication.focusWidget() is next(iter(workspace.beds.tiles.values()))


def test_ctrl_6_gives_the_keyboard_to_the_maps_send_button(qtbot: QtBot, window: MainWindow) -> None:
    workspace = _open_hospitals_by_keyboard(qtbot, window)
    _key(qtbot, window, Qt.Key.Key_6, CTRL)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is workspace.map.send)
