"""Record a procedure done: tap it, fill what it needs (energy, rate and current, time on, ECG file), Record."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.domain.local_time import parse_clock
from emsync_desktop.domain.procedures import Extra, Procedure
from emsync_desktop.services.case_record import RecordResult
from emsync_desktop.services.clock import utc_now
from emsync_desktop.services.record_views import ProcedureView
from emsync_desktop.ui.paramedic.record_model import RecordModel
from emsync_desktop.ui.theme import TOUCH_PX
from emsync_desktop.ui.widgets.buttons import touch_button
from emsync_desktop.ui.widgets.fields import ProblemLine, touch_line

PROCEDURE_COLUMNS = 3


class ProcedureDialog(QDialog):
    def __init__(self, model: RecordModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Procedure done")
        self._model = model
        self.chosen: Procedure | None = None
        self.buttons: dict[Procedure, QPushButton] = {}
        grid = QGridLayout()
        grid.setSpacing(4)
        for index, procedure in enumerate(Procedure):
            button = QPushButton(procedure.label)
            button.setCheckable(True)
            button.setMinimumHeight(TOUCH_PX)
            button.setAutoDefault(False)
            button.clicked.connect(lambda _c=False, p=procedure: self.pick(p))
            self.buttons[procedure] = button
            grid.addWidget(button, index // PROCEDURE_COLUMNS, index % PROCEDURE_COLUMNS)
        self.extras_form = QFormLayout()
        self.extra_edits: dict[Extra, QLineEdit] = {}
        self.done_at = touch_line("now", "Time done (blank: now)")
        self.problem = ProblemLine()
        self.record_button = touch_button("Record procedure", primary=True)
        self.record_button.setEnabled(False)
        self.record_button.clicked.connect(self._record_it)
        cancel = touch_button("Cancel")
        cancel.setAutoDefault(False)  # Enter after typing the dose records it; it never cancels it
        self.record_button.setDefault(True)
        cancel.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(cancel)
        row.addWidget(self.record_button)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addLayout(self.extras_form)
        layout.addWidget(self.problem)
        layout.addLayout(row)
        self.setMinimumWidth(640)

    def pick(self, procedure: Procedure) -> None:
        self.chosen = procedure
        for item, button in self.buttons.items():
            button.setChecked(item is procedure)
        while self.extras_form.rowCount():
            self.extras_form.removeRow(0)
        self.extra_edits = {}
        for spec in procedure.extras:
            edit = touch_line(spec.example or "optional", spec.label)
            self.extra_edits[spec.extra] = edit
            if spec.extra is Extra.ECG_FILE:
                edit.setPlaceholderText("optional: Choose file… (PDF, PNG, JPEG, XML or DICOM)")
                self.extras_form.addRow(spec.label, _with_browse(edit, self))
            else:
                self.extras_form.addRow(spec.label + ("" if spec.required else " (optional)"), edit)
        self.done_at = touch_line("now", "Time done (blank: now)")
        self.extras_form.addRow("Time done", self.done_at)
        self.record_button.setEnabled(True)
        first = next(iter(self.extra_edits.values()), self.done_at)
        first.setFocus()

    def values(self) -> tuple[dict[Extra, object], str | None]:
        """The extras as the service takes them (numbers, a time on, the path of the file to attach), or why not."""
        values: dict[Extra, object] = {}
        for extra, edit in self.extra_edits.items():
            text = edit.text().strip()
            if not text:
                continue
            if extra is Extra.TIME_ON:
                at, error = parse_clock(text, utc_now())
                if error:
                    return {}, f"Time on: {error}"
                values[extra] = at
            elif extra is Extra.ECG_FILE:
                values[extra] = Path(text)  # read, checked and kept by the service, off the GUI thread
            else:
                try:
                    values[extra] = float(text.replace(",", "."))
                except ValueError:
                    return {}, f"{extra.value.split('_')[0].capitalize()}: type a number, e.g. 150."
        return values, None

    def _record_it(self) -> None:
        if self.chosen is None:
            return
        values, error = self.values()
        done_at, time_error = parse_clock(self.done_at.text(), utc_now())
        if error or time_error:
            self.problem.report("procedure", error or time_error, None)
            return
        self.record_button.setEnabled(False)
        self._model.do_procedure(self.chosen, done_at, values, done=self._on_recorded)

    def _on_recorded(self, result: RecordResult[ProcedureView]) -> None:
        if result.ok:
            self.accept()
            return
        self.record_button.setEnabled(True)
        self.problem.report("procedure", result.error, None)



ECG_FILTER = "ECG files (*.pdf *.png *.jpg *.jpeg *.xml *.dcm);;All files (*)"  # DICOM often has no suffix


def _with_browse(edit: QLineEdit, parent: QWidget) -> QWidget:
    """The ECG file: the path chosen; recording it copies the file into the case's record (by content hash),
    and it goes to the ward after the entry."""
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    browse = touch_button("Choose file…")
    browse.setAutoDefault(False)  # Enter records; it never opens the file dialog

    def choose() -> None:
        start = str(Path(edit.text()).parent) if edit.text().strip() else str(Path.home())
        path, _ = QFileDialog.getOpenFileName(parent, "12-lead ECG file", start, ECG_FILTER)
        if path:
            edit.setText(path)
            edit.setCursorPosition(len(path))  # the name shows, not the start of a long folder

    browse.clicked.connect(choose)
    row.addWidget(edit, 1)
    row.addWidget(browse)
    return box
