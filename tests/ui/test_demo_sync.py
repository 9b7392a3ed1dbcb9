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


@pytest.fixture
def desks(qtbot: QtBot, tmp_path: Path, demo_server: EmbeddedServer) -> Iterator[tuple[MainWindow, MainWindow]]:
    """An ambulance laptop and a ward PC on the demo server; closing them must stop their sync threads."""
    opened = [window_for(qtbot, tmp_path / name, demo_server) for name in ("ambulance", "ward")]
    yield opened[0][0], opened[1][0]
    for window, ctx, runner in opened:
        window.close()
        runner.shutdown()
        ctx.close()
    alive = [t.name for t in threading.enumerate() if t.name in ("emsync-sync", "emsync-live") and t.is_alive()]
    assert alive == [], "closing the window must stop sync"


def send_case_to_lourdes(qtbot: QtBot, ambulance: MainWindow, complaint: str) -> ParamedicWorkspace:
    """Sign in as the paramedic, open a case, send it to Lourdes; returns once it reached the server."""
    sign_in_as(qtbot, ambulance, Role.PARAMEDIC)
    paramedic = ambulance.workspace
    assert isinstance(paramedic, ParamedicWorkspace)
    qtbot.mouseClick(paramedic.case_list.new_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: paramedic.model.snapshot is not None)
    paramedic.tabs.setCurrentIndex(1)
    type_into(qtbot, paramedic.form.fields["chief_complaint"], complaint)  # type: ignore[arg-type]
    paramedic.show_tab("Hospital")
    panel = paramedic.transfer
    qtbot.waitUntil(lambda: panel.hospitals.rowCount() == 10)
    lourdes_row = next(r for r in range(10) if panel.hospitals.item(r, 0).text().startswith("Lourdes"))  # type: ignore[union-attr]
    panel.hospitals.selectRow(lourdes_row)
    panel.unit.set_value("WARD")
    qtbot.mouseClick(panel.send, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Online · 0 changes waiting" in ambulance.connection_label.text(), timeout=20_000)
    return paramedic


def the_one_incoming(qtbot: QtBot, ward: MainWindow) -> tuple[NurseWorkspace, str]:
    """Sign in as the Lourdes nurse and wait for the one incoming transfer."""
    sign_in_as(qtbot, ward, Role.NURSE)
    nurse = ward.workspace
    assert isinstance(nurse, NurseWorkspace)
    qtbot.waitUntil(lambda: len(nurse.incoming.cards) == 1, timeout=20_000)
    [transfer_id] = nurse.incoming.cards
    return nurse, transfer_id


@pytest.mark.slow
def test_paramedic_sends_case_and_nurse_accepts_it(qtbot: QtBot, desks: tuple[MainWindow, MainWindow]) -> None:
    paramedic = send_case_to_lourdes(qtbot, desks[0], "Fall from height, back pain")
    qtbot.waitUntil(lambda: "Lourdes" in _paramedic_text(paramedic.transfer), timeout=10_000)
    nurse, transfer_id = the_one_incoming(qtbot, desks[1])
    nurse.incoming.decide(transfer_id, TransferState.ACCEPTED)
    qtbot.waitUntil(lambda: "ACCEPTED" in _paramedic_text(paramedic.transfer), timeout=20_000)


def _paramedic_text(panel: object) -> str:
    from PySide6.QtWidgets import QLabel

    panel.refresh()  # type: ignore[attr-defined]
    return " ".join(label.text() for label in panel.findChildren(QLabel))  # type: ignore[attr-defined]


@pytest.mark.slow
def test_rejection_reaches_the_crew_on_any_tab_with_its_reason(qtbot: QtBot,
                                                                 desks: tuple[MainWindow, MainWindow]) -> None:
    paramedic = send_case_to_lourdes(qtbot, desks[0], "Head injury")
    paramedic.tabs.setCurrentIndex(0)  # back on the Vitals tab
    nurse, transfer_id = the_one_incoming(qtbot, desks[1])
    nurse.incoming.decide(transfer_id, TransferState.REJECTED, "no neurosurgeon on call")

    qtbot.waitUntil(lambda: paramedic.news.isVisible(), timeout=20_000)
    assert "Rejected by Maria Joseph" in paramedic.news.words.text()
    assert paramedic.news.words.text().endswith(": no neurosurgeon on call")
    qtbot.waitUntil(lambda: "Lourdes WARD · REJECTED" in paramedic.case_list.list.item(0).text(), timeout=10_000)
    assert "no neurosurgeon on call" in _paramedic_text(paramedic.transfer)
