"""A blood bank's massive-transfusion pack and its donors' shortest gaps (issue 24), set here for all its PCs and
the wards that ask it (their pack button fills these counts)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from emsync_desktop.domain.blood import DONATION_INTERVALS, Donation, PackRatio
from emsync_desktop.services.blood_bank import BloodBankService, BloodInputProblem
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import TOUCH_PX

_DONATION_TEXT = {Donation.WHOLE_BLOOD: "After whole blood", Donation.DOUBLE_RED_CELLS: "After double red cells",
                  Donation.PLATELETS: "After platelets", Donation.PLASMA: "After plasma"}


class BloodSettingsDialog(QDialog):
    def __init__(self, relay: TaskRelay, service: BloodBankService, settings: dict[str, Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("Massive-transfusion pack and donor intervals")
        self._relay, self._service = relay, service
        pack = PackRatio(**settings["pack"]) if settings.get("pack") else PackRatio()
        days = settings.get("donation_days") or {}
        self.pack = {name: _box(value, 0, 50, "") for name, value in
                     (("red_cells", pack.red_cells), ("plasma", pack.plasma), ("platelets", pack.platelets))}
        self.days = {kind: _box(int(days.get(kind.value, DONATION_INTERVALS[kind].days)), 1, 730, " days")
                     for kind in Donation}
        form = QFormLayout()
        for name, label in (("red_cells", "Pack: red cell units"), ("plasma", "Pack: plasma units"),
                            ("platelets", "Pack: platelet pools")):
            form.addRow(label, self.pack[name])
        for kind in Donation:
            form.addRow(_DONATION_TEXT[kind], self.days[kind])
        note = QLabel("Defaults: a 6 : 6 : 1 pack; 56, 112, 7 and 28 days between donations (US FDA, "
                      "21 CFR 630.15 and its platelet guidance). Change them to your service's own protocol.")
        note.setWordWrap(True)
        self.problem = QLabel()
        self.problem.setObjectName("outcomeRefused")
        self.problem.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save = buttons.addButton("Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save.setDefault(True)
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())

    def _submit(self) -> None:
        pack = PackRatio(**{name: box.value() for name, box in self.pack.items()})
        days = {kind: box.value() for kind, box in self.days.items()}
        self._relay.submit(self._service.set_pack_and_intervals, pack, days, on_result=lambda _r: self.accept(),
                           on_error=self._on_problem, owner=self)

    def _on_problem(self, error: BaseException) -> None:
        if not isinstance(error, BloodInputProblem):
            raise error
        self.problem.setText(f"✖ {error}")


def _box(value: int, low: int, high: int, suffix: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setValue(value)
    box.setSuffix(suffix)
    box.setMinimumSize(3 * TOUCH_PX, TOUCH_PX + 8)
    return box
