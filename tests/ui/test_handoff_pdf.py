"""The handoff PDF as a reader gets it: its text, read back with QtPdf, holds the case record."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QApplication

from emsync_desktop.domain.history import AnswerStatus, ListAnswer
from emsync_desktop.domain.roles import Role
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.case_record import RecordService
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.handoff_doc import handoff_document
from emsync_desktop.ui.paramedic.handoff_exports import handoff_pdf
from tests.services.conftest import NOW
from tests.services.test_handoff_record import HISTORY, record_a_case

pytestmark = pytest.mark.usefixtures("kochi_time")  # times are read in Kochi (tests/conftest.py)


def pdf_text(data: bytes, folder: Path) -> str:
    path = folder / "handoff.pdf"
    path.write_bytes(data)
    document = QPdfDocument()
    assert document.load(str(path)) == QPdfDocument.Error.None_
    text = "\n".join(document.getAllText(page).text() for page in range(document.pageCount()))
    document.close()
    return text


def test_the_pdf_lists_drugs_given_procedures_allergies_and_weight(qapp: QApplication, app_context: AppContext,
                                                                  tmp_path: Path) -> None:
    paramedic = next(u for u in demo_users(app_context.store) if u.role is Role.PARAMEDIC)
    cases = CaseService(app_context.store, paramedic, app_context.install.device_id, clock=lambda: NOW)
    record = RecordService(app_context.store, paramedic, clock=lambda: NOW, blob_dir=app_context.data_dir / "blobs")
    case_id = record_a_case(cases, record, replace(HISTORY, allergies=ListAnswer(AnswerStatus.NONE)))
    text = pdf_text(handoff_pdf(handoff_document(app_context.store, case_id), paramedic.display_name, NOW), tmp_path)
    assert "15:12 Aspirin 300 mg PO" in text  # the SBAR's assessment
    assert "Drugs given" in text and "Defibrillation" in text and "150 J" in text
    assert "No known allergies" in text and "82 kg (estimated)" in text
