"""The handoff page the PDF is printed from: the SBAR, then the case record's tables (times in Kochi)."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import timedelta

import pytest

from emsync_desktop.domain.history import AnswerStatus, ListAnswer
from emsync_desktop.domain.ids import demo_id
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.case_record import RecordService
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.handoff_doc import handoff_document
from emsync_desktop.services.handoff_page import handoff_html
from emsync_desktop.services.transfers import TransferService
from tests.services.conftest import NOW
from tests.services.test_handoff_record import HISTORY, record_a_case

pytestmark = pytest.mark.usefixtures("kochi_time")


def page_of(app_context: AppContext, case_id: str) -> str:
    return handoff_html(handoff_document(app_context.store, case_id), "Asha Menon", NOW)


def rows(page: str) -> list[tuple[str, ...]]:
    """Each table row's cells, as text."""
    return [tuple(html.unescape(cell) for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row))
            for row in re.findall(r"<tr>(.*?)</tr>", page)]


def test_drugs_are_rows_with_time_dose_unit_route_and_who(app_context: AppContext, cases: CaseService,
                                                           record: RecordService) -> None:
    page_rows = rows(page_of(app_context, record_a_case(cases, record)))
    assert ("15:12", "Aspirin", "300 mg", "PO", "Asha Menon", "") in page_rows
    assert ("15:18", "Ketamine", "50 mg", "IV", "Asha Menon", "Free text: not in the formulary, dose not checked.") \
        in page_rows


def test_procedures_timeline_and_history_are_tables(app_context: AppContext, cases: CaseService,
                                                    record: RecordService) -> None:
    page_rows = rows(page_of(app_context, record_a_case(cases, record)))
    assert ("15:20", "Defibrillation", "150 J", "Asha Menon") in page_rows
    assert ("15:21", "Tourniquet", "on at 14:55", "Asha Menon") in page_rows
    assert ("At scene", "15:03", "edited from 15:05") in page_rows
    assert {("Allergies", "Penicillin, Latex"), ("Current medications", "No regular medications"),
            ("Past history", "Unknown (could not ask)"), ("Weight", "82 kg (estimated)")} <= set(page_rows)


def test_no_known_allergies_is_printed_as_the_answer(app_context: AppContext, cases: CaseService,
                                                     record: RecordService) -> None:
    case_id = record_a_case(cases, record, replace(HISTORY, allergies=ListAnswer(AnswerStatus.NONE)))
    assert ("Allergies", "No known allergies") in rows(page_of(app_context, case_id))


def test_typed_text_is_escaped_never_markup(app_context: AppContext, cases: CaseService,
                                            record: RecordService) -> None:
    case_id = record_a_case(cases, record)
    assert record.record_medication(case_id, drug="Tramadol <b>50</b>", dose=50, unit="mg", route="IV").ok
    page = page_of(app_context, case_id)
    assert "Tramadol &lt;b&gt;50&lt;/b&gt;" in page and "<b>50</b>" not in page


def test_a_drug_given_after_sending_is_in_the_record_not_the_sent_sbar(
        app_context: AppContext, cases: CaseService, record: RecordService, paramedic: UserInfo) -> None:
    case_id = record_a_case(cases, record)
    TransferService(app_context.store, paramedic).send_to_hospital(case_id, demo_id("hospital", "Lourdes"), "ICU")
    assert record.record_medication(case_id, drug="ondansetron", dose=4, unit="mg", route="IV",
                                    given_at=NOW - timedelta(minutes=1)).ok
    page = page_of(app_context, case_id)
    sbar_part, record_part = page.split("<h2>Case record</h2>")
    assert "Sent to ICU at Lourdes Hospital" in sbar_part and "Ondansetron" not in sbar_part
    assert "Aspirin 300 mg PO" in sbar_part
    assert "Ondansetron" in record_part and "22 Nov 2026 15:30 IST (UTC+05:30)" in record_part
