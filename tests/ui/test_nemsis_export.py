"""The paramedic exports a closed case as a NEMSIS report; the admin exports every case closed in a range.
Both answer the save dialog (QFileDialog monkeypatched) and say where the file went or why not."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from emsync_desktop.domain.disposition import Disposition
from emsync_desktop.domain.roles import Role
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.case_closing import CaseClosing
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.nemsis_agency import save_agency
from emsync_desktop.services.nemsis_validation import ems_dataset_problems
from emsync_desktop.ui.admin.workspace import AdminWorkspace
from emsync_desktop.ui.main_window import MainWindow
from tests.ui.conftest import sign_in_as
from tests.ui.test_case_entry import open_new_case, type_into


@pytest.fixture
def save_to(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    target = tmp_path / "out" / "nemsis.xml"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(target), "NEMSIS XML (*.xml)"))
    return target


def close_cases_as_paramedic(window: MainWindow, count: int) -> None:
    store = window.context.store
    paramedic = next(u for u in demo_users(store) if u.role is Role.PARAMEDIC)
    cases = CaseService(store, paramedic, window.context.install.device_id)
    for _ in range(count):
        case = cases.open_case()
        CaseClosing(store, paramedic).close(case.id, Disposition.TREATED_ON_SCENE)


def test_paramedic_exports_a_closed_case_as_a_valid_nemsis_report(qtbot: QtBot, window: MainWindow,
                                                                 save_to: Path) -> None:
    save_agency(window.context.store, "KL-EMS-1", "KL001", "06")
    workspace = open_new_case(qtbot, window)
    type_into(qtbot, workspace.form.fields["chief_complaint"], "Faint, recovered")  # type: ignore[arg-type]
    assert workspace.nemsis.isHidden()  # an open case has no NEMSIS report
    workspace.ending.choose_disposition = lambda: Disposition.TREATED_ON_SCENE
    qtbot.mouseClick(workspace.ending.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not workspace.nemsis.isHidden())
    workspace.nemsis.button.click()
    qtbot.waitUntil(lambda: workspace.nemsis.status.text().startswith("NEMSIS report saved:"), timeout=10_000)
    assert str(save_to) in workspace.nemsis.status.text()
    assert ems_dataset_problems(save_to.read_bytes()) == [] and b"Faint, recovered" in save_to.read_bytes()


def test_paramedic_is_told_why_not_when_the_agency_is_not_set(qtbot: QtBot, window: MainWindow,
                                                              save_to: Path) -> None:
    workspace = open_new_case(qtbot, window)
    workspace.ending.choose_disposition = lambda: Disposition.CANCELLED
    qtbot.mouseClick(workspace.ending.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not workspace.nemsis.isHidden())
    workspace.nemsis.button.click()
    qtbot.waitUntil(lambda: workspace.nemsis.status.text().startswith("Not exported:"), timeout=10_000)
    assert "Admin → NEMSIS export" in workspace.nemsis.status.text() and not save_to.exists()


def admin_reports(qtbot: QtBot, window: MainWindow):  # type: ignore[no-untyped-def]
    sign_in_as(qtbot, window, Role.ADMIN)
    workspace = window.workspace
    assert isinstance(workspace, AdminWorkspace)
    return workspace.reports


def test_admin_saves_the_agency_and_exports_the_cases_closed_in_the_range(qtbot: QtBot, window: MainWindow,
                                                                         save_to: Path) -> None:
    close_cases_as_paramedic(window, 2)
    reports = admin_reports(qtbot, window)
    for name, text in (("state_id", "KL-EMS-1"), ("number", "KL001"), ("state_code", "06")):
        reports.agency_fields[name].setText(text)
    reports.save_agency_button.click()
    qtbot.waitUntil(lambda: reports.status.text() == "Agency saved.")
    reports.export_button.click()
    qtbot.waitUntil(lambda: reports.status.text().startswith("Exported"), timeout=10_000)
    assert reports.status.text() == f"Exported 2 cases to {save_to}"
    assert ems_dataset_problems(save_to.read_bytes()) == []


def test_admin_export_of_an_empty_range_says_so_and_writes_nothing(qtbot: QtBot, window: MainWindow,
                                                                  save_to: Path) -> None:
    save_agency(window.context.store, "KL-EMS-1", "KL001", "06")
    reports = admin_reports(qtbot, window)
    reports.first_day.setDate(QDate(2020, 1, 1))
    reports.last_day.setDate(QDate(2020, 1, 31))
    reports.export_button.click()
    qtbot.waitUntil(lambda: reports.status.text().startswith("Not exported:"), timeout=10_000)
    assert "No case was closed from 01 Jan 2020 to 31 Jan 2020" in reports.status.text() and not save_to.exists()
