"""Asking a blood bank for blood (issue 24), on a ward PC or from the ambulance: who the patient is (two
identifiers, checked again at the bedside), their group if known, how urgent, and how many units of each
component; one tap fills a massive-transfusion pack (6 red cells : 6 plasma : 1 platelet pool by default)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.domain.blood import Abo, Component, PackRatio
from emsync_desktop.domain.blood_flow import PatientIds, Urgency
from emsync_desktop.domain.patient import CaseDetails, Sex
from emsync_desktop.services.blood_bank import BloodAsk, BloodBankService, BloodInputProblem
from emsync_desktop.services.blood_views import BloodViews
from emsync_desktop.ui.blood_bank.parts import OutcomeLine
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import TOUCH_PX
from emsync_desktop.ui.widgets.buttons import touch_button
from emsync_desktop.ui.widgets.fields import ChoiceField, touch_line

_ASKED = (Component.RED_CELLS, Component.PLASMA, Component.PLATELETS, Component.CRYO)
_GROUP_CHOICES: list[tuple[str, tuple[Abo, bool] | None]] = [("Not known yet", None)] + [
    (f"{abo.value} {'pos' if rhd else 'neg'}", (abo, rhd)) for abo in Abo for rhd in (True, False)]


class BloodRequestForm(QWidget):
    sent = Signal(str)  # the request's id

    def __init__(self, relay: TaskRelay, service: BloodBankService, on_local_change: Callable[[], None], *,
                 transfer_id: str | None = None, hospital_id: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._relay, self._service, self._on_local_change = relay, service, on_local_change
        self._transfer_id, self._hospital_id = transfer_id, hospital_id
        self.name = touch_line("Full name as on the wristband", "Patient's full name")
        self.second = touch_line("Date of birth, or the wristband's number", "Second identifier")
        self.group = QComboBox()
        self.group.setMinimumHeight(TOUCH_PX)
        self.group.addItems([text for text, _ in _GROUP_CHOICES])
        # Asked every time, "not known" by default and treated as "can": an unticked box read as "a man" and gave
        # O positive to a patient nobody had asked about (docs/decisions.md).
        self.childbearing = ChoiceField("childbearing", "Can the patient bear children?", [
            ("yes", "Yes", "A girl or woman who can bear children: RhD-negative red cells if the group is not known"),
            ("no", "No", "A man, or a woman who cannot bear children"),
            ("unknown", "Not known", "Treated as yes")])
        self.childbearing.set_value("unknown")
        self.urgency = ChoiceField("urgency", "How soon", [(u.name, u.label, "") for u in Urgency])
        self.urgency.set_value(Urgency.URGENT.name)
        self.counts = {c: _count_box(c) for c in _ASKED}
        self.pack = touch_button("Massive\ntransfusion pack", tooltip="6 red cells, 6 plasma, 1 platelet pool; "
                                                                     "emergency")
        self.pack.clicked.connect(self._fill_pack)
        self._pack = PackRatio()  # the blood bank's own, once read (a crew far from it: the default)
        relay.submit(BloodViews(service.store, service.user).pack, on_result=self._on_pack, owner=self)
        self.reason = touch_line("e.g. postpartum haemorrhage, Hb 6.8", "Why")
        self.send = touch_button("Send request", primary=True)
        self.send.clicked.connect(self._submit)
        self.outcome = OutcomeLine()
        self._mtp = False
        counts = QGridLayout()
        for index, (component, box) in enumerate(self.counts.items()):
            counts.addWidget(QLabel(component.label), index // 2, 2 * (index % 2))
            counts.addWidget(box, index // 2, 2 * (index % 2) + 1)
        counts.addWidget(self.pack, 0, 4, 2, 1)  # beside the counts it fills
        counts.setColumnStretch(5, 1)
        form = QFormLayout()
        for label, field in (("Patient", self.name), ("Second identifier", self.second), ("ABO and RhD", self.group),
                             ("Why", self.reason)):
            form.addRow(label, field)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.childbearing)
        layout.addWidget(self.urgency)
        layout.addLayout(counts)
        layout.addWidget(self.send, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.outcome)

    def fill_from_case(self, details: CaseDetails) -> None:
        """What the crew's case knows already: the name, the date of birth as the second identifier, and whether
        the patient can bear children (a man cannot; a woman's answer is left 'not known' for the crew to give)."""
        self.name.setText(details.name)
        if details.date_of_birth is not None:
            self.second.setText(details.date_of_birth.isoformat())
        if details.sex is Sex.MALE:
            self.childbearing.set_value("no")

    def _on_pack(self, pack: PackRatio) -> None:
        self._pack = pack
        self.pack.setToolTip(f"{pack.red_cells} red cells, {pack.plasma} plasma, {pack.platelets} platelet pools "
                             "(the blood bank's pack); emergency")

    def _fill_pack(self) -> None:
        for component, n in self._pack.as_counts().items():
            self.counts[component].setValue(n)
        self.urgency.set_value(Urgency.EMERGENCY.name)
        self._mtp = True

    def _submit(self) -> None:
        group = _GROUP_CHOICES[self.group.currentIndex()][1]  # by index: Qt hands enum data back as plain text
        urgency = Urgency[self.urgency.value() or Urgency.URGENT.name]
        ask = BloodAsk(PatientIds(self.name.text(), self.second.text()), group[0] if group else None,
                       group[1] if group else None, self.childbearing.value() != "no", urgency,
                       {c: box.value() for c, box in self.counts.items()}, self.reason.text(), mtp=self._mtp,
                       transfer_id=self._transfer_id, hospital_id=self._hospital_id)
        self.send.setEnabled(False)
        self._relay.submit(self._service.request_blood, ask, on_result=self._on_sent, on_error=self._on_problem,
                           owner=self)

    def _on_sent(self, request_id: str) -> None:
        self.send.setEnabled(True)
        self._say("✔ Saved and queued for the blood bank. Its answer appears under the requests.")
        for widget in (self.name, self.second, self.reason):
            widget.clear()
        for box in self.counts.values():
            box.setValue(0)
        self.childbearing.set_value("unknown")
        self._mtp = False
        self.urgency.set_value(Urgency.URGENT.name)
        self._on_local_change()
        self.sent.emit(request_id)

    def _on_problem(self, error: BaseException) -> None:
        self.send.setEnabled(True)
        if not isinstance(error, BloodInputProblem):
            raise error
        self._say(f"✖ {error}", error=True)
        text = str(error)
        field = (self.name if "full name" in text and not self.name.text().strip() else
                 self.second if "identifier" in text else self.counts[Component.RED_CELLS] if "unit" in text else None)
        if field is not None:
            field.setFocus()

    def _say(self, text: str, *, error: bool = False) -> None:
        (self.outcome.refuse if error else self.outcome.say)(text.removeprefix("✖ "))


def _count_box(component: Component) -> QSpinBox:
    box = QSpinBox()
    box.setRange(0, 20)
    box.setMinimumSize(2 * TOUCH_PX, TOUCH_PX + 8)  # its text area (inside the frame) must take a finger too
    box.setAccessibleName(f"Units of {component.label.lower()}")
    return box
