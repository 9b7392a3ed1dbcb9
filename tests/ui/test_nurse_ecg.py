"""The ward opens the crew's 12-lead ECG from the incoming card: a copy, named by its kind, goes to the
system's viewer; a file not here and not on the server yet is said in words."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from emsync_desktop.domain.ids import demo_id
from emsync_desktop.domain.local_time import clock
from emsync_desktop.domain.procedures import Extra, Procedure
from emsync_desktop.domain.roles import Role
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.case_record import RecordService
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.clock import utc_now
from emsync_desktop.services.transfers import TransferService
from emsync_desktop.ui.main_window import MainWindow
from emsync_desktop.ui.nurse.workspace import NurseWorkspace
from tests.services.conftest import ECG_PDF, ecg_on_a_stick
from tests.ui.screen_fit import problems
from tests.ui.test_nurse_record_card import nurse_sees_one_card


def send_case_with_ecg(window: MainWindow) -> str:
    """A case with a 12-lead ECG and its file, sent to Lourdes ICU from this device: the ECG's local time."""
    store, blobs = window.context.store, window.context.data_dir / "blobs"
    paramedic = next(u for u in demo_users(store) if u.role is Role.PARAMEDIC)
    cases = CaseService(store, paramedic, window.context.install.device_id)
    case = cases.open_case()
    cases.set_detail(case.id, "chief_complaint", "Central chest pain")
    done = utc_now() - timedelta(minutes=2)
    with ecg_on_a_stick("ecg-0748.pdf") as ecg:
        assert RecordService(store, paramedic, blob_dir=blobs).record_procedure(
            case.id, Procedure.ECG_12_LEAD, done, {Extra.ECG_FILE: ecg}).ok
    TransferService(store, paramedic).send_to_hospital(case.id, demo_id("hospital", "Lourdes"), "ICU")
    return clock(done)


def open_button(workspace: NurseWorkspace) -> QPushButton:
    [card] = workspace.incoming.cards.values()
    [button] = [b for b in card.findChildren(QPushButton) if b.text().startswith("Open ECG")]
    return button


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """What the system viewer was asked to open (nothing is launched)."""
    urls: list[Path] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: urls.append(Path(QUrl(url).toLocalFile())) or True)
    return urls


def test_open_ecg_hands_a_copy_named_by_its_kind_to_the_viewer(qtbot: QtBot, window: MainWindow,
                                                               opened: list[Path]) -> None:
    at = send_case_with_ecg(window)
    workspace = nurse_sees_one_card(qtbot, window)
    button = open_button(workspace)
    assert button.text() == f"Open ECG {at}"
    qtbot.mouseClick(button, _left())
    qtbot.waitUntil(lambda: bool(opened))
    [copy] = opened
    assert copy.suffix == ".pdf" and copy.read_bytes() == ECG_PDF
    assert copy.parent == window.context.data_dir / "viewer"


def test_an_ecg_not_here_and_not_fetched_says_it_is_on_its_way(qtbot: QtBot, window: MainWindow,
                                                                opened: list[Path]) -> None:
    send_case_with_ecg(window)
    for kept in (window.context.data_dir / "blobs").rglob("*"):
        if kept.is_file():
            kept.unlink()  # as on a ward PC: the entry pulled, the file still on the server
    workspace = nurse_sees_one_card(qtbot, window)
    qtbot.mouseClick(open_button(workspace), _left())
    qtbot.waitUntil(lambda: "still on its way" in workspace.incoming.message.text())
    assert opened == [] and open_button(workspace).isEnabled()


def test_the_card_with_its_ecg_button_fits_at_1366_by_768(qtbot: QtBot, window: MainWindow) -> None:
    send_case_with_ecg(window)
    window.resize(1366, 768)
    nurse_sees_one_card(qtbot, window)
    qtbot.wait(100)
    assert not problems(window), "\n".join(problems(window))


def test_a_card_without_an_ecg_file_has_no_button(qtbot: QtBot, window: MainWindow) -> None:
    from tests.ui.test_nurse_record_card import send_recorded_case

    send_recorded_case(window)
    workspace = nurse_sees_one_card(qtbot, window)
    [card] = workspace.incoming.cards.values()
    assert not [b for b in card.findChildren(QPushButton) if b.text().startswith("Open ECG")]


def _left():  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton

