from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from emsync_desktop.domain.beds import BedStatus
from emsync_desktop.domain.roles import Role
from emsync_desktop.store.models import Bed
from emsync_desktop.ui.main_window import MainWindow
from emsync_desktop.ui.nurse.workspace import NurseWorkspace
from tests.ui.conftest import sign_in_as


def open_board(qtbot: QtBot, window: MainWindow) -> NurseWorkspace:
    sign_in_as(qtbot, window, Role.NURSE)
    workspace = window.workspace
    assert isinstance(workspace, NurseWorkspace)
    qtbot.waitUntil(lambda: len(workspace.beds.tiles) > 20)
    return workspace


def test_a_key_on_a_focused_bed_sets_its_status(qtbot: QtBot, window: MainWindow) -> None:
    board = open_board(qtbot, window).beds
    bed_id, tile = next((i, t) for i, t in board.tiles.items() if t.bed.status is BedStatus.OCCUPIED)
    tile.setFocus()
    qtbot.keyClick(tile, Qt.Key.Key_C)
    qtbot.waitUntil(lambda: board.tiles[bed_id].bed.status is BedStatus.CLEANING)
    assert board.tiles[bed_id].bed.waiting and "⏳" in board.tiles[bed_id].text()


def test_tapping_a_bed_offers_the_statuses_and_sets_the_chosen_one(qtbot: QtBot, window: MainWindow) -> None:
    board = open_board(qtbot, window).beds
    bed_id, tile = next((i, t) for i, t in board.tiles.items() if t.bed.status is BedStatus.AVAILABLE)
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
    menu = board.findChild(QMenu)
    assert menu is not None
    isolation = next(a for a in menu.actions() if a.text().startswith("Isolation"))
    isolation.trigger()
    qtbot.waitUntil(lambda: board.tiles[bed_id].bed.status is BedStatus.ISOLATION)


def test_held_bed_cannot_be_changed_and_says_why(qtbot: QtBot, window: MainWindow) -> None:
    board = open_board(qtbot, window).beds
    bed_id = next(i for i, t in board.tiles.items() if t.bed.status is BedStatus.AVAILABLE)
    with window.context.store.sessions.begin() as session:
        session.get(Bed, bed_id).status = "reserved"  # type: ignore[union-attr]
    board.refresh()
    qtbot.waitUntil(lambda: board.tiles[bed_id].bed.status is BedStatus.RESERVED)
    board.set_status(bed_id, BedStatus.CLEANING)
    qtbot.waitUntil(lambda: "held for an incoming transfer" in board.message.text())
    assert board.message.text().startswith(f"Bed {board.tiles[bed_id].bed.label}: ")  # which bed, said


def _open_menu(qtbot: QtBot, board, status: BedStatus):  # type: ignore[no-untyped-def]
    bed_id, tile = next((i, t) for i, t in board.tiles.items() if t.bed.status is status)
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: board.menu is not None and board.menu.isVisible())
    return bed_id, tile, board.menu


def test_menu_rows_are_tall_enough_to_tap(qtbot: QtBot, window: MainWindow) -> None:
    board = open_board(qtbot, window).beds
    _bed_id, _tile, menu = _open_menu(qtbot, board, BedStatus.OCCUPIED)
    assert min(menu.actionGeometry(a).height() for a in menu.actions() if not a.isSeparator()) >= 44
    menu.close()


def test_the_letter_in_the_menu_works_as_a_key(qtbot: QtBot, window: MainWindow) -> None:
    board = open_board(qtbot, window).beds
    bed_id, _tile, menu = _open_menu(qtbot, board, BedStatus.OCCUPIED)
    qtbot.keyClick(menu, Qt.Key.Key_C)
    qtbot.waitUntil(lambda: board.tiles[bed_id].bed.status is BedStatus.CLEANING)


def test_escape_gives_the_focus_back_to_the_bed(qtbot: QtBot, window: MainWindow) -> None:
    board = open_board(qtbot, window).beds
    bed_id, tile, menu = _open_menu(qtbot, board, BedStatus.OCCUPIED)
    qtbot.keyClick(menu, Qt.Key.Key_Escape)
    qtbot.waitUntil(tile.hasFocus)
    qtbot.keyClick(tile, Qt.Key.Key_D)  # the next status key still works
    qtbot.waitUntil(lambda: board.tiles[bed_id].bed.status is BedStatus.PENDING_DISCHARGE)


@pytest.mark.parametrize("size", [(1280, 800), (1366, 768), (1440, 900), (1920, 1080)], ids=str)
def test_the_board_settles_instead_of_redrawing_itself(qtbot: QtBot, window: MainWindow,
                                                       size: tuple[int, int]) -> None:
    from tests.ui.test_ward_decisions import nurse_with_one_card

    window.resize(*size)
    board = nurse_with_one_card(qtbot, window).beds  # the incoming card makes the board's column narrower
    qtbot.wait(300)
    redraws: list[int] = []
    board.shown.connect(lambda: redraws.append(1))
    qtbot.wait(500)
    assert redraws == []


def test_a_legend_entry_never_breaks_inside(qtbot: QtBot, window: MainWindow) -> None:
    board = open_board(qtbot, window).beds
    assert "Out&nbsp;of&nbsp;service&nbsp;(X)" in board.legend.text()


def test_a_status_change_redraws_the_bed_not_the_board(qtbot: QtBot, window: MainWindow) -> None:
    board = open_board(qtbot, window).beds
    bed_id, tile = next((i, t) for i, t in board.tiles.items() if t.bed.status is BedStatus.AVAILABLE)
    board.set_status(bed_id, BedStatus.CLEANING)
    qtbot.waitUntil(lambda: board.tiles[bed_id].bed.status is BedStatus.CLEANING)
    assert board.tiles[bed_id] is tile and "Cleaning" in tile.text()  # same tile: scroll and focus stay


def test_a_sync_that_changed_no_bed_draws_nothing(qtbot: QtBot, window: MainWindow) -> None:
    board = open_board(qtbot, window).beds
    qtbot.wait(200)
    drawn: list[int] = []
    board.shown.connect(lambda: drawn.append(1))
    board.refresh()
    qtbot.wait(300)
    assert drawn == []


def test_the_bed_menu_names_its_bed_and_starts_on_a_row(qtbot: QtBot, window: MainWindow) -> None:
    board = open_board(qtbot, window).beds
    _bed_id, tile, menu = _open_menu(qtbot, board, BedStatus.AVAILABLE)
    assert menu.actions()[0].text() == f"Bed {tile.bed.label}: Available"
    assert menu.activeAction() is not None and menu.activeAction().isEnabled()
    menu.close()


def test_a_bed_change_says_it_is_saved_on_this_device(qtbot: QtBot, window: MainWindow) -> None:
    board = open_board(qtbot, window).beds
    window.saved_label.setText("")
    bed_id = next(i for i, t in board.tiles.items() if t.bed.status is BedStatus.AVAILABLE)
    board.set_status(bed_id, BedStatus.CLEANING)
    qtbot.waitUntil(lambda: window.saved_label.text().startswith("✔ Saved on this device"))
