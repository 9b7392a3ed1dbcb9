from __future__ import annotations

import csv
import json
from pathlib import Path

from fhir.resources.R4B.bundle import Bundle
from pytestqt.qtbot import QtBot

from emsync_desktop.domain.roles import Role
from emsync_desktop.services.network_transfers import OpenTransfer
from emsync_desktop.ui.coordinator.open_transfers import OpenTransfersTable
from emsync_desktop.ui.coordinator.workspace import CoordinatorWorkspace
from emsync_desktop.ui.main_window import MainWindow
from emsync_desktop.ui.theme import LIGHT
from tests.ui.conftest import send_case_as_paramedic, sign_in_as
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


def test_patient_phone_goes_into_the_fhir_document_only_when_the_crew_ticks_it(qtbot: QtBot,
                                                                               window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    panel = workspace.sbar
    assert not panel.include_phone.isVisibleTo(panel)  # no phone typed: nothing to choose
    workspace.tabs.setCurrentIndex(1)
    type_into(qtbot, workspace.form.fields["phone"], "+91 98470 11111")  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: panel.include_phone.isVisibleTo(panel), timeout=10_000)

    def exported_patient() -> dict[str, object]:
        panel.export_result.clear()
        panel.export_fhir.click()
        qtbot.waitUntil(lambda: panel.export_result.text().startswith("Saved:"), timeout=10_000)
        bundle = json.loads(Path(panel.export_result.text().removeprefix("Saved: ")).read_text())
        return next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")

    assert "telecom" not in exported_patient()
    panel.include_phone.setChecked(True)
    assert exported_patient()["telecom"] == [{"system": "phone", "value": "+91 98470 11111"}]


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


def test_coordinator_sees_every_open_transfer(qtbot: QtBot, window: MainWindow) -> None:
    send_case_as_paramedic(window, "Burns, both arms", "Amrita", "HDU")
    sign_in_as(qtbot, window, Role.COORDINATOR)
    workspace = window.workspace
    assert isinstance(workspace, CoordinatorWorkspace)
    qtbot.waitUntil(lambda: workspace.transfers.rowCount() == 1, timeout=10_000)
    assert workspace.transfers.item(0, 3).text() == "Amrita · HDU"  # type: ignore[union-attr]
    assert workspace.transfers.item(0, 2).text() == "PENDING"  # type: ignore[union-attr]


def test_transfers_needing_attention_stay_on_top(qtbot: QtBot) -> None:
    table = OpenTransfersTable(LIGHT)
    qtbot.addWidget(table)
    rows = [OpenTransfer("1", "Zed", "Critical", "PENDING", "Lourdes", "ICU", 3, "due now", "HELD",
                         "hold lapses in 1 min"),
            OpenTransfer("2", "Anu", None, "PENDING", "Amrita", "WARD", 9, "no ETA given", "HELD", None)]
    table.set_transfers(rows)
    assert [table.item(r, 0).text() for r in range(2)] == ["Zed", "Anu"]  # type: ignore[union-attr]
