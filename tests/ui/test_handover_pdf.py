"""The handover PDF (issue 26) is written into the exports folder and reads back with its sections."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtPdf import QPdfDocument

from emsync_desktop.domain.roles import Role
from emsync_desktop.domain.ward_tasks import Priority
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.handover import gather_handover
from emsync_desktop.services.ward_tasks import NewTask, WardTaskService
from emsync_desktop.ui.nurse.handover_dialog import write_handover_pdf
from tests.services.test_handover import NOW


def test_the_handover_pdf_reads_back_with_its_tasks_and_beds(app_context: AppContext) -> None:
    nurse = next(u for u in demo_users(app_context.store) if u.role is Role.NURSE)
    WardTaskService(app_context.store, nurse, clock=lambda: NOW).create(
        NewTask("Check IV line", "ICU", Priority.URGENT, timedelta(minutes=30)))
    path = write_handover_pdf(gather_handover(app_context.store, nurse, NOW), app_context.data_dir)
    assert path.parent.name == "exports" and path.name.startswith("handover-")
    pdf = QPdfDocument()
    assert pdf.load(str(path)) == QPdfDocument.Error.None_
    text = "".join(pdf.getAllText(page).text() for page in range(pdf.pageCount()))
    assert "Check IV line" in text and "Patients to watch" in text and "Beds" in text
