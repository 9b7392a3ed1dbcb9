"""Registering a donor (issue 24): name, phone, group, and their last donation if they gave elsewhere. A problem
is said in the window, which stays open with what was typed."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from emsync_desktop.domain.blood import Abo, BloodGroup
from emsync_desktop.services.blood_bank import BloodInputProblem
from emsync_desktop.services.blood_donors import DonorService
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import TOUCH_PX
from emsync_desktop.ui.widgets.date_field import touch_date_field
from emsync_desktop.ui.widgets.fields import touch_line

_GROUPS = [BloodGroup(abo, rhd) for abo in Abo for rhd in (True, False)]


class DonorDialog(QDialog):
    def __init__(self, relay: TaskRelay, service: DonorService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # one per use: none left behind
        self.setWindowTitle("Register donor")
        self._relay, self._service = relay, service
        self.name = touch_line("Full name", "Donor's full name")
        self.phone = touch_line("e.g. +91 94470 12345", "Donor's phone")
        self.group = QComboBox()
        self.group.setMinimumHeight(TOUCH_PX)
        self.group.addItems(["Choose: as on their donor card", *(str(g) for g in _GROUPS)])
        self.gave_before = QCheckBox("Gave blood before (elsewhere)")
        self.gave_before.setMinimumHeight(TOUCH_PX)
        self.last_given = touch_date_field(QDate.currentDate().addMonths(-3))
        self.problem = QLabel()
        self.problem.setObjectName("outcomeRefused")
        self.problem.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save = buttons.addButton("Register", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save.setDefault(True)
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        for label, field in (("Name", self.name), ("Phone", self.phone), ("ABO and RhD", self.group),
                             ("", self.gave_before), ("Last donation", self.last_given)):
            form.addRow(label, field)
        form.setRowVisible(self.last_given, False)  # shown only when it counts
        self.gave_before.toggled.connect(lambda on: form.setRowVisible(self.last_given, on))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())

    def _submit(self) -> None:
        if self.group.currentIndex() == 0:
            self.problem.setText("✖ Choose the donor's ABO and RhD group.")
            self.group.setFocus()
            return
        day = self.last_given.date()
        last = datetime(day.year(), day.month(), day.day(), tzinfo=UTC) if self.gave_before.isChecked() else None
        self.save.setEnabled(False)
        self._relay.submit(self._service.register, self.name.text(), self.phone.text(),
                           _GROUPS[self.group.currentIndex() - 1], last, on_result=lambda _id: self.accept(),
                           on_error=self._on_problem, owner=self)

    def _on_problem(self, error: BaseException) -> None:
        self.save.setEnabled(True)
        self.save.setDefault(True)  # Return tries again; it never falls on Cancel
        if not isinstance(error, BloodInputProblem):
            raise error
        self.problem.setText(f"✖ {error}")
        (self.phone if "phone" in str(error) else self.name).setFocus()
