from __future__ import annotations

from pytestqt.qtbot import QtBot

from emsync_desktop.domain.roles import Role
from emsync_desktop.ui.main_window import MainWindow
from tests.ui.conftest import send_case_as_paramedic, sign_in_as
from tests.ui.test_messages import SYNCED, crew_message
from tests.ui.test_nurse_live_eta import position_pulled


def test_shots(qtbot: QtBot, window: MainWindow) -> None:
    window.resize(1366, 768)
    transfer_id = send_case_as_paramedic(window, "Chest pain", "Lourdes", "ICU")
    crew_message(window, transfer_id, "Need resus bay, BP dropping 80/50")
    sign_in_as(qtbot, window, Role.NURSE)
    ws = window.workspace
    qtbot.waitUntil(lambda: len(ws.incoming.cards) == 1, timeout=10_000)
    position_pulled(window, ws, transfer_id, age_s=20)
    ws.on_synced(SYNCED)
    qtbot.waitUntil(lambda: bool(ws.incoming.approach.maps), timeout=10_000)
    panel = ws.incoming.approach.maps[transfer_id]
    qtbot.waitUntil(lambda: panel.ready, timeout=30_000)
    qtbot.wait(1500)
    window.grab().save("/tmp/shots/nurse_map.png")
    position_pulled(window, ws, transfer_id, age_s=200)
    qtbot.wait(6000)
    window.grab().save("/tmp/shots/nurse_map_stale.png")
