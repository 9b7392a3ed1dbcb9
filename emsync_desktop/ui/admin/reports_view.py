"""Admin → NEMSIS export: the agency identifiers NEMSIS reports carry, and every case closed in a date
range as one NEMSIS v3.5 EMSDataSet file.

Reads on the DB thread, validation and writing on a background thread (services/nemsis_export);
``choose_target`` is an attribute so tests answer the save dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.services.nemsis_agency import save_agency, saved_agency
from emsync_desktop.services.nemsis_export import NemsisBatch, NemsisExport, gather_range, write_report
from emsync_desktop.store.database import Store
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.widgets.buttons import touch_button
from emsync_desktop.ui.widgets.date_field import touch_date_field
from emsync_desktop.ui.widgets.fields import touch_line


class NemsisReportsView(QWidget):
    def __init__(self, relay: TaskRelay, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._relay, self._store = relay, store
        self.choose_target: Callable[[str], Path | None] = self._ask_target
        self.agency_fields = {"state_id": touch_line("e.g. S06-1234", "Agency state ID"),
                              "number": touch_line("e.g. 1234", "Agency number"),
                              "state_code": touch_line("two digits, e.g. 06", "State code (ANSI)")}
        for field in self.agency_fields.values():
            field.setMaximumWidth(360)  # short codes: a full-width field reads as a paragraph to type
        self.save_agency_button = touch_button("Save agency")
        self.save_agency_button.clicked.connect(self.save_agency)
        today = QDate.currentDate()
        self.first_day, self.last_day = touch_date_field(QDate(today.year(), today.month(), 1)), touch_date_field(today)
        self.export_button = touch_button("Export…", primary=True, tooltip="Every case closed from the first to "
                                          "the last day (both included) in one NEMSIS v3.5 XML file")
        self.export_button.clicked.connect(self.export)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self._agency_box())
        layout.addWidget(self._range_box())
        layout.addWidget(self.status)
        layout.addStretch(1)
        relay.submit(saved_agency, store, on_result=self._on_agency, owner=self)

    def _agency_box(self) -> QGroupBox:
        box = QGroupBox("Agency (as your state EMS office assigned it)")
        form = QFormLayout(box)
        labels = {"state_id": "Agency state ID", "number": "Agency number", "state_code": "State code (2 digits)"}
        for name, field in self.agency_fields.items():
            form.addRow(labels[name], field)
        form.addRow("", self.save_agency_button)
        return box

    def _range_box(self) -> QGroupBox:
        box = QGroupBox("NEMSIS export of closed cases")
        form = QFormLayout(box)
        form.addRow("From", self.first_day)
        form.addRow("To", self.last_day)
        form.addRow("", self.export_button)
        return box

    def _on_agency(self, values: dict[str, str]) -> None:
        for name, text in values.items():
            self.agency_fields[name].setText(text)

    def save_agency(self) -> None:
        state_id, number, state_code = (f.text() for f in self.agency_fields.values())
        self._relay.submit(save_agency, self._store, state_id, number, state_code, owner=self,
                           on_result=lambda _a: self.status.setText("Agency saved."),
                           on_error=lambda e: self.status.setText(f"Agency not saved: {e}"))

    def export(self) -> None:
        first, last = _day(self.first_day), _day(self.last_day)
        target = self.choose_target(f"nemsis-{first:%Y%m%d}-{last:%Y%m%d}.xml")
        if target is None:
            return
        self.status.setText("Exporting…")
        self._relay.submit(gather_range, self._store, first, last, owner=self, on_error=self._failed,
                           on_result=lambda batch: self._write(batch, target))

    def _write(self, batch: NemsisBatch, target: Path) -> None:
        self._relay.submit_background(write_report, batch, target, owner=self, on_result=self._written,
                                      on_error=self._failed)

    def _written(self, result: NemsisExport) -> None:
        cases = "1 case" if result.cases == 1 else f"{result.cases} cases"
        self.status.setText(f"Exported {cases} to {result.path}")

    def _failed(self, error: BaseException) -> None:
        self.status.setText(f"Not exported: {error}")

    def _ask_target(self, suggested: str) -> Path | None:
        path, _filter = QFileDialog.getSaveFileName(self, "NEMSIS export", suggested, "NEMSIS XML (*.xml)")
        return Path(path) if path else None


def _day(field: QDateEdit) -> date:
    chosen = field.date()
    return date(chosen.year(), chosen.month(), chosen.day())
