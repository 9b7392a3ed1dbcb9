"""The demo app end to end: paramedic sends a case, the nurse accepts it, through the embedded server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from emsync_desktop.domain.lifecycle import TransferState
from emsync_desktop.domain.roles import Role
from emsync_desktop.services.bootstrap import AppContext, open_app
from emsync_desktop.services.embedded_server import EmbeddedServer, start_embedded_server
from emsync_desktop.services.runner import DbRunner
from emsync_desktop.ui.app import demo_sync_target
from emsync_desktop.ui.main_window import MainWindow
from emsync_desktop.ui.nurse.workspace import NurseWorkspace
from emsync_desktop.ui.paramedic.workspace import ParamedicWorkspace
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import LIGHT
from tests.ui.conftest import sign_in_as
from tests.ui.test_case_entry import type_into


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[EmbeddedServer]:
    server = start_embedded_server(tmp_path / "demo-server", port=0)
    assert server.ready.wait(60), server.failed
    yield server
    server.stop()


def window_for(qtbot: QtBot, data_dir: Path, server: EmbeddedServer) -> tuple[MainWindow, AppContext, DbRunner]:
    context = open_app(data_dir, lambda _r: None, demo=True)
    runner = DbRunner()
    window = MainWindow(context, TaskRelay(runner), LIGHT, demo_sync_target(server))
    qtbot.addWidget(window)
    window.resize(1440, 900)
    window.show()
    return window, context, runner


@pytest.mark.slow
def test_paramedic_sends_case_and_nurse_accepts_it(qtbot: QtBot, tmp_path: Path,
                                                  demo_server: EmbeddedServer) -> None:
    ambulance, amb_ctx, amb_runner = window_for(qtbot, tmp_path / "ambulance", demo_server)
    ward, ward_ctx, ward_runner = window_for(qtbot, tmp_path / "ward", demo_server)
    try:
        sign_in_as(qtbot, ambulance, Role.PARAMEDIC)
        paramedic = ambulance.workspace
        assert isinstance(paramedic, ParamedicWorkspace)
        qtbot.mouseClick(paramedic.case_list.new_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: paramedic.model.snapshot is not None)
        paramedic.tabs.setCurrentIndex(1)
        type_into(qtbot, paramedic.form.fields["chief_complaint"], "Fall from height, back pain")  # type: ignore[arg-type]
        paramedic.tabs.setCurrentIndex(2)
        panel = paramedic.transfer
        qtbot.waitUntil(lambda: panel.hospitals.rowCount() == 10)
        lourdes_row = next(r for r in range(10) if panel.hospitals.item(r, 0).text().startswith("Lourdes"))  # type: ignore[union-attr]
        panel.hospitals.selectRow(lourdes_row)
        panel.unit.set_value("WARD")
        qtbot.mouseClick(panel.send, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "Lourdes" in _paramedic_text(panel), timeout=10_000)
        qtbot.waitUntil(lambda: "Online · 0 changes waiting" in ambulance.connection_label.text(), timeout=20_000)

        sign_in_as(qtbot, ward, Role.NURSE)
        nurse = ward.workspace
        assert isinstance(nurse, NurseWorkspace)
        qtbot.waitUntil(lambda: len(nurse.incoming.cards) == 1, timeout=20_000)
        [transfer_id] = nurse.incoming.cards
        nurse.incoming.decide(transfer_id, TransferState.ACCEPTED)
        qtbot.waitUntil(lambda: "ACCEPTED" in _paramedic_text(panel), timeout=20_000)
    finally:
        for window, runner, ctx in ((ambulance, amb_runner, amb_ctx), (ward, ward_runner, ward_ctx)):
            window.close()
            runner.shutdown()
            ctx.close()
    alive = [t.name for t in threading.enumerate() if t.name in ("emsync-sync", "emsync-live") and t.is_alive()]
    assert alive == [], "closing the window must stop sync"


def _paramedic_text(panel: object) -> str:
    from PySide6.QtWidgets import QLabel

    panel.refresh()  # type: ignore[attr-defined]
    return " ".join(label.text() for label in panel.findChildren(QLabel))  # type: ignore[attr-defined]


@pytest.mark.slow
def test_rejection_reaches_the_crew_on_any_tab_with_its_reason(qtbot: QtBot, tmp_path: Path,
                                                                 demo_server: EmbeddedServer) -> None:
    ambulance, amb_ctx, amb_runner = window_for(qtbot, tmp_path / "ambulance", demo_server)
    ward, ward_ctx, ward_runner = window_for(qtbot, tmp_path / "ward", demo_server)
    try:
        sign_in_as(qtbot, ambulance, Role.PARAMEDIC)
        paramedic = ambulance.workspace
        assert isinstance(paramedic, ParamedicWorkspace)
        qtbot.mouseClick(paramedic.case_list.new_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: paramedic.model.snapshot is not None)
        type_into(qtbot, paramedic.form.fields["chief_complaint"], "Head injury")  # type: ignore[arg-type]
        paramedic.tabs.setCurrentIndex(2)
        panel = paramedic.transfer
        qtbot.waitUntil(lambda: panel.hospitals.rowCount() == 10)
        panel.pick(next(panel.hospitals.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(10)  # type: ignore[union-attr]
                        if panel.hospitals.item(r, 0).text().startswith("Lourdes")))  # type: ignore[union-attr]
        qtbot.mouseClick(panel.send, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "Online · 0 changes waiting" in ambulance.connection_label.text(), timeout=20_000)
        paramedic.tabs.setCurrentIndex(0)  # back on the Vitals tab

        sign_in_as(qtbot, ward, Role.NURSE)
        nurse = ward.workspace
        assert isinstance(nurse, NurseWorkspace)
        qtbot.waitUntil(lambda: len(nurse.incoming.cards) == 1, timeout=20_000)
        [transfer_id] = nurse.incoming.cards
        nurse.incoming.decide(transfer_id, TransferState.REJECTED, "no neurosurgeon on call")

        qtbot.waitUntil(lambda: paramedic.news.isVisible(), timeout=20_000)
        assert "Rejected by Maria Joseph" in paramedic.news.words.text()
        assert paramedic.news.words.text().endswith(": no neurosurgeon on call")
        qtbot.waitUntil(lambda: "Lourdes WARD · REJECTED" in paramedic.case_list.list.item(0).text()
                        or "Lourdes ICU · REJECTED" in paramedic.case_list.list.item(0).text(), timeout=10_000)
        assert "no neurosurgeon on call" in _paramedic_text(panel)
    finally:
        for window, runner, ctx in ((ambulance, amb_runner, amb_ctx), (ward, ward_runner, ward_ctx)):
            window.close()
            runner.shutdown()
            ctx.close()
