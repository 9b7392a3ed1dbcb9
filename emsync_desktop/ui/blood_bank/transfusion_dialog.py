"""Starting a transfusion at the bedside (issue 24): scan the bag, read the wristband's two identifiers; the device
compares them with the unit and its request before anything is sent, and says which one differs. Nothing is
recorded until all three match."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from emsync_desktop.domain.blood_flow import PatientIds
from emsync_desktop.services.blood_bank import BloodBankService, BloodInputProblem
from emsync_desktop.services.blood_views import UnitView
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.widgets.fields import touch_line


class TransfusionDialog(QDialog):
    def __init__(self, relay: TaskRelay, service: BloodBankService, unit: UnitView,
                 on_local_change: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # one per use: none left behind
        self.setWindowTitle("Start transfusion: bedside check")
        self._relay, self._service, self._unit, self._on_local_change = relay, service, unit, on_local_change
        self.scanned = touch_line("Scan the bag's donation number", "Donation number on the bag")
        self.name = touch_line("Full name from the wristband", "Patient's name on the wristband")
        self.second = touch_line("Date of birth or hospital number from the wristband", "Second identifier")
        self.problem = QLabel()
        self.problem.setObjectName("outcomeRefused")
        self.problem.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.confirm = self.buttons.addButton("Checked: start", QDialogButtonBox.ButtonRole.AcceptRole)
        self.confirm.setDefault(True)
        self.buttons.accepted.connect(self._check)
        self.buttons.rejected.connect(self.reject)
        header = QLabel(f"Unit {unit.din} · {unit.group} {unit.component.label.lower()}. Read each from the bag "
                        "and the patient's wristband, not from this screen.")
        header.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Bag", self.scanned)
        form.addRow("Name", self.name)
        form.addRow("Second identifier", self.second)
        layout = QVBoxLayout(self)
        layout.addWidget(header)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.resize(560, self.sizeHint().height())

    def _check(self) -> None:
        self.confirm.setEnabled(False)
        self._relay.submit(self._service.start_transfusion, self._unit.id, self.scanned.text(),
                           PatientIds(self.name.text(), self.second.text()), on_result=self._on_started,
                           on_error=self._on_problem, owner=self)

    def _on_started(self, _: object) -> None:
        self._on_local_change()
        self.accept()

    def _on_problem(self, error: BaseException) -> None:
        self.confirm.setEnabled(True)
        self.confirm.setDefault(True)  # Return checks again; it never falls on Cancel
        if not isinstance(error, BloodInputProblem):
            raise error
        self.problem.setText(f"✖ {error}")
        text = str(error)
        field = self.name if "name" in text else self.second if "second identifier" in text else self.scanned
        field.setFocus()
        field.selectAll()
