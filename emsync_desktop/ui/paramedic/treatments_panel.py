"""The Record tab: drugs given and procedures done, newest first, with the buttons to add one.

Each row says what, when and who, and any dose warning it was recorded with (kept, never a block), and
whether it has reached the server; the formulary in force is named under the buttons.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from emsync_desktop.domain.local_time import clock
from emsync_desktop.domain.record_summary import procedure_text
from emsync_desktop.services.handoff_record import done_procedure
from emsync_desktop.services.record_views import MedicationView, ProcedureView
from emsync_desktop.ui.paramedic.record_model import CaseRecord, RecordModel
from emsync_desktop.ui.widgets.buttons import touch_button

COLUMNS = ["Time", "Treatment", "By", "Checks and sync"]


class TreatmentsPanel(QWidget):
    give_drug_requested = Signal()
    procedure_requested = Signal()

    def __init__(self, model: RecordModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.give_drug = touch_button("Drug given…  (Ctrl+G)", primary=True,
                                      tooltip="Record a drug given: pick it, check the dose, Record")
        self.give_drug.clicked.connect(self.give_drug_requested)
        self.procedure = touch_button("Procedure…  (Ctrl+R)", tooltip="Record a procedure done, with its time")
        self.procedure.clicked.connect(self.procedure_requested)
        self.source = QLabel()
        self.source.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.empty = QLabel("No drug or procedure recorded yet.")
        self.empty.setObjectName("muted")
        buttons = QHBoxLayout()
        buttons.addWidget(self.give_drug)
        buttons.addWidget(self.procedure)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.source)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        model.record_changed.connect(self._on_record)

    def _on_record(self, record: CaseRecord) -> None:
        self.source.setText(record.formulary.source)
        self.source.setObjectName("muted" if record.formulary.reviewed else "fieldWarning")
        self.source.style().unpolish(self.source)
        self.source.style().polish(self.source)
        rows = sorted([*(_drug_row(m) for m in record.medications), *(_procedure_row(p) for p in record.procedures)],
                      key=lambda row: row[0], reverse=True)
        self.empty.setVisible(not rows)
        self.table.setRowCount(len(rows))
        for index, (_at, texts) in enumerate(rows):
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(index, column, item)
        self.table.resizeColumnsToContents()
        self.table.resizeRowsToContents()


def _sync_text(state: str, reason: str | None) -> str:
    if state == "rejected":
        return f"refused by the server: {reason or 'no reason given'}"
    return "" if state == "synced" else "not sent yet"


def _drug_row(view: MedicationView) -> tuple[datetime, list[str]]:
    what = view.dose_text + (" (free text: not in the formulary)" if view.free_text else "")
    notes = [f"⚠ {w}" for w in view.warnings if not (view.free_text and "not in the formulary" in w)]
    notes.append(_sync_text(view.sync_state, view.sync_reason))
    return view.given_at, [clock(view.given_at), what, view.by_name, "\n".join(n for n in notes if n)]


def _procedure_row(view: ProcedureView) -> tuple[datetime, list[str]]:
    notes = [_sync_text(view.sync_state, view.sync_reason)]
    if view.blob_state == "to_send":
        notes.append("ECG file waiting to send")
    elif view.blob_state == "unsendable":
        notes.append(view.sync_reason or "ECG file not sent")
    what = procedure_text(done_procedure(view))  # the handoff's words: 'Defibrillation (150 J)'
    return view.done_at, [clock(view.done_at), what, view.by_name, "\n".join(n for n in notes if n)]
