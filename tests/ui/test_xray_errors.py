"""The nurse's Chest X-ray tab: a bad file told in her words, the library's text behind Details, and no
study kept without a patient unless she says so (issue 16, item 12)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from emsync_desktop.services.imaging import recent_studies
from emsync_desktop.store.models import ImagingStudy
from emsync_desktop.ui.main_window import MainWindow
from emsync_desktop.ui.nurse.xray_view import XrayView
from tests.ui.conftest import send_case_as_paramedic
from tests.ui.test_xray import CHEST_CR, xray_tab

LONG_NAME = "CR_CHEST_PA_1.2.840.113619.2.55.3.604688119.971.1234567890.123_export_from_pacs_ward_7.dcm"


def open_bad_file(qtbot: QtBot, window: MainWindow, tmp_path: Path, name: str = "notes.dcm") -> XrayView:
    view = xray_tab(qtbot, window).xray
    bad = tmp_path / name
    bad.write_text("patient notes, not an image")
    view.open_path(bad)
    qtbot.waitUntil(lambda: bool(view.error.text()), timeout=10_000)
    return view


def test_unreadable_file_is_told_in_a_nurses_words(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    view = open_bad_file(qtbot, window, tmp_path)
    assert view.error.text().startswith("notes.dcm could not be opened: this file is not a readable X-ray image.")
    assert "DICM" not in view.error.text() and "force=True" not in view.error.text()  # pydicom's words wait
    assert "DICOM, PNG or JPEG" in view.error.advice.text()  # and what to do


def test_library_text_is_behind_the_details_control(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    view = open_bad_file(qtbot, window, tmp_path)
    assert not view.error.details.isVisible()
    qtbot.mouseClick(view.error.details_button, Qt.MouseButton.LeftButton)
    assert view.error.details.isVisible() and "DICM" in view.error.details.toPlainText()
    qtbot.mouseClick(view.error.details_button, Qt.MouseButton.LeftButton)
    assert not view.error.details.isVisible()


def test_error_wraps_and_is_never_cut_off_in_the_smallest_window(qtbot: QtBot, window: MainWindow,
                                                                 tmp_path: Path) -> None:
    window.resize(window.minimumSize())
    view = open_bad_file(qtbot, window, tmp_path, LONG_NAME)
    qtbot.mouseClick(view.error.details_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.error.details.isVisible())
    assert view.error.geometry().right() <= view.width()
    for label in view.error.findChildren(QLabel):
        if label.isVisible():
            assert label.wordWrap() and label.height() >= label.heightForWidth(label.width())
    details = view.error.details
    assert details.horizontalScrollBar().maximum() == 0  # wrapped, not scrolled sideways
    assert LONG_NAME in details.toPlainText()


def test_no_question_pops_up_after_an_analysis_only_when_save_is_pressed(qtbot: QtBot, window: MainWindow) -> None:
    view = xray_tab(qtbot, window, keep_without_patient=False).xray
    questions: list[str] = []
    view.confirm = lambda question: questions.append(question) is not None  # records, answers Cancel
    view.open_path(CHEST_CR)
    qtbot.waitUntil(lambda: "Not saved yet" in view.status.text(), timeout=30_000)
    assert questions == [] and view.save_button.isEnabled()  # analysed: nothing asked unrequested
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    assert len(questions) == 1 and "No patient is chosen" in questions[0]
    assert recent_studies(window.context.store) == [] and view.save_button.isEnabled()


def analysed_then_failed(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> XrayView:
    """An unsaved analysis of the chest CR, then a text file opened."""
    view = xray_tab(qtbot, window, keep_without_patient=False).xray
    view.open_path(CHEST_CR)
    qtbot.waitUntil(lambda: "Not saved yet" in view.status.text(), timeout=30_000)
    (tmp_path / "notes.txt").write_text("patient notes, not an image")
    view.open_path(tmp_path / "notes.txt")
    qtbot.waitUntil(lambda: bool(view.error.text()), timeout=10_000)
    return view


def test_failed_open_names_the_file_and_keeps_the_previous_analysis_saveable(qtbot: QtBot, window: MainWindow,
                                                                           tmp_path: Path) -> None:
    view = analysed_then_failed(qtbot, window, tmp_path)
    assert view.error.text().startswith("notes.txt could not be opened: this file is not a readable X-ray image")
    assert f"The X-ray shown is still {CHEST_CR.name} (not saved yet)." in view.error.advice.text()
    assert view.save_button.isEnabled() and "Not saved yet" in view.status.text()
    assert view.analysis is not None and view.analysis.path == CHEST_CR
    if shots := os.environ.get("EMSYNC_SHOTS"):  # for a person to look at: EMSYNC_SHOTS=<folder>
        window.resize(1366, 768)
        qtbot.wait(300)
        window.grab().save(str(Path(shots) / "xray-failed-open.png"))


def test_radiograph_is_scaled_whole_when_the_error_banner_and_its_details_appear(
        qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    view = analysed_then_failed(qtbot, window, tmp_path)
    qtbot.mouseClick(view.error.details_button, Qt.MouseButton.LeftButton)
    qtbot.wait(100)  # layout settles
    label, shown = view.image, view.image.pixmap().size()
    assert shown.height() <= label.height() and shown.width() <= label.width()
    assert shown.height() == label.height() or shown.width() == label.width()  # fitted, not just small


def test_file_dialog_lists_dicoms_without_an_extension() -> None:
    from fnmatch import fnmatch

    from emsync_desktop.ui.nurse.xray_view import FILE_FILTER

    first = FILE_FILTER.split(";;")[0].split("(")[1].rstrip(")").split()
    assert any(fnmatch("IM000001", pattern) for pattern in first) and "All files (*)" in FILE_FILTER


def test_after_cancel_choosing_the_patient_and_save_keeps_it_with_the_transfer(qtbot: QtBot,
                                                                               window: MainWindow) -> None:
    transfer_id = send_case_as_paramedic(window, "Cough, fever, low SpO2", "Lourdes", "WARD")
    view = xray_tab(qtbot, window, keep_without_patient=False).xray
    qtbot.waitUntil(lambda: view.attach.count() == 2, timeout=10_000)
    view.open_path(CHEST_CR)
    qtbot.waitUntil(lambda: view.save_button.isEnabled(), timeout=30_000)
    view.attach.setCurrentIndex(1)
    asked: list[str] = []
    view.confirm = lambda question: asked.append(question) is None  # records, answers Save
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(recent_studies(window.context.store)) == 1, timeout=10_000)
    with window.context.store.sessions.begin() as session:
        assert session.scalars(select(ImagingStudy.transfer_id)).one() == transfer_id
    assert asked == [] and not view.save_button.isEnabled()  # with a patient: no question; kept once
