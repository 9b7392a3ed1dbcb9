from __future__ import annotations

import json
from pathlib import Path

from fhir.resources.R4B.bundle import Bundle
from pytestqt.qtbot import QtBot

from emsync_desktop.ui.main_window import MainWindow
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
