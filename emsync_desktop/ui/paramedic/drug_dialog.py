"""Record a drug given: tap the drug, check the dose, tap Record (three taps from the vitals screen).

The drug's unit and first route are filled in; a drug already given in this case brings its last dose
(a repeat is the common case: adrenaline every 3-5 minutes). The dose is checked against the formulary
as it is typed; a warning names the limit and never blocks. A drug not in the list is typed into the
search field and recorded as free text, marked as such.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.domain.dose_check import check_dose
from emsync_desktop.domain.formulary import DoseUnit, Drug, Route, find_drug, parse_route
from emsync_desktop.domain.history import BodyWeight
from emsync_desktop.domain.local_time import parse_clock
from emsync_desktop.services.case_record import RecordResult
from emsync_desktop.services.clock import utc_now
from emsync_desktop.services.record_views import MedicationView
from emsync_desktop.ui.paramedic.record_model import CaseRecord, RecordModel
from emsync_desktop.ui.theme import TOUCH_PX
from emsync_desktop.ui.widgets.buttons import touch_button
from emsync_desktop.ui.widgets.fields import ProblemLine, touch_line

DRUG_COLUMNS = 3


class DoseChecks(ProblemLine):
    """Room for two warnings at once (over the limit, and no age recorded) without moving the buttons."""

    LINES = 4


class DrugDialog(QDialog):
    def __init__(self, model: RecordModel, record: CaseRecord, age_years: float | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Drug given")
        self._model = model
        self._record = record
        self._age_years = age_years
        self._weight: BodyWeight | None = record.history.history.weight if record.history else None
        self._drugs = record.formulary.drugs
        self.search = touch_line("Find a drug, or type one not in the list", "Drug name")
        self.search.textEdited.connect(self._on_search)
        self.search.installEventFilter(self)
        self.drug_buttons = self._drug_grid()
        self.dose = touch_line("Dose", "Dose given")
        self.unit = QComboBox()
        self.unit.setEditable(True)
        self.unit.addItems([unit.value for unit in DoseUnit])
        self.unit.setCurrentIndex(-1)  # the drug's own unit once it is picked; never a guess
        self.unit.setMinimumHeight(TOUCH_PX)
        self.unit.setAccessibleName("Dose unit")
        self.route = QComboBox()
        self.route.addItems([route.value for route in Route])
        self.route.setCurrentIndex(-1)
        self.route.setMinimumHeight(TOUCH_PX)
        self.route.setAccessibleName("Route")
        self.given_at = touch_line("now", "Time given (blank: now)")
        self.checks = DoseChecks()
        self.source = QLabel(record.formulary.source)
        self.source.setObjectName("muted" if record.formulary.reviewed else "fieldWarning")
        self.source.setWordWrap(True)
        self.record_button = touch_button("Record drug given", primary=True)
        self.record_button.clicked.connect(self._record_it)
        cancel = touch_button("Cancel")
        cancel.setAutoDefault(False)  # Enter after typing the dose records it; it never cancels it
        self.record_button.setDefault(True)
        cancel.clicked.connect(self.reject)
        for signal in (self.dose.textEdited, self.unit.currentTextChanged, self.route.currentTextChanged):
            signal.connect(lambda *_: self._check())
        self._layout(cancel)
        self._check()

    def _drug_grid(self) -> dict[str, QPushButton]:
        buttons: dict[str, QPushButton] = {}
        for drug in self._drugs:
            button = QPushButton(drug.name)
            button.setCheckable(True)
            button.setMinimumHeight(TOUCH_PX)
            button.setToolTip(f"{drug.name}: " + ", ".join(f"{limit.route_text}" for limit in drug.limits))
            button.setAutoDefault(False)
            button.clicked.connect(lambda _c=False, d=drug: self.pick(d))
            buttons[drug.key] = button
        return buttons

    def _layout(self, cancel: QPushButton) -> None:
        grid = QGridLayout()
        grid.setSpacing(4)
        for index, button in enumerate(self.drug_buttons.values()):
            grid.addWidget(button, index // DRUG_COLUMNS, index % DRUG_COLUMNS)
        dose_row = QHBoxLayout()
        for label, widget, stretch in (("Dose", self.dose, 2), ("Unit", self.unit, 1), ("Route", self.route, 1),
                                       ("Given at", self.given_at, 1)):
            column = QVBoxLayout()
            column.setSpacing(2)
            column.addWidget(QLabel(label))
            column.addWidget(widget)
            dose_row.addLayout(column, stretch)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.record_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addLayout(grid)
        layout.addLayout(dose_row)
        layout.addWidget(self.checks)
        layout.addWidget(self.source)
        layout.addLayout(buttons)
        self.setMinimumWidth(640)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter in the search picks the one drug left (or keeps the free text) and goes on to the dose,
        instead of pressing Record with no dose."""
        if watched is self.search and isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shown = [d for d in self._drugs if self.drug_buttons[d.key].isVisible()]
            chosen = find_drug(self._drugs, self.search.text()) or (shown[0] if len(shown) == 1 else None)
            if chosen is not None:
                self.pick(chosen)
            elif self.search.text().strip():
                self.dose.setFocus(Qt.FocusReason.OtherFocusReason)
            return True
        return super().eventFilter(watched, event)

    def pick(self, drug: Drug) -> None:
        """A drug tapped: its unit and first route, and its last dose in this case if it was given."""
        for key, button in self.drug_buttons.items():
            button.setChecked(key == drug.key)
        if find_drug(self._drugs, self.search.text()) is not drug:
            self.search.setText(drug.name)
        last = _last_given(self._record.medications, drug.name)
        self.unit.setCurrentText(last.dose_unit if last else drug.unit.value)
        route = parse_route(last.route) if last else None
        self.route.setCurrentText((route or drug.routes[0]).value if drug.routes else Route.IV.value)
        self.dose.setText(f"{last.dose_value:g}" if last else "")
        self.dose.setFocus(Qt.FocusReason.OtherFocusReason)
        self._check()

    def _on_search(self, text: str) -> None:
        """Typing filters the buttons; an exact name picks its drug, anything else is free text."""
        needle = text.strip().casefold()
        for drug in self._drugs:
            button = self.drug_buttons[drug.key]
            button.setVisible(not needle or needle in drug.name.casefold()
                              or any(needle in s.casefold() for s in drug.synonyms))
            button.setChecked(find_drug(self._drugs, text) is drug)
        self._check()

    def _dose_value(self) -> float | None:
        try:
            return float(self.dose.text().strip().replace(",", "."))
        except ValueError:
            return None

    def _check(self) -> None:
        """Show the formulary's warnings for what is typed now (pure, fast: on the GUI thread)."""
        drug, dose = self.search.text().strip(), self._dose_value()
        self.record_button.setEnabled(bool(drug))
        if not drug or dose is None:
            hint = "Pick or type the drug." if not drug else "Type the dose given, e.g. 300."
            self.checks.report("dose", None, hint if self.dose.text().strip() or not drug else None)
            return
        check = check_dose(self._drugs, drug=drug, dose=dose, unit=self.unit.currentText(),
                           route=self.route.currentText(), age_years=self._age_years, weight=self._weight)
        self.checks.report("dose", None, " ".join(w.message for w in check.warnings) or None)

    def _record_it(self) -> None:
        dose = self._dose_value()
        given_at, time_error = parse_clock(self.given_at.text(), utc_now())
        if dose is None or time_error:
            self.checks.report("dose", time_error or "Type the dose given as a number, e.g. 300 or 0.5.", None)
            return
        self.record_button.setEnabled(False)  # one tap, one entry
        self._model.give_drug(drug=self.search.text().strip(), dose=dose, unit=self.unit.currentText(),
                              route=self.route.currentText(), given_at=given_at, done=self._on_recorded)

    def _on_recorded(self, result: RecordResult[MedicationView]) -> None:
        if result.ok:
            self.accept()
            return
        self.record_button.setEnabled(True)
        self.checks.report("dose", result.error, None)


def _last_given(medications: Sequence[MedicationView], name: str) -> MedicationView | None:
    given = [m for m in medications if m.drug.casefold() == name.casefold()]
    return given[-1] if given else None
