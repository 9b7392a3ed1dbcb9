"""The nurse analyses a chest radiograph on the ward PC, through the real window."""

from __future__ import annotations

from pathlib import Path

from pydicom.data import get_testdata_file
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from emsync_desktop.domain.roles import Role
from emsync_desktop.services.imaging import blob_path, recent_studies
from emsync_desktop.store.models import ImagingStudy
from emsync_desktop.ui.main_window import MainWindow
from emsync_desktop.ui.nurse.workspace import NurseWorkspace
from tests.ui.conftest import send_case_as_paramedic, sign_in_as

CHEST_CR = Path(get_testdata_file("RG1_UNCR.dcm"))  # type: ignore[arg-type]


def xray_tab(qtbot: QtBot, window: MainWindow, *, keep_without_patient: bool = True) -> NurseWorkspace:
    sign_in_as(qtbot, window, Role.NURSE)
    workspace = window.workspace
    assert isinstance(workspace, NurseWorkspace)
    workspace.tabs.setCurrentWidget(workspace.xray)
    workspace.xray.confirm = lambda _question: keep_without_patient  # the nurse's answer, without a dialog
    return workspace


def test_radiograph_is_analysed_shown_with_heat_map_and_saved(qtbot: QtBot, window: MainWindow) -> None:
    view = xray_tab(qtbot, window).xray
    view.open_path(CHEST_CR)
    qtbot.waitUntil(lambda: view.analysis is not None, timeout=30_000)
    text = view.result.text()
    assert "DEMONSTRATION MODEL" in text and view.analysis is not None and view.opacity.isEnabled()
    assert "version 2026.11.23-synthetic" in text and "MONOCHROME1 inverted" in text
    before = view.image.pixmap().toImage()
    view.opacity.setValue(0)
    assert view.image.pixmap().toImage() != before  # the slider changes what is drawn
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(recent_studies(window.context.store)) == 1, timeout=10_000)
    assert blob_path(window.context.data_dir, view.analysis.image.sha256).read_bytes() == CHEST_CR.read_bytes()


def test_bad_file_shows_why_and_the_view_stays_usable(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    view = xray_tab(qtbot, window).xray
    notes = tmp_path / "notes.png"
    notes.write_text("not an image")
    view.open_path(notes)
    qtbot.waitUntil(lambda: "notes.png could not be opened: this file is not a readable X-ray image" in
                    view.error.text(), timeout=10_000)
    assert view.open_button.isEnabled() and view.analysis is None


def test_study_is_kept_with_the_chosen_incoming_transfer(qtbot: QtBot, window: MainWindow) -> None:
    transfer_id = send_case_as_paramedic(window, "Cough, fever, low SpO2", "Lourdes", "WARD")
    view = xray_tab(qtbot, window).xray
    qtbot.waitUntil(lambda: view.attach.count() == 2, timeout=10_000)
    view.attach.setCurrentIndex(1)
    view.open_path(CHEST_CR)
    qtbot.waitUntil(lambda: len(recent_studies(window.context.store)) == 1, timeout=30_000)
    with window.context.store.sessions.begin() as session:
        assert session.scalars(select(ImagingStudy.transfer_id)).one() == transfer_id


def test_saved_study_opens_as_recorded_from_the_list(qtbot: QtBot, window: MainWindow) -> None:
    view = xray_tab(qtbot, window).xray
    view.open_path(CHEST_CR)
    qtbot.waitUntil(lambda: view.save_button.isEnabled(), timeout=30_000)
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.studies.count() == 1, timeout=30_000)
    first = view.analysis
    view.analysis = None
    view.studies.itemActivated.emit(view.studies.item(0))
    qtbot.waitUntil(lambda: view.analysis is not None, timeout=10_000)
    assert "as recorded" in view.result.text() and first is not None
    assert view.analysis.image.sha256 == first.image.sha256  # type: ignore[union-attr]
