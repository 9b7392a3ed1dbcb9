"""The coordinator exports the network as EDXL-HAVE and imports a neighbouring region's report: its
hospitals appear in the table and on the map, marked external and read-only; a bad file is explained."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QInputDialog
from pytestqt.qtbot import QtBot

from emsync_desktop.domain.roles import Role
from emsync_desktop.ui.coordinator.workspace import CoordinatorWorkspace
from emsync_desktop.ui.main_window import MainWindow
from tests.ui.conftest import sign_in_as


def coordinator(qtbot: QtBot, window: MainWindow) -> CoordinatorWorkspace:
    sign_in_as(qtbot, window, Role.COORDINATOR)
    workspace = window.workspace
    assert isinstance(workspace, CoordinatorWorkspace)
    qtbot.waitUntil(lambda: workspace.capacity.rowCount() == 10, timeout=10_000)
    return workspace


def export_to(qtbot: QtBot, workspace: CoordinatorWorkspace, target: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(target), ""))
    workspace.edxl.export_button.click()
    qtbot.waitUntil(lambda: workspace.edxl.result.text().startswith("Saved:"), timeout=10_000)


def import_from(workspace: CoordinatorWorkspace, source: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(source), ""))
    monkeypatch.setattr(QInputDialog, "getText", lambda *_a, **_k: ("Thrissur", True))
    workspace.edxl.import_button.click()


def test_an_imported_region_shows_as_external_and_read_only(qtbot: QtBot, window: MainWindow, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = coordinator(qtbot, window)
    export_to(qtbot, workspace, report := tmp_path / "kochi.have.xml", monkeypatch)
    assert report.read_bytes().startswith(b"<?xml")
    import_from(workspace, report, monkeypatch)
    qtbot.waitUntil(lambda: workspace.capacity.rowCount() == 20, timeout=10_000)
    names = [workspace.capacity.item(row, 0).text() for row in range(20)]
    assert sum("ext. Thrissur" in name for name in names) == 10
    assert "10 external, read-only" in workspace.heading.text()
    qtbot.waitUntil(lambda: workspace.map._scene is not None and len(workspace.map._scene.hospitals) == 20)
    assert sum("External (Thrissur), read-only, as of" in (p.label or "") for p in workspace.map._scene.hospitals) == 10


def test_a_bad_file_is_refused_in_words(qtbot: QtBot, window: MainWindow, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = coordinator(qtbot, window)
    (bad := tmp_path / "beds.xml").write_text("hospital,unit\n")
    import_from(workspace, bad, monkeypatch)
    refused = "Not imported: The file is not XML"
    qtbot.waitUntil(lambda: workspace.edxl.result.text().startswith(refused), timeout=10_000)
    assert workspace.capacity.rowCount() == 10
