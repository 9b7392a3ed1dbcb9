"""The map tab in the real window: it loads, asks for nothing outside this machine, and a tap on a
hospital selects it for the transfer."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from PySide6.QtWebEngineCore import QWebEngineProfile, QWebEngineUrlRequestInfo, QWebEngineUrlRequestInterceptor
from pytestqt.qtbot import QtBot

from emsync_desktop.domain.roles import Role
from emsync_desktop.services.transfers import TransferService
from emsync_desktop.ui.main_window import MainWindow
from tests.ui.conftest import sign_in_as
from tests.ui.test_hospital_ranking import open_hospital_tab


class RequestLog(QWebEngineUrlRequestInterceptor):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:
        self.urls.append(info.requestUrl().toString())


@pytest.fixture
def request_log() -> Iterator[RequestLog]:
    log = RequestLog()
    profile = QWebEngineProfile.defaultProfile()
    profile.setUrlRequestInterceptor(log)
    yield log
    profile.setUrlRequestInterceptor(None)


@pytest.mark.slow
def test_map_loads_from_local_files_and_a_tap_picks_the_hospital(qtbot: QtBot, window: MainWindow,
                                                                 request_log: RequestLog) -> None:
    panel = open_hospital_tab(qtbot, window)
    workspace = window.workspace
    workspace.show_tab("Map")  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: workspace.map.ready, timeout=30_000)  # type: ignore[union-attr]
    local = ("file://", "qrc:", "data:", "http://127.0.0.1:")  # the last: the app's own tile server
    assert request_log.urls and all(u.startswith(local) for u in request_log.urls), request_log.urls
    last = panel.hospitals.item(panel.hospitals.rowCount() - 1, 0)
    assert last is not None
    target, short_name, full_name = str(last.data(256)), last.text(), last.toolTip()
    workspace.map.run_js(f"emsync.click({target!r});")  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: panel.selected_hospital() == target, timeout=10_000)
    qtbot.waitUntil(lambda: short_name in workspace.map.selection.text(), timeout=10_000)  # type: ignore[union-attr]
    workspace.map.send.click()  # type: ignore[union-attr]
    case_id = workspace.model.snapshot.id  # type: ignore[union-attr]
    transfers = TransferService(window.context.store, window.user)  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: len(transfers.transfers_for_case(case_id)) == 1, timeout=10_000)
    sent = transfers.transfers_for_case(case_id)[0]
    assert sent.hospital == full_name and workspace.tabs.currentWidget() is workspace.pages["Hospital"]  # type: ignore[union-attr]


@pytest.mark.slow
def test_map_labels_never_overlap(qtbot: QtBot, window: MainWindow) -> None:
    open_hospital_tab(qtbot, window)
    workspace = window.workspace
    workspace.show_tab("Map")  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: workspace.map.ready, timeout=30_000)  # type: ignore[union-attr]
    answers: list[object] = []
    page = workspace.map._view.page()  # type: ignore[union-attr]
    qtbot.wait(300)  # the labels are placed, then decluttered, on the page's next turn
    page.runJavaScript("JSON.stringify([emsync.overlapping(), emsync.shownLabels()])", 0, answers.append)
    qtbot.waitUntil(lambda: bool(answers), timeout=10_000)
    overlapping, shown = json.loads(str(answers[0]))
    assert overlapping == 0  # no label on another, on a pin not its own, or under the notice
    assert any(text.startswith("1. ") for text in shown), shown  # the best hospital is named


@pytest.mark.slow
def test_the_coordinator_map_names_pins_and_merges_those_that_meet(qtbot: QtBot, window: MainWindow) -> None:
    window.resize(1366, 768)  # before the page starts (resizing under a starting page crashed QtWebEngine)
    sign_in_as(qtbot, window, Role.COORDINATOR)
    workspace = window.workspace
    qtbot.waitUntil(lambda: workspace.map.ready, timeout=30_000)  # type: ignore[union-attr]
    answers: list[object] = []
    qtbot.wait(500)
    workspace.map._view.page().runJavaScript(  # type: ignore[union-attr]
        "JSON.stringify([emsync.overlapping(), emsync.shownLabels(), emsync.pinsOverlapping()])", 0,
        answers.append)
    qtbot.waitUntil(lambda: bool(answers), timeout=10_000)
    overlapping, shown, pins_on_pins = json.loads(str(answers[0]))
    assert overlapping == 0 and len(shown) >= 3, shown  # pins name their hospital where there is room
    assert pins_on_pins == 0  # pins that would sit on each other are merged into one with their sum


@pytest.mark.slow
def test_the_map_is_dark_at_night(qtbot: QtBot, window: MainWindow) -> None:
    window.toggle_theme()  # night, before the workspace (and its map) is built
    window.resize(1366, 768)
    sign_in_as(qtbot, window, Role.COORDINATOR)
    workspace = window.workspace
    qtbot.waitUntil(lambda: workspace.map.ready, timeout=30_000)  # type: ignore[union-attr]
    answers: list[object] = []
    workspace.map._view.page().runJavaScript(  # type: ignore[union-attr]
        "getComputedStyle(document.querySelector('.leaflet-container')).backgroundColor", 0, answers.append)
    qtbot.waitUntil(lambda: bool(answers), timeout=10_000)
    red, green, blue = (int(c) for c in str(answers[0]).removeprefix("rgb(").removesuffix(")").split(","))
    assert max(red, green, blue) < 60, answers  # no large bright area in a dark cab
