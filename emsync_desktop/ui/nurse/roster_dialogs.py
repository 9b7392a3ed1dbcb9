"""The roster's inputs (issue 26): the ward's staff, the rules, and the nurses' requests and leave, each in a dialog
that checks what was typed and says what to fix before it closes (nothing half saved)."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.domain.ids import new_id
from emsync_desktop.domain.roster import Grade, Nurse, Request, Rules, Want
from emsync_desktop.domain.shifts import SHIFTS, Shift
from emsync_desktop.ui.widgets.buttons import touch_button
from emsync_desktop.ui.widgets.date_field import touch_date_field

_STAFF_COLUMNS = ["Name", "Grade", "Hours/week", "Skills", "Nights"]
_STAFF_HINTS = ["As the team calls them", "RN (registered nurse) or HCA (healthcare assistant)",
                "Contract hours a week", "Comma-separated, e.g. ICU", "yes or no"]


class _Checked(QDialog):
    """A dialog with Save/Cancel and a line saying what to fix; ``_check`` returns that text, or "" to close."""

    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.problem = QLabel()
        self.problem.setObjectName("outcomeRefused")
        self.problem.setWordWrap(True)
        self.problem.setVisible(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)

    def _check(self) -> str:
        return ""

    def _save(self) -> None:
        problem = self._check()
        self.problem.setText(f"✖ {problem}")
        self.problem.setVisible(bool(problem))
        if not problem:
            self.accept()


class StaffDialog(_Checked):
    def __init__(self, staff: tuple[Nurse, ...], parent: QWidget | None = None) -> None:
        super().__init__("Ward staff", parent)
        self.resize(820, 560)
        self._ids = [n.id for n in staff]
        self.table = QTableWidget(len(staff), len(_STAFF_COLUMNS))
        self.table.setHorizontalHeaderLabels(_STAFF_COLUMNS)
        for column, hint in enumerate(_STAFF_HINTS):
            header = self.table.horizontalHeaderItem(column)
            if header is not None:
                header.setToolTip(hint)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((220, 150, 120, 180)):
            self.table.setColumnWidth(column, width)
        self.table.setCornerButtonEnabled(False)
        for row, nurse in enumerate(staff):
            for column, text in enumerate((nurse.name, nurse.grade.value, f"{nurse.contract_hours:g}",
                                           ", ".join(sorted(nurse.skills)), "yes" if nurse.nights else "no")):
                self.table.setItem(row, column, QTableWidgetItem(text))
        add, remove = touch_button("Add nurse"), touch_button("Remove chosen")
        add.clicked.connect(self._add)
        remove.clicked.connect(self._remove)
        row_buttons = QHBoxLayout()
        row_buttons.addWidget(add)
        row_buttons.addWidget(remove)
        row_buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Grade: RN or HCA. Hours: a week's contract. Skills: comma-separated (e.g. ICU). "
                                "Nights: yes or no."))
        layout.addWidget(self.table, 1)
        layout.addLayout(row_buttons)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.staff: tuple[Nurse, ...] = staff

    def _add(self) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self._ids.append(new_id())
        for column, text in enumerate(("", "RN", "37.5", "", "yes")):
            self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.setCurrentCell(row, 0)
        first = self.table.item(row, 0)
        if first is not None:
            self.table.editItem(first)

    def _remove(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            del self._ids[row]

    def _check(self) -> str:
        staff = []
        for row in range(self.table.rowCount()):
            cells = [_text(self.table.item(row, c)) for c in range(len(_STAFF_COLUMNS))]
            name, grade, hours, skills, nights = cells
            where = f"Row {row + 1}"
            if not name:
                return f"{where}: give the nurse's name (or remove the row)."
            if grade.upper() not in ("RN", "HCA"):
                return f"{where} ({name}): grade is RN (registered nurse) or HCA (healthcare assistant)."
            try:
                weekly = float(hours.replace(",", "."))
            except ValueError:
                return f"{where} ({name}): hours a week is a number, e.g. 37.5."
            if not 1 <= weekly <= 60:
                return f"{where} ({name}): hours a week are 1 to 60."
            if nights.lower() not in ("yes", "no", "y", "n"):
                return f"{where} ({name}): nights is yes or no."
            staff.append(Nurse(self._ids[row], name, Grade(grade.upper()), weekly,
                               frozenset(s.strip() for s in skills.split(",") if s.strip()),
                               nights.lower().startswith("y")))
        if len({n.name for n in staff}) != len(staff):
            return "Two nurses have the same name: add an initial so the roster can tell them apart."
        self.staff = tuple(staff)
        return ""


class RulesDialog(_Checked):
    def __init__(self, rules: Rules, parent: QWidget | None = None) -> None:
        super().__init__("Roster rules", parent)
        self.cover = {s: _spin(rules.cover.get(s, 0), 0, 40) for s in SHIFTS}
        self.registered = _spin(rules.min_registered, 0, 20)
        self.nights = _spin(rules.max_consecutive_nights, 1, 7)
        self.days = _spin(rules.max_consecutive_days, 1, 14)
        self.rest = _spin(round(rules.min_rest_hours), 8, 16)
        self.icu = _spin(rules.skill_cover.get("ICU", 0), 0, 10)
        form = QFormLayout()
        for shift, spin in self.cover.items():
            form.addRow(f"Nurses on every {shift.label} shift", spin)
        form.addRow("Registered nurses on every shift", self.registered)
        form.addRow("ICU-skilled on every shift", self.icu)
        form.addRow("At most nights in a row", self.nights)
        form.addRow("At most days in a row", self.days)
        form.addRow("Rest between shifts (hours)", self.rest)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        note = QLabel("Always kept too: never an early after a night; nobody rostered more than 2 shifts over their "
                      "contract (booked leave lowers it). Cover counts every nurse; registered nurses are counted "
                      "among them.")
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

    def rules(self, base: Rules) -> Rules:
        skill = {"ICU": self.icu.value()} if self.icu.value() else {}
        return Rules(cover={s: spin.value() for s, spin in self.cover.items()}, min_registered=self.registered.value(),
                     skill_cover=skill, max_consecutive_nights=self.nights.value(),
                     max_consecutive_days=self.days.value(), min_rest_hours=float(self.rest.value()),
                     contract_weight=base.contract_weight, spread_weight=base.spread_weight,
                     week_weight=base.week_weight,
                     request_scale=base.request_scale)

    def _check(self) -> str:
        if self.registered.value() > max(spin.value() for spin in self.cover.values()):
            return "More registered nurses than the cover of any shift: raise the cover or lower the registered."
        return ""


_WHAT = [("Day off", None, Want.OFF), *((f"No {s.value}", s, Want.OFF) for s in SHIFTS),
         *((f"Wants {s.value}", s, Want.ON) for s in SHIFTS)]


class RequestsDialog(_Checked):
    def __init__(self, staff: tuple[Nurse, ...], requests: tuple[Request, ...], first_day: date, days: int,
                 parent: QWidget | None = None) -> None:
        super().__init__("Requests and leave", parent)
        self.resize(760, 560)
        self._names = {n.id: n.name for n in staff}
        self._first, self._days = first_day, days
        self.requests = [r for r in requests if r.nurse_id in self._names]
        self.table = QTableWidget(0, 1)
        self.table.horizontalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setCornerButtonEnabled(False)
        self.nurse = QComboBox()
        for nurse in sorted(staff, key=lambda n: n.name):
            self.nurse.addItem(nurse.name, nurse.id)
        self.day = touch_date_field(QDate(first_day.year, first_day.month, first_day.day), "ddd dd MMM yyyy")
        self.what = QComboBox()
        for label, shift, want in _WHAT:
            self.what.addItem(label, (shift, want))
        self.weight = _spin(3, 1, 5)  # shown in the list as "weight"
        self.leave = QCheckBox("Booked leave (always kept)")
        add, remove = touch_button("Add"), touch_button("Remove chosen")
        add.clicked.connect(self._add)
        remove.clicked.connect(self._remove)
        form = QFormLayout()
        for label, widget in (("Nurse", self.nurse), ("Day", self.day), ("What", self.what),
                              ("Weight: how much it matters (1-5)", self.weight), ("", self.leave)):
            form.addRow(label, widget)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addLayout(row)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self._show()

    def _show(self) -> None:
        self.requests.sort(key=lambda r: (r.day, self._names.get(r.nurse_id, "")))
        self.table.setRowCount(len(self.requests))
        for row, request in enumerate(self.requests):
            self.table.setItem(row, 0, QTableWidgetItem(request.text(self._names)))

    def _add(self) -> None:
        day = self.day.date().toPython()
        assert isinstance(day, date)
        if not 0 <= (day - self._first).days < self._days:
            last = self._first + timedelta(days=self._days - 1)
            self.problem.setText(f"✖ Choose a day of the roster: {self._first:%a %d %b} to {last:%a %d %b}.")
            self.problem.setVisible(True)
            return
        shift, want = self.what.currentData()
        leave = self.leave.isChecked()
        if leave and want is Want.ON:
            self.problem.setText("✖ Leave is time off: choose Day off or No <shift>.")
            self.problem.setVisible(True)
            return
        self.problem.setVisible(False)
        request = Request(self.nurse.currentData(), day, want, shift, self.weight.value(), leave)
        self.requests.append(request)
        self._show()
        row = self.requests.index(request)
        self.table.selectRow(row)  # the one just added, in view
        added = self.table.item(row, 0)
        if added is not None:
            self.table.scrollToItem(added)

    def _remove(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.requests):
            del self.requests[row]
            self._show()


def _text(item: QTableWidgetItem | None) -> str:
    return item.text().strip() if item is not None else ""


def _spin(value: int, low: int, high: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setValue(value)
    return spin


def shift_letter(shift: Shift | None) -> str:
    return {Shift.EARLY: "E", Shift.LATE: "L", Shift.NIGHT: "N"}.get(shift, "") if shift else ""
