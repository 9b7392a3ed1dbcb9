"""Dialogs of the task board (issue 26): a new task for the ward, and the NEWS2 score that closes a set of
observations (it sets when the next set is due, by the RCP's monitoring frequency)."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.domain.ward_tasks import Priority, monitoring_for
from emsync_desktop.services.ward_tasks import BedChoice, NewTask

DUE_CHOICES = [("As soon as possible", None), ("In 15 min", 15), ("In 30 min", 30), ("In 1 hour", 60),
               ("In 2 hours", 120), ("In 4 hours", 240), ("In 8 hours", 480)]
UNITS = ("WARD", "ICU", "HDU", "ER")


class NewTaskDialog(QDialog):
    """Title, priority, when, and optionally a bed, the patient's name as the team uses it, and a note. Does not
    close while the title is empty (it says so)."""

    def __init__(self, beds: list[BedChoice], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New ward task")
        self.title = QLineEdit()
        self.title.setMaxLength(120)
        self.title.setPlaceholderText("e.g. Check drip")
        self.title.setMinimumWidth(360)
        self.priority = QComboBox()
        for priority in (Priority.ROUTINE, Priority.URGENT, Priority.ASAP, Priority.STAT):
            self.priority.addItem(priority.label, priority.value)  # Qt hands an enum back as its text
        self.due = QComboBox()
        for label, minutes in DUE_CHOICES:
            self.due.addItem(label, minutes)
        self.bed = QComboBox()
        self.bed.addItem("The ward (no bed)", None)
        for bed in beds:
            self.bed.addItem(f"{bed.unit} · bed {bed.label}", bed.id)
        self.unit = QComboBox()
        self.unit.addItems(UNITS)
        self._bed_units = {bed.id: bed.unit for bed in beds}
        self.bed.currentIndexChanged.connect(lambda _: self._follow_bed())
        self.patient = QLineEdit()
        self.patient.setMaxLength(80)
        self.patient.setPlaceholderText("Optional, e.g. Mr K")
        self.note = QLineEdit()
        self.note.setMaxLength(500)
        self.problem = QLabel()
        self.problem.setObjectName("outcomeRefused")
        self.problem.setVisible(False)
        form = QFormLayout()
        for label, widget in (("Task", self.title), ("Priority", self.priority), ("When", self.due),
                              ("Bed", self.bed), ("Unit", self.unit), ("Patient", self.patient), ("Note", self.note)):
            form.addRow(label, widget)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.title.setFocus()

    def _follow_bed(self) -> None:
        """A bed's task is in the bed's unit: the unit shows it and cannot be changed."""
        bed_id = self.bed.currentData()
        if bed_id is not None:
            self.unit.setCurrentText(self._bed_units[bed_id])
        self.unit.setEnabled(bed_id is None)

    def new_task(self) -> NewTask:
        minutes = self.due.currentData()
        return NewTask(title=self.title.text(), unit=self.unit.currentText(),
                       priority=Priority(self.priority.currentData()),
                       due_in=timedelta(minutes=minutes) if minutes is not None else None,
                       bed_id=self.bed.currentData(), patient=self.patient.text(), note=self.note.text())

    def _save(self) -> None:
        if not self.title.text().strip():
            self.problem.setText("✖ Say what needs doing, e.g. \"Check drip\".")
            self.problem.setVisible(True)
            self.title.setFocus()
            return
        self.accept()


class ObservationsDialog(QDialog):
    """The NEWS2 score of the observations just taken (typed: it starts empty, so Enter alone saves nothing), and
    whether one parameter scored 3; shows when the next set will be due before it is saved."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Observations done")
        self.score = QLineEdit()
        self.score.setPlaceholderText("0 to 20")
        self.score.setMaxLength(2)
        self.single_three = QCheckBox("One parameter scored 3")
        self.next = QLabel("Type the NEWS2 score of these observations.")
        self.next.setWordWrap(True)
        self.score.textChanged.connect(lambda _: self._show_next())
        self.single_three.toggled.connect(lambda _: self._show_next())
        form = QFormLayout()
        form.addRow("NEWS2 score", self.score)
        form.addRow("", self.single_three)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        heading = QLabel(title)
        heading.setWordWrap(True)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.next)
        layout.addWidget(self.buttons)
        self.score.setFocus()

    def value(self) -> int | None:
        text = self.score.text().strip()
        return int(text) if text.isdigit() and 0 <= int(text) <= 20 else None

    def _show_next(self) -> None:
        score = self.value()
        if score is None:
            self.next.setText("Type the NEWS2 score of these observations: a whole number from 0 to 20."
                              if self.score.text().strip() else "Type the NEWS2 score of these observations.")
            return
        plan = monitoring_for(score, self.single_three.isChecked())
        self.next.setText(f"{plan.band.label}: next observations {plan.text}.")

    def _save(self) -> None:
        if self.value() is None:
            self._show_next()
            self.next.setObjectName("outcomeRefused")
            self.next.setStyleSheet("")
            self.score.setFocus()
            return
        self.accept()


def observations_score(parent: QWidget, title: str) -> tuple[int, bool] | None:
    """Ask for the score; None if the nurse cancelled."""
    dialog = ObservationsDialog(title, parent)
    if not dialog.exec():
        return None
    score = dialog.value()
    return None if score is None else (score, dialog.single_three.isChecked())
