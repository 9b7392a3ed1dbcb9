"""The coordinator's Case mix tab (issue 25): a period and a question ("does severity differ by complaint group?"),
the counts behind it (a row per group, with the share of each outcome), the chi-square answer in words with its
caveats, and each dimension's totals."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.domain.case_mix import Dimension, label
from emsync_desktop.services.case_mix import CaseMix

PERIODS = (("Last 7 days", 7), ("Last 30 days", 30), ("Last 90 days", 90), ("Last 120 days", 120))


class CaseMixView(QWidget):
    """Emits ``asked`` (first day, last day, outcome, groups) when the period or the question changes; the workspace
    loads the counts off the GUI thread and hands them to ``set_case_mix``."""

    asked = Signal(object, object, object, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.period = QComboBox()
        for name, days in PERIODS:
            self.period.addItem(name, days)
        self.period.setCurrentIndex(1)
        self.outcome = _dimension_box(Dimension.SEVERITY)
        self.groups = _dimension_box(Dimension.COMPLAINT_GROUP)
        for box in (self.period, self.outcome, self.groups):
            box.setMaxVisibleItems(12)
            box.currentIndexChanged.connect(lambda _i: self.ask())
        self.answer = QLabel("Loading the case mix…")
        self.answer.setObjectName("subheading")
        self.answer.setWordWrap(True)
        self.notes = QLabel()
        self.notes.setObjectName("muted")
        self.notes.setWordWrap(True)
        self.table = QTableWidget(0, 0)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setCornerButtonEnabled(False)  # "select all" in a table of counts is a target too small to offer
        self.totals = QLabel()
        self.totals.setWordWrap(True)
        question = QHBoxLayout()
        for widget in (QLabel("Period"), self.period, QLabel("Does"), self.outcome, QLabel("differ by"), self.groups):
            question.addWidget(widget)
        question.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(question)
        layout.addWidget(self.answer)
        layout.addWidget(self.notes)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.totals)

    def ask(self, today: date | None = None) -> None:
        last = today or date.today()
        first = last - timedelta(days=int(self.period.currentData()) - 1)
        self.asked.emit(first, last, Dimension(self.outcome.currentData()), Dimension(self.groups.currentData()))

    def set_case_mix(self, mix: CaseMix) -> None:
        table = mix.table
        self.table.clear()
        self.table.setRowCount(len(table.rows) + 1)
        self.table.setColumnCount(len(table.columns) + 1)
        self.table.setHorizontalHeaderLabels([label(c) for c in table.columns] + ["total"])
        self.table.setVerticalHeaderLabels([label(r) for r in table.rows] + ["total"])
        for r, counts in enumerate(table.counts):
            row_total = sum(counts)
            for c, n in enumerate(counts):
                self.table.setItem(r, c, QTableWidgetItem(f"{n} ({round(100 * n / row_total)} %)"))
            self.table.setItem(r, len(counts), QTableWidgetItem(str(row_total)))
        for c, n in enumerate([*map(sum, zip(*table.counts, strict=True)), table.total] if table.counts else []):
            self.table.setItem(len(table.rows), c, QTableWidgetItem(str(n)))
        self.table.resizeColumnsToContents()
        self.table.setVisible(self.outcome.currentData() != self.groups.currentData())  # nothing to show against itself
        self.answer.setText(_answer(mix))
        synthetic = ["Counts from the demo server's made-up (synthetic) days, not real transfers."] \
            if mix.synthetic else []
        self.notes.setText(" ".join(mix.caveats + synthetic))
        self.totals.setText(_totals(mix))


def _dimension_box(chosen: Dimension) -> QComboBox:
    box = QComboBox()
    for dimension in Dimension:
        box.addItem(dimension.value, dimension.value)
    box.setCurrentIndex(list(Dimension).index(chosen))
    return box


def _answer(mix: CaseMix) -> str:
    period = f"{mix.first_day:%d %b} to {mix.last_day:%d %b}: {mix.transfers} transfers"
    if mix.days_counted == 0:
        return f"{period}. No counted days from the sync server for this period yet: they come with the sync."
    if mix.test is None:
        return f"{period}. Nothing to test: see below."
    return f"{period}. {mix.test.finding}"


def _totals(mix: CaseMix) -> str:
    parts = []
    for dimension, values in mix.marginals.items():
        listed = ", ".join(f"{label(v)} {n}" for v, n in values)
        parts.append(f"{dimension.value.capitalize()}: {listed or 'none'}.")
    return "  ".join(parts)
