"""Patient details and complaint. Every field saves itself."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QGroupBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from emsync_desktop.domain.card_reading import IdType
from emsync_desktop.services.case_views import CaseSnapshot
from emsync_desktop.ui.intake.match_banner import MatchBanner
from emsync_desktop.ui.paramedic.case_model import CaseEditorModel
from emsync_desktop.ui.widgets.buttons import touch_button
from emsync_desktop.ui.widgets.fields import ChoiceField, ProblemLine, SavingField

SEX_CHOICES = [("female", "F", "Female"), ("male", "M", "Male"), ("other", "Other", "Other")]


class CaseForm(QWidget):
    read_card_requested = Signal()
    card_images_requested = Signal()

    def __init__(self, model: CaseEditorModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self.fields: dict[str, SavingField | ChoiceField] = {}
        patient = QGroupBox("Patient")
        grid = QGridLayout(patient)
        grid.setHorizontalSpacing(14)
        encrypted = QLabel("Name, date of birth, phone, ID, address and insurance are encrypted on this device.")
        encrypted.setObjectName("muted")
        encrypted.setWordWrap(True)
        self.read_card = touch_button("Read ID card…", tooltip="Fill these from a photo or scan of an ID, passport "
                                      "or insurance card, read on this PC (Ctrl+I)")
        self.read_card.clicked.connect(self.read_card_requested)
        self.linked = QLabel("")
        self.linked.setObjectName("muted")
        self.linked.setWordWrap(True)
        self.id_kind = QLabel("")
        self.id_kind.setObjectName("muted")
        footer = QHBoxLayout()
        footer.addWidget(encrypted, 1)
        footer.addWidget(self.id_kind)
        self.card_images = touch_button("Card image…", tooltip="The card photo kept with this case (encrypted)")
        self.card_images.clicked.connect(self.card_images_requested)
        self.card_images.hide()
        footer.addWidget(self.card_images)
        footer.addWidget(self.read_card)
        grid.addLayout(footer, 3, 0, 1, 4)
        grid.addWidget(self.linked, 4, 0, 1, 4)
        self.match = MatchBanner()
        grid.addWidget(self.match, 5, 0, 1, 4)
        self._add(grid, SavingField("name", "Name", placeholder="Full name, if known"), 0, 0, 1, 2)
        self._add(grid, SavingField("date_of_birth", "Date of birth", placeholder="YYYY-MM-DD"), 0, 2)
        self._add(grid, SavingField("age_years", "Age", "years", placeholder="estimate"), 0, 3)
        self._add(grid, ChoiceField("sex", "Sex", SEX_CHOICES), 1, 0)
        self._add(grid, SavingField("phone", "Phone", placeholder="+91 …"), 1, 1)
        self._add(grid, SavingField("id_number", "ID number", placeholder="Aadhaar / other ID"), 1, 2, 1, 2)
        self._add(grid, SavingField("address", "Address", placeholder="House, street, town"), 2, 0, 1, 2)
        self._add(grid, SavingField("insurer", "Insurer"), 2, 2)
        self._add(grid, SavingField("policy_number", "Policy no."), 2, 3)
        complaint = QGroupBox("Complaint and background")
        cgrid = QGridLayout(complaint)
        cgrid.setHorizontalSpacing(14)
        self._add(cgrid, SavingField("chief_complaint", "Chief complaint  (required)",
                                     placeholder="e.g. central chest pain for 40 minutes"), 0, 0, 1, 2)
        where = QLabel("Allergies, medications, past history and weight: the History tab (Ctrl+8).")
        where.setObjectName("muted")
        where.setWordWrap(True)
        cgrid.addWidget(where, 1, 0, 1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.problems = ProblemLine()
        layout.addWidget(patient)
        layout.addWidget(complaint)
        layout.addWidget(self.problems)
        model.snapshot_changed.connect(self._on_snapshot)
        model.field_result.connect(self._on_field_result)
        self._shown_case: str | None = None

    def _add(self, grid: QGridLayout, field: SavingField | ChoiceField,
             row: int, col: int, rows: int = 1, cols: int = 1) -> None:
        grid.addWidget(field, row, col, rows, cols)
        self.fields[field.name] = field
        field.commit.connect(self._model.save_detail)

    def flush(self) -> None:
        for field in self.fields.values():
            field.flush()

    def _on_snapshot(self, snapshot: CaseSnapshot | None) -> None:
        if snapshot is None:
            return
        new_case = snapshot.id != self._shown_case
        if new_case:
            self.problems.clear_all()
            self.match.hide()
        self._shown_case = snapshot.id
        d = snapshot.details
        values = {
            "name": d.name, "date_of_birth": d.date_of_birth.isoformat() if d.date_of_birth else "",
            "age_years": "" if d.age_years is None else str(d.age_years), "phone": d.phone,
            "id_number": d.id_number, "chief_complaint": d.chief_complaint, "address": d.address,
            "insurer": d.insurer, "policy_number": d.policy_number,
        }
        for name, value in values.items():
            field = self.fields[name]
            if isinstance(field, ChoiceField):
                continue
            if new_case:
                field.reset(value)
            elif not field.messages.isVisible() or field.messages.objectName() != "fieldError":
                field.set_text(value)
        sex = self.fields["sex"]
        assert isinstance(sex, ChoiceField)
        sex.set_value(d.sex.value if d.sex.value != "unknown" else "")
        self.card_images.setVisible(snapshot.card_images > 0)
        count = snapshot.card_images
        self.card_images.setText("Card image…" if count == 1 else f"Card images ({count})…")
        self.id_kind.setText(f"ID document: {IdType(d.id_type).label}" if d.id_type else "")
        self.linked.setText(f"Linked: {snapshot.linked_case}" if snapshot.linked_case else "")
        self.linked.setVisible(bool(snapshot.linked_case))

    def _on_field_result(self, name: str, error: str | None, warning: str | None) -> None:
        if name in self.fields:
            self.fields[name].show_result(error, warning)
            self.problems.report(name, error, warning)
