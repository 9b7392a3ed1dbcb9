"""The daily and weekly reports: a PDF in the exports folder with the capacity, the surges, the forecasts with their
charts (drawn by the Forecasts tab's code) and the case mix; read back with Qt's own PDF reader."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtPdf import QPdfDocument
from pytestqt.qtbot import QtBot

from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.report import ReportKind, gather_report, report_html
from emsync_desktop.sync.local import store_changes
from emsync_desktop.ui.coordinator.report_pdf import render_charts, write_report_pdf
from tests.services.conftest import NOW
from tests.services.test_case_mix import day
from tests.services.test_forecasts import change, published


def stored(app_context: AppContext) -> None:
    store_changes(app_context.store, [change(1, published([10, 13.5, 12])),
                                      day(2, NOW.date() - timedelta(days=1),
                                          [["18-39", "male", "trauma", "Critical", 5],
                                           ["65-79", "female", "cardiac", "Moderate", 7]])], 2)


def test_a_daily_report_is_a_pdf_with_its_charts_in_the_exports_folder(qtbot: QtBot, app_context: AppContext,
                                                                       tmp_path: Path) -> None:
    stored(app_context)
    data = gather_report(app_context.store, ReportKind.DAILY, NOW)
    images = render_charts(data)
    path = write_report_pdf(data, images, tmp_path)
    assert path.parent.name == "exports" and path.name.startswith("report-daily-") and path.read_bytes()[:5] == b"%PDF-"
    assert list(images) == ["chart-0.png"] and images["chart-0.png"].width() == 900
    pdf = QPdfDocument()
    assert pdf.load(str(path)) == QPdfDocument.Error.None_ and pdf.pageCount() >= 1
    text = "".join(pdf.getAllText(page).text() for page in range(pdf.pageCount()))
    assert "ICU at Lourdes: may need 14 beds" in text and "Case mix" in text and "12 transfers" in text


def test_the_report_names_its_period_and_says_it_is_decision_support(app_context: AppContext) -> None:
    stored(app_context)
    text = report_html(gather_report(app_context.store, ReportKind.WEEKLY, NOW), [])
    assert f"weekly report, {NOW.date() - timedelta(days=6):%d %b} to {NOW.date():%d %b %Y}" in text
    assert "Decision support" in text and "Surges within 24 hours" in text
