"""Putting a bag on the shelf (issue 24): the donation number scanned or typed (its check character verified), the
product code as printed, component, group, volume, collection date, the label's expiry if it has one, where it is
kept. Return in any line registers; after a unit the number is cleared and focused for the next bag, the rest
kept (a delivery is many bags of one kind)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.domain.blood import Abo, Component
from emsync_desktop.services.blood_bank import BloodBankService, BloodInputProblem, NewUnit
from emsync_desktop.ui.blood_bank.parts import OutcomeLine
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import TOUCH_PX
from emsync_desktop.ui.widgets.buttons import touch_button
from emsync_desktop.ui.widgets.date_field import touch_date_field
from emsync_desktop.ui.widgets.fields import touch_line

_CHOOSE_GROUP = "Choose: as on the label"
_GROUPS = [(f"{abo.value} {'pos' if rhd else 'neg'}", abo, rhd) for abo in Abo for rhd in (True, False)]


class UnitRegisterForm(QWidget):
    registered = Signal(str)  # the unit's id

    def __init__(self, relay: TaskRelay, service: BloodBankService, on_local_change: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._relay, self._service, self._on_local_change = relay, service, on_local_change
        self.din = touch_line("Scan the bag, or type e.g. G1234 26 123456 and the boxed check character",
                              "Donation number")
        self.product = touch_line("e.g. E0336V00 (as printed)", "Product code")
        self.component = _combo([c.label for c in Component])
        self.group = _combo([_CHOOSE_GROUP, *(text for text, _, _ in _GROUPS)])  # chosen for every bag, from its label
        self.group.currentIndexChanged.connect(self._on_group_chosen)
        self.volume = QSpinBox()
        self.volume.setRange(1, 1000)
        self.volume.setValue(280)
        self.volume.setSuffix(" ml")
        self.volume.setMinimumSize(3 * TOUCH_PX, TOUCH_PX + 8)  # its text area (inside the frame) takes a finger
        self.volume.setMaximumWidth(240)
        today = QDate.currentDate()
        self.collected = touch_date_field(today.addDays(-1))
        self.has_label_expiry = QCheckBox("The label gives its own expiry")
        self.has_label_expiry.setMinimumHeight(TOUCH_PX)
        self.label_expiry = touch_date_field(today.addDays(30))
        self.label_expiry.setVisible(False)  # shown only when used: a date on screen that counts for nothing misleads
        self.location = touch_line("e.g. Fridge 2, shelf B", "Storage location")
        self.register = touch_button("Register unit", primary=True)
        self.register.clicked.connect(self._submit)
        for line in (self.din, self.product, self.location):
            line.returnPressed.connect(self._submit)
        self.outcome = OutcomeLine()
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout()
        for label, field in (("Donation number", self.din), ("Product code", self.product),
                             ("Component", self.component), ("ABO and RhD", self.group), ("Volume", self.volume),
                             ("Collected on", self.collected), ("", self.has_label_expiry),
                             ("Label expiry", self.label_expiry), ("Kept in", self.location)):
            form.addRow(label, field)
        self.has_label_expiry.toggled.connect(lambda on: form.setRowVisible(self.label_expiry, on))
        form.setRowVisible(self.label_expiry, False)
        body = QWidget()
        body.setMaximumWidth(760)  # a form, not a banner: the eye goes from label to field without travelling
        column = QVBoxLayout(body)
        column.addLayout(form)
        column.addWidget(self.register, 0, Qt.AlignmentFlag.AlignLeft)
        column.addWidget(self.outcome)
        layout = QVBoxLayout(self)
        layout.addWidget(body)
        layout.addStretch(1)

    def _submit(self) -> None:
        if not self.product.text().strip():
            self._problem("Type the product code printed on the label (e.g. E0336V00).", self.product)
            return
        if self.group.currentIndex() == 0:
            self._problem("Choose the ABO and RhD group printed on this bag's label.", self.group)
            return
        _, abo, rhd = _GROUPS[self.group.currentIndex() - 1]  # by index: Qt hands enum data back as plain text
        expiry = _end_of(self.label_expiry.date()) if self.has_label_expiry.isChecked() else None
        component = list(Component)[self.component.currentIndex()]
        unit = NewUnit(self.din.text(), self.product.text(), component, abo, rhd, self.volume.value(),
                       _collected_at(self.collected.date()), expiry, self.location.text())
        self.register.setEnabled(False)
        self._relay.submit(self._service.register_unit, unit, on_result=self._on_registered,
                           on_error=self._on_problem, owner=self)

    def _on_group_chosen(self, _index: int) -> None:
        if self.outcome.refused:  # "choose the group" is answered
            self.outcome.clear()

    def _problem(self, text: str, field: QWidget) -> None:
        self._show(f"✖ {text}", error=True)
        field.setFocus()

    def _on_registered(self, unit_id: str) -> None:
        self.register.setEnabled(True)
        self._show(f"✔ Registered {self.din.text().strip().upper()} — "
                   f"{self.group.currentText()} {self.component.currentText().lower()}. Scan the next bag.")
        self.din.clear()
        self.group.setCurrentIndex(0)  # the next bag's group is read from its own label, never carried over
        self.din.setFocus()
        self._on_local_change()
        self.registered.emit(unit_id)

    def _on_problem(self, error: BaseException) -> None:
        self.register.setEnabled(True)
        if not isinstance(error, BloodInputProblem):
            raise error
        self._show(f"✖ {error}", error=True)
        field = self.product if "product code" in str(error) else self.din
        field.setFocus()
        field.selectAll()

    def _show(self, text: str, *, error: bool = False) -> None:
        (self.outcome.refuse if error else self.outcome.say)(text.removeprefix("✖ "))


def _combo(items: list[str]) -> QComboBox:
    combo = QComboBox()
    combo.setMinimumHeight(TOUCH_PX)
    combo.addItems(items)
    return combo


def _collected_at(day: QDate) -> datetime:
    """Collection on a day: taken as its start (UTC), so a unit collected today is never 'in the future'."""
    return datetime(day.year(), day.month(), day.day(), tzinfo=UTC)


def _end_of(day: QDate) -> datetime:
    """A label's expiry date: the end of that day (UTC)."""
    return datetime.combine(datetime(day.year(), day.month(), day.day()).date(), time(23, 59), tzinfo=UTC)
