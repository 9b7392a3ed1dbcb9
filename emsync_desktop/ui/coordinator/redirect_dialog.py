"""Choose where a transfer goes instead: unit, hospital (those with a free bed of that unit, nearest to
the current destination first) and a reason the crew and both wards will read."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.services.network import UNITS
from emsync_desktop.services.redirect import RedirectOptions
from emsync_desktop.ui.widgets.buttons import touch_button


class RedirectDialog(QDialog):
    redirect_chosen = Signal(str, str, str)  # hospital id, unit, reason

    def __init__(self, options: RedirectOptions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._options = options
        self.setWindowTitle("Redirect transfer")
        self.setMinimumSize(560, 520)
        heading = QLabel(f"<b>{options.patient}</b><br>now to {options.current_name} · {options.unit}")
        heading.setWordWrap(True)
        self.unit = QComboBox()
        self.unit.addItems(list(UNITS))
        self.unit.setCurrentText(options.unit)
        self.unit.currentTextChanged.connect(self._fill_hospitals)
        self.hospitals = QListWidget()
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("e.g. CT down at the destination; the crew and both wards see this")
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.ok = touch_button("Redirect and hold bed", primary=True)
        self.ok.clicked.connect(self._submit)
        cancel = touch_button("Cancel")
        cancel.clicked.connect(self.reject)
        form = QFormLayout()
        form.addRow("Unit", self.unit)
        form.addRow("Hospital", self.hospitals)
        form.addRow("Reason", self.reason)
        buttons = QHBoxLayout()
        buttons.addWidget(self.error, 1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.ok)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form, 1)
        layout.addLayout(buttons)
        self._fill_hospitals(options.unit)

    def choose(self, hospital_id: str) -> None:
        for row in range(self.hospitals.count()):
            item = self.hospitals.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == hospital_id:
                self.hospitals.setCurrentItem(item)

    def _fill_hospitals(self, unit: str) -> None:
        self.hospitals.clear()
        for target in self._options.with_free(unit):
            if target.hospital_id == self._options.current_hospital_id and unit == self._options.unit:
                continue
            item = QListWidgetItem(f"{target.name} — {target.free_by_unit[unit]} {unit} free · "
                                   f"{target.distance_km:.1f} km from {self._options.current_name}")
            item.setData(Qt.ItemDataRole.UserRole, target.hospital_id)
            item.setSizeHint(QSize(0, 44))  # a finger-sized row
            self.hospitals.addItem(item)
        if self.hospitals.count():
            self.hospitals.setCurrentRow(0)
        self.error.setText("" if self.hospitals.count() else f"No hospital has a free {unit} bed: try another unit.")

    def _submit(self) -> None:
        item = self.hospitals.currentItem()
        if item is None:
            self.error.setText("Choose a hospital with a free bed.")
            return
        if not self.reason.text().strip():
            self.error.setText("Give a reason: the crew and both wards see it.")
            self.reason.setFocus()
            return
        self.redirect_chosen.emit(item.data(Qt.ItemDataRole.UserRole), self.unit.currentText(),
                                  self.reason.text().strip())
        self.accept()
