"""A crew's blood pre-alert (issue 24): the request form in a window, for the blood bank of the hospital the
case's transfer goes to; it closes once the request is saved (it goes when the ambulance is online)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from emsync_desktop.services.blood_bank import BloodBankService
from emsync_desktop.ui.blood_bank.request_form import BloodRequestForm
from emsync_desktop.ui.tasks import TaskRelay


class BloodRequestDialog(QDialog):
    def __init__(self, relay: TaskRelay, service: BloodBankService, on_local_change: Callable[[], None],
                 transfer_id: str, hospital_id: str, hospital_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # one per use: none left behind
        self.setWindowTitle(f"Blood pre-alert to {hospital_name}'s blood bank")
        self.form = BloodRequestForm(relay, service, on_local_change, transfer_id=transfer_id,
                                     hospital_id=hospital_id)
        self.form.sent.connect(lambda _id: self.accept())
        layout = QVBoxLayout(self)
        note = QLabel(f"For the patient of this case, on the way to {hospital_name}. Saved at once; it goes when "
                      "the ambulance is online, and the blood bank's answer shows on the Hospital tab.")
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addWidget(self.form)
        self.resize(640, self.sizeHint().height())
