"""The coordinator's desk: capacity on the map, redirecting a transfer, the trends tab, the ambulances on their way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from emsync_desktop.domain.ids import demo_id
from emsync_desktop.domain.roles import Role
from emsync_desktop.services.clock import utc_now
from emsync_desktop.store.models import AmbulancePosition
from emsync_desktop.sync.engine import SyncStatus
from emsync_desktop.sync.local import store_changes
from emsync_desktop.ui.coordinator.open_transfers import TRANSFER_ID_ROLE
from emsync_desktop.ui.coordinator.workspace import CoordinatorWorkspace
from emsync_desktop.ui.main_window import MainWindow
from tests.services.test_trends import figures
from tests.ui.conftest import send_case_as_paramedic, sign_in_as


def coordinator_with_one_transfer(qtbot: QtBot, window: MainWindow) -> CoordinatorWorkspace:
    send_case_as_paramedic(window, "Chest pain", "Lourdes", "ICU")
    sign_in_as(qtbot, window, Role.COORDINATOR)
    workspace = window.workspace
    assert isinstance(workspace, CoordinatorWorkspace)
    qtbot.waitUntil(lambda: workspace.transfers.rowCount() == 1, timeout=10_000)
    return workspace


def attention(workspace: CoordinatorWorkspace) -> str:
    item = workspace.transfers.item(0, 7)
    return item.text() if item else ""


def test_coordinator_redirects_a_transfer_with_a_reason(qtbot: QtBot, window: MainWindow) -> None:
    workspace = coordinator_with_one_transfer(qtbot, window)
    workspace.transfers.selectRow(0)
    qtbot.mouseClick(workspace.redirect, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: workspace.redirect_dialog is not None and workspace.redirect_dialog.isVisible())
    dialog = workspace.redirect_dialog
    assert dialog is not None
    dialog.choose(demo_id("hospital", "Amrita"))
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert "Give a reason" in dialog.error.text() and dialog.isVisible()  # nothing sent without one
    qtbot.keyClicks(dialog.reason, "Cath lab down at Lourdes")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "redirect to Amrita ICU waiting for the server" in attention(workspace), timeout=10_000)


def test_redirect_without_a_selected_transfer_says_what_to_do(qtbot: QtBot, window: MainWindow) -> None:
    workspace = coordinator_with_one_transfer(qtbot, window)
    workspace.transfers.clearSelection()
    qtbot.mouseClick(workspace.redirect, Qt.MouseButton.LeftButton)
    assert workspace.message.text() == "Select a transfer in the table first." and workspace.redirect_dialog is None


def test_capacity_map_shows_every_hospital_with_its_free_beds(qtbot: QtBot, window: MainWindow) -> None:
    workspace = coordinator_with_one_transfer(qtbot, window)
    qtbot.waitUntil(lambda: workspace.map.ready, timeout=30_000)
    scene = workspace.map._scene
    assert scene is not None and len(scene.hospitals) == workspace.capacity.rowCount() == 10
    assert all(pin.label and " ICU " in pin.label for pin in scene.hospitals)


def test_trends_tab_charts_the_servers_hourly_figures(qtbot: QtBot, window: MainWindow) -> None:
    workspace = coordinator_with_one_transfer(qtbot, window)
    now = datetime.now(UTC)
    store_changes(window.context.store, [figures(1, 2, "ICU", 10, 0, now=now), figures(2, 1, "ICU", 12, 1, now=now)], 2)
    workspace.tabs.setCurrentWidget(workspace.trends)
    qtbot.waitUntil(lambda: "1 transfer requested" in workspace.trends.summary.text(), timeout=10_000)
    xs, ys = workspace.trends.occupancy_curves["ICU"].getData()
    assert xs is not None and len(xs) >= 2 and all(0 <= y <= 100 for y in ys)


def test_open_trends_follow_the_servers_new_figures_without_a_tab_switch(qtbot: QtBot, window: MainWindow) -> None:
    workspace = coordinator_with_one_transfer(qtbot, window)
    workspace.tabs.setCurrentWidget(workspace.trends)
    now = datetime.now(UTC)
    store_changes(window.context.store, [figures(1, 0, "ICU", 10, 3, now=now)], 1)
    workspace.on_synced(SyncStatus(True, 0, now, None, touched=frozenset({"capacity_hour"})))
    qtbot.waitUntil(lambda: "3 transfers requested" in workspace.trends.summary.text(), timeout=10_000)


def test_the_desk_sees_each_ambulance_on_the_map_and_its_arrival_in_the_table(qtbot: QtBot, window: MainWindow) -> None:
    workspace = coordinator_with_one_transfer(qtbot, window)
    item = workspace.transfers.item(0, 0)
    assert item is not None
    at = utc_now() - timedelta(seconds=30)
    with window.context.store.sessions.begin() as session:  # as the pull stores a position (``sync.apply``)
        session.add(AmbulancePosition(id=item.data(TRANSFER_ID_ROLE), lat=9.95, lon=76.29, at=at, source="GPS",
                                      version=1))
    workspace.on_synced(SyncStatus(online=True, pending=0, last_sync=None, error=None, touched=frozenset({"position"})))
    qtbot.waitUntil(lambda: (workspace.transfers.item(0, 5) or item).text().startswith("arrives in "), timeout=10_000)
    qtbot.waitUntil(lambda: workspace.map._scene is not None and len(workspace.map._scene.fleet) == 1)
    [pin] = workspace.map._scene.fleet  # type: ignore[union-attr]
    assert pin.label.startswith("Lourdes ICU · ") and pin.label.endswith(" min") and not pin.stale
