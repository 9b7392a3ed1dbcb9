"""The procedure dialog's ECG file: chosen with the file dialog, attached when the ECG is recorded (its
copy by hash in the record), or refused in words with the dialog left open."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QPushButton
from pytestqt.qtbot import QtBot

from emsync_desktop.domain.procedures import Extra, Procedure
from emsync_desktop.sync.blobs import blob_file
from emsync_desktop.ui.main_window import MainWindow
from emsync_desktop.ui.paramedic.procedure_dialog import ProcedureDialog
from tests.services.conftest import ECG_PDF
from tests.ui.test_case_entry import open_new_case
from tests.ui.test_case_record_screens import _case_id, _open_dialog, _ready, _records, _tap


def ecg_dialog(qtbot: QtBot, window: MainWindow, chosen: Path, monkeypatch: pytest.MonkeyPatch) -> ProcedureDialog:
    """The procedure dialog on a 12-lead ECG, with ``chosen`` picked through Choose file… (the system's file
    dialog answered by the test)."""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_args: (str(chosen), "ECG files"))
    workspace = open_new_case(qtbot, window)
    _ready(qtbot, workspace)
    _tap(qtbot, workspace.do_procedure)
    dialog = _open_dialog(qtbot, window, ProcedureDialog)
    _tap(qtbot, dialog.buttons[Procedure.ECG_12_LEAD])
    [choose] = [b for b in dialog.findChildren(QPushButton) if b.text() == "Choose file…"]
    _tap(qtbot, choose)
    return dialog


def test_the_chosen_file_is_attached_to_the_ecg(qtbot: QtBot, window: MainWindow, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    chosen = tmp_path / "ecg-0748.pdf"
    chosen.write_bytes(ECG_PDF)
    dialog = ecg_dialog(qtbot, window, chosen, monkeypatch)
    assert dialog.extra_edits[Extra.ECG_FILE].text() == str(chosen)
    _tap(qtbot, dialog.record_button)
    case_id = _case_id(window.workspace)  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: bool(_records(window).procedures(case_id)))
    [done] = _records(window).procedures(case_id)
    sha = hashlib.sha256(ECG_PDF).hexdigest()
    assert done.extras == {"ecg_file": "ecg-0748.pdf", "ecg_sha256": sha, "ecg_size_bytes": len(ECG_PDF)}
    assert blob_file(window.context.data_dir / "blobs", sha).read_bytes() == ECG_PDF


def test_a_file_gone_before_recording_is_refused_in_the_dialog(qtbot: QtBot, window: MainWindow, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    dialog = ecg_dialog(qtbot, window, tmp_path / "ecg-0748.pdf", monkeypatch)  # the stick was pulled out
    _tap(qtbot, dialog.record_button)
    qtbot.waitUntil(lambda: "any more" in dialog.problem.text())
    assert dialog.isVisible() and dialog.record_button.isEnabled()
    assert _records(window).procedures(_case_id(window.workspace)) == []  # type: ignore[arg-type]
