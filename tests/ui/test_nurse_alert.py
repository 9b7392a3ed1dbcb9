from __future__ import annotations

from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from emsync_desktop.domain.ids import demo_id
from emsync_desktop.domain.roles import Role
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.transfers import TransferService
from emsync_desktop.services.triage import TriageService
from emsync_desktop.ui.main_window import MainWindow
from emsync_desktop.ui.nurse.workspace import NurseWorkspace
from tests.services.test_triage_service import SHARED_MODELS, sick_case
from tests.ui.conftest import send_case_as_paramedic, sign_in_as


def nurse_alerted(qtbot: QtBot, window: MainWindow) -> NurseWorkspace:
    """A critical case sent to Lourdes, and its nurse signed in: the banner is up."""
    store = window.context.store
    paramedic = next(u for u in demo_users(store) if u.role is Role.PARAMEDIC)
    cases = CaseService(store, paramedic, window.context.install.device_id)
    case = sick_case(cases)
    TriageService(store, SHARED_MODELS).refresh(case.id)
    TransferService(store, paramedic).send_to_hospital(case.id, demo_id("hospital", "Lourdes"), "ICU")
    sign_in_as(qtbot, window, Role.NURSE)
    workspace = window.workspace
    assert isinstance(workspace, NurseWorkspace)
    qtbot.waitUntil(lambda: workspace.alert.isVisibleTo(workspace), timeout=10_000)
    return workspace


def test_a_new_critical_transfer_raises_a_visual_alert_with_its_eta(qtbot: QtBot, window: MainWindow) -> None:
    workspace = nurse_alerted(qtbot, window)
    assert "CRITICAL" in workspace.alert.text() and "no ETA given" in workspace.alert.text()
    workspace.dismiss.click()
    assert not workspace.alert.isVisibleTo(workspace)


def test_nurse_acknowledges_the_handoff_from_the_card(qtbot: QtBot, window: MainWindow) -> None:
    send_case_as_paramedic(window, "Fall", "Lourdes", "WARD")
    sign_in_as(qtbot, window, Role.NURSE)
    workspace = window.workspace
    assert isinstance(workspace, NurseWorkspace)
    qtbot.waitUntil(lambda: len(workspace.incoming.cards) == 1, timeout=10_000)
    [card] = workspace.incoming.cards.values()
    ack = next(b for b in card.findChildren(QPushButton) if b.text() == "Acknowledge handoff")
    ack.click()

    def acknowledged() -> bool:
        [current] = workspace.incoming.cards.values()
        return any("acknowledged by Maria Joseph" in label.text() for label in current.findChildren(QLabel))

    qtbot.waitUntil(acknowledged, timeout=10_000)


def test_the_alert_goes_once_its_transfer_is_answered(qtbot: QtBot, window: MainWindow) -> None:
    from emsync_desktop.domain.lifecycle import TransferState

    workspace = nurse_alerted(qtbot, window)
    [transfer_id] = workspace.incoming.cards
    workspace.incoming.decide(transfer_id, TransferState.REJECTED, "no ICU bed after all")
    qtbot.waitUntil(lambda: not workspace.alert.isVisibleTo(workspace), timeout=10_000)
