from __future__ import annotations

import csv
import json
from pathlib import Path

from fhir.resources.R4B.bundle import Bundle
from pytestqt.qtbot import QtBot

from emsync_desktop.domain.roles import Role
from emsync_desktop.ui.coordinator.workspace import CoordinatorWorkspace
from emsync_desktop.ui.main_window import MainWindow
from tests.ui.conftest import sign_in_as
from tests.ui.test_case_entry import open_new_case, type_into, vital_field


def test_handoff_exports_as_fhir_and_pdf_into_the_data_dir(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    type_into(qtbot, vital_field(workspace, "hr_bpm"), "124")
    workspace.tabs.setCurrentIndex(1)
    type_into(qtbot, workspace.form.fields["chief_complaint"], "Chest pain")  # type: ignore[arg-type]
    panel = workspace.sbar
    panel.export_fhir.click()
    qtbot.waitUntil(lambda: panel.export_result.text().startswith("Saved:"), timeout=10_000)
    fhir = Path(panel.export_result.text().removeprefix("Saved: "))
    bundle = json.loads(fhir.read_text())
    Bundle.model_validate(bundle)
    assert fhir.parent == window.context.data_dir / "exports" and "Chest pain" in fhir.read_text()
    panel.save_pdf.click()
    qtbot.waitUntil(lambda: panel.export_result.text().endswith(".pdf"), timeout=10_000)
    pdf = Path(panel.export_result.text().removeprefix("Saved: "))
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 1000


def test_coordinator_exports_capacity_as_csv(qtbot: QtBot, window: MainWindow) -> None:
    sign_in_as(qtbot, window, Role.COORDINATOR)
    workspace = window.workspace
    assert isinstance(workspace, CoordinatorWorkspace)
    workspace.export_csv.click()
    qtbot.waitUntil(lambda: workspace.export_result.text().endswith(".csv"), timeout=10_000)
    text = Path(workspace.export_result.text().removeprefix("Saved: ")).read_text()
    rows = list(csv.reader(text.splitlines()))
    assert rows[0][:3] == ["hospital", "unit", "available"] and rows[0][-1] == "total"
    assert len(rows) > 10 and all(int(r[-1]) == sum(int(x) for x in r[2:-1]) for r in rows[1:])
