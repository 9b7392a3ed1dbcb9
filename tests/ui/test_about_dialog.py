"""The About dialog: app and model versions, and the third-party notices a build carries."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from emsync_desktop import __version__
from emsync_desktop.ml.registry import default_models_dir
from emsync_desktop.ui.about_dialog import NOTICES_FILE, SOURCE_RUN_NOTICE, AboutDialog, load_about
from emsync_desktop.ui.main_window import MainWindow


def shipped_manifest() -> dict:  # type: ignore[type-arg]
    return json.loads((default_models_dir() / "manifest.json").read_text("utf-8"))


def test_about_shows_app_triage_and_imaging_versions(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = AboutDialog(load_about(tmp_path))
    qtbot.addWidget(dialog)

    manifest = shipped_manifest()
    assert dialog.fields["Version"].text() == __version__
    assert manifest["triage"]["version"] in dialog.fields["Triage models"].text()
    imaging = manifest["imaging"]["models"][0]["version"].removeprefix("cxr_demo-")  # shown once after the name
    assert imaging in dialog.fields["Imaging model"].text()


def test_source_run_says_notices_are_made_at_build_time(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = AboutDialog(load_about(tmp_path))
    qtbot.addWidget(dialog)

    assert dialog.notices.toPlainText() == SOURCE_RUN_NOTICE


def test_built_copy_shows_its_notices_file(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / NOTICES_FILE).write_text("numpy 2.0  BSD-3-Clause\n", "utf-8")
    monkeypatch.setenv("EMSYNC_MODELS_DIR", str(default_models_dir()))  # the bundle's models: the repo's here
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)

    dialog = AboutDialog(load_about(tmp_path / "data"))
    qtbot.addWidget(dialog)

    assert "numpy 2.0  BSD-3-Clause" in dialog.notices.toPlainText()


def test_about_button_opens_the_dialog(qtbot: QtBot, window: MainWindow) -> None:
    window.about_button.click()

    qtbot.waitUntil(lambda: window.findChild(AboutDialog) is not None, timeout=5_000)
    dialog = window.findChild(AboutDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.accept()
