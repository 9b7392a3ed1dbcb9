"""Every workspace and tab at field screen sizes: nothing off screen, no text cut, targets a finger can hit
(issue 18), at 100 % and 200 % scaling. Controls inside scroll areas may be scrolled out of view: that is on purpose."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabWidget
from pytestqt.qtbot import QtBot

from emsync_desktop.domain.roles import Role
from emsync_desktop.ui.main_window import MainWindow
from tests.ui.conftest import sign_in_as
from tests.ui.screen_fit import problems

SIZES = [(1280, 800), (1366, 768), (1920, 1080)]  # logical pixels: at 200 % a 1366×768 window is 2732×1536
# `make test` runs this file twice: as is, and with QT_SCALE_FACTOR=2 (200 % scaling).
SCALE = float(os.environ.get("QT_SCALE_FACTOR", "1"))


def test_the_run_is_at_the_scale_it_claims(window: MainWindow) -> None:
    assert window.devicePixelRatio() == SCALE


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_sign_in_fits(qtbot: QtBot, window: MainWindow, size: tuple[int, int]) -> None:
    window.resize(*size)
    qtbot.waitUntil(lambda: "nurse" in window.login.demo_buttons)
    assert not problems(window), "\n".join(problems(window))


def _every_tab(qtbot: QtBot, window: MainWindow) -> list[str]:
    found = [f"(as opened) {p}" for p in problems(window)]
    assert window.workspace is not None
    for tabs in window.workspace.findChildren(QTabWidget):
        for index in range(tabs.count()):
            if tabs.tabText(index).startswith("Map"):
                continue  # a web page: its own layout
            tabs.setCurrentIndex(index)
            qtbot.wait(50)
            found += [f"{tabs.tabText(index).strip()}: {p}" for p in problems(window)]
    return sorted(set(found))


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
# The coordinator's desk opens on a QtWebEngine map: resizing the offscreen window under a page that is
# still starting crashed QtWebEngine (SIGSEGV in the test process), so that workspace is checked at
# 1366×768 in a real window and by its screenshots instead.
@pytest.mark.parametrize("role", [Role.PARAMEDIC, Role.NURSE, Role.ADMIN, Role.BLOOD_BANK], ids=lambda r: r.value)
def test_every_tab_fits(qtbot: QtBot, window: MainWindow, role: Role, size: tuple[int, int]) -> None:
    sign_in_as(qtbot, window, role)
    window.resize(*size)
    if role is Role.PARAMEDIC:
        qtbot.mouseClick(window.workspace.case_list.new_button, Qt.MouseButton.LeftButton)  # type: ignore[union-attr]
        qtbot.waitUntil(lambda: window.workspace.model.snapshot is not None)  # type: ignore[union-attr]
    qtbot.wait(200)
    found = _every_tab(qtbot, window)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_coordinator_desk_fits(qtbot: QtBot, window: MainWindow, size: tuple[int, int]) -> None:
    window.resize(*size)  # before its map page starts: resizing under a starting page crashed QtWebEngine
    sign_in_as(qtbot, window, Role.COORDINATOR)
    qtbot.wait(200)
    found = _every_tab(qtbot, window)
    assert not found, "\n".join(found)


def test_a_growing_case_title_moves_no_panel(qtbot: QtBot, window: MainWindow) -> None:
    from tests.ui.test_case_entry import open_new_case, type_into

    window.resize(1366, 768)
    workspace = open_new_case(qtbot, window)
    qtbot.wait(100)
    before = (workspace.tabs.width(), workspace.side_tabs.width())
    type_into(qtbot, workspace.form.fields["chief_complaint"],  # type: ignore[arg-type]
              "Fell from a ladder about three metres onto concrete, now confused and vomiting twice")
    qtbot.waitUntil(lambda: "vomiting" in workspace.title.full_text())
    qtbot.wait(50)
    assert (workspace.tabs.width(), workspace.side_tabs.width()) == before
    assert workspace.title.text().endswith("…") and "vomiting" in workspace.title.toolTip()
