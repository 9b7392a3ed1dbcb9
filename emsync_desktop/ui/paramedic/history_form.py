"""The SAMPLE history form: signs, allergies, medications, past history, last oral intake, events, weight.

A list question has its four answers as buttons (not asked, none, unknown, listed), so "no known
allergies" is an answer and never an empty field. Saving is automatic: when a field is left (or an answer
tapped) the whole history is saved as a new entry, if it changed; a refusal shows and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.domain.history import (
    AnswerStatus,
    HistoryItem,
    LastOralIntake,
    ListAnswer,
    SampleHistory,
    WeightKind,
    parse_weight,
)
from emsync_desktop.domain.local_time import clock, parse_clock
from emsync_desktop.services.clock import utc_now
from emsync_desktop.ui.paramedic.record_model import CaseRecord, RecordModel
from emsync_desktop.ui.theme import TOUCH_PX
from emsync_desktop.ui.widgets.fields import TYPING_PAUSE_MS, ProblemLine, touch_line

SHORT_NONE = {HistoryItem.MEDICATIONS: "None", HistoryItem.PAST_HISTORY: "None"}
"""'No known allergies' stays whole (it is the answer people look for); the others fit a 1280 px screen."""
STATUS_TEXT = {AnswerStatus.NOT_ASKED: "Not asked", AnswerStatus.UNKNOWN: "Unknown", AnswerStatus.LISTED: "Listed"}


class _Segmented(QWidget):
    """Touch buttons of which exactly one is chosen."""

    def __init__(self, choices: list[tuple[str, str]], on_choice: Callable[[], None]) -> None:
        super().__init__()
        self.value = choices[0][0]
        self._on_choice = on_choice
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(3)
        for value, text in choices:
            button = QPushButton(text)
            button.setObjectName("segment")
            button.setCheckable(True)
            button.setMinimumHeight(TOUCH_PX)
            button.setAutoDefault(True)
            button.clicked.connect(lambda _c=False, v=value: self._tapped(v))
            self.buttons[value] = button
            row.addWidget(button)
        self.choose(self.value)

    def _tapped(self, value: str) -> None:
        self.choose(value)
        self._on_choice()

    def choose(self, value: str) -> None:
        self.value = value
        for key, button in self.buttons.items():
            button.setChecked(key == value)


class _ListQuestion(QWidget):
    """One SAMPLE list: its answer buttons and, for 'listed', the items typed comma-separated."""

    def __init__(self, item: HistoryItem, on_change: Callable[[], None]) -> None:
        super().__init__()
        self.item = item
        labels = {**STATUS_TEXT, AnswerStatus.NONE: SHORT_NONE.get(item, item.none_label)}
        order = (AnswerStatus.NOT_ASKED, AnswerStatus.NONE, AnswerStatus.UNKNOWN, AnswerStatus.LISTED)
        self.status = _Segmented([(status.value, labels[status]) for status in order], on_change)
        self.status.buttons[AnswerStatus.NONE.value].setToolTip(item.none_label)
        self.status.buttons[AnswerStatus.NONE.value].setAccessibleName(item.none_label)
        self.items = QLineEdit()
        self.items.setMinimumHeight(TOUCH_PX)
        self.items.setPlaceholderText("comma-separated, e.g. penicillin, latex")
        self.items.setAccessibleName(f"{item.label}, comma-separated")
        self.items.textEdited.connect(self._typed)
        self.items.editingFinished.connect(on_change)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.status)
        layout.addWidget(self.items)

    def _typed(self, text: str) -> None:
        if text.strip():
            self.status.choose(AnswerStatus.LISTED.value)  # typing an allergy answers the question

    def answer(self) -> ListAnswer:
        return ListAnswer(AnswerStatus(self.status.value), tuple(self.items.text().split(",")))

    def show_answer(self, answer: ListAnswer) -> None:
        self.status.choose(answer.status.value)
        self.items.setText(", ".join(answer.items))


class HistoryForm(QWidget):
    def __init__(self, model: RecordModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._saved: SampleHistory | None = None
        self._case_id: str | None = None
        self.signs = touch_line("What the patient feels and what you see", "Signs and symptoms")
        self.lists = {item: _ListQuestion(item, self.save_if_changed) for item in HistoryItem}
        self.intake_at = touch_line("07:42", "Last oral intake time")
        self.intake_what = touch_line("what, e.g. tea and toast", "Last oral intake")
        self.events = touch_line("What led up to this", "Events")
        self.weight = touch_line("kg", "Weight in kg")
        self.weight_kind = _Segmented([(WeightKind.MEASURED.value, "Measured"),
                                       (WeightKind.ESTIMATED.value, "Estimated")], self.save_if_changed)
        self.weight_kind.choose(WeightKind.ESTIMATED.value)
        self._pause = QTimer(self, singleShot=True, interval=TYPING_PAUSE_MS)  # a pause in typing saves too
        self._pause.timeout.connect(self._save)
        edits = [self.signs, self.intake_at, self.intake_what, self.events, self.weight,
                 *(question.items for question in self.lists.values())]
        for edit in edits:
            edit.editingFinished.connect(self.save_if_changed)
            edit.textEdited.connect(lambda _t: self._pause.start())
        self.problems = ProblemLine()
        self.earlier = QLabel()  # a case begun before the SAMPLE form: what was typed then, read-only
        self.earlier.setObjectName("muted")
        self.earlier.setWordWrap(True)
        self.earlier.hide()
        self._lay_out()
        model.record_changed.connect(self._on_record)
        model.entry_answered.connect(self._on_answer)

    def _lay_out(self) -> None:
        box = QGroupBox("SAMPLE history — saves as you go")
        form = QFormLayout(box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)  # labels above: the answers need the width
        form.addRow("Signs / symptoms", self.signs)
        for item, question in self.lists.items():
            form.addRow(item.label, question)
        intake = QHBoxLayout()
        intake.addWidget(self.intake_at, 1)
        intake.addWidget(self.intake_what, 3)
        form.addRow("Last oral intake", intake)
        form.addRow("Events", self.events)
        weight = QHBoxLayout()
        weight.addWidget(self.weight, 1)
        weight.addWidget(self.weight_kind, 2)
        form.addRow("Weight (kg)", weight)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.earlier)
        layout.addWidget(box)
        layout.addWidget(self.problems)
        layout.addStretch(1)

    def history(self) -> tuple[SampleHistory | None, str | None]:
        """What the form holds, or why it cannot be saved (a time or a weight that is not one)."""
        now = utc_now()
        intake_at, error = parse_clock(self.intake_at.text(), now)
        if error:
            return None, f"Last oral intake: {error}"
        weight, error = parse_weight(self.weight.text(), WeightKind(self.weight_kind.value))
        if error:
            return None, error
        return SampleHistory(
            signs_symptoms=self.signs.text().strip(), allergies=self.lists[HistoryItem.ALLERGIES].answer(),
            medications=self.lists[HistoryItem.MEDICATIONS].answer(),
            past_history=self.lists[HistoryItem.PAST_HISTORY].answer(),
            last_oral_intake=LastOralIntake(intake_at, self.intake_what.text().strip()),
            events=self.events.text().strip(), weight=weight), None

    def save_if_changed(self) -> None:
        # after the click or focus change has settled, so a tap on an answer and the field left save once
        QTimer.singleShot(0, self, self._save)

    def flush(self) -> None:
        self._save()

    def _save(self) -> None:
        self._pause.stop()
        if self._case_id is None:
            return
        history, error = self.history()
        self.problems.report("history", error, None)
        if history is not None and _comparable(history) != _comparable(self._saved):
            self._saved = history
            self._model.save_history(history, self._case_id)  # the case on screen, even if another just opened

    def _on_answer(self, kind: str, error: str | None, warnings: tuple[str, ...]) -> None:
        if kind == "history":
            self.problems.report("history", error, warnings[0] if warnings else None)
            if error:
                self._saved = None  # refused: the next change tries again

    def _on_record(self, record: CaseRecord) -> None:
        if record.case_id == self._case_id:
            return  # the same case: what is on screen is newer than (or equal to) what was saved
        if self._pause.isActive():
            self._save()  # typed into the case that was on screen: saved to it before the form changes
        self._case_id = record.case_id
        self.problems.clear_all()
        self._show_earlier()
        self._show(record.history.history if record.history else SampleHistory())

    def _show_earlier(self) -> None:
        snapshot = self._model.cases.snapshot
        d = snapshot.details if snapshot is not None else None
        texts = [(label, text) for label, text in (("History", d.history), ("Allergies", d.allergies),
                 ("Medications", d.medications)) if text.strip()] if d is not None else []
        self.earlier.setText("Typed before this form (kept as it was): "
                             + "; ".join(f"{label}: {text}" for label, text in texts))
        self.earlier.setVisible(bool(texts))

    def _show(self, history: SampleHistory) -> None:
        self._saved = history
        self.signs.setText(history.signs_symptoms)
        for item, answer in ((HistoryItem.ALLERGIES, history.allergies), (HistoryItem.MEDICATIONS,
                             history.medications), (HistoryItem.PAST_HISTORY, history.past_history)):
            self.lists[item].show_answer(answer)
        intake = history.last_oral_intake
        self.intake_at.setText(clock(intake.at) if intake.at else "")
        self.intake_what.setText(intake.what)
        self.events.setText(history.events)
        self.weight.setText(f"{history.weight.kg:g}" if history.weight else "")
        self.weight_kind.choose((history.weight.kind if history.weight else WeightKind.ESTIMATED).value)


def _comparable(history: SampleHistory | None) -> object:
    """Two histories that save the same thing compare equal (list items cleaned, the intake to the minute)."""
    if history is None:
        return None
    def items(answer: ListAnswer) -> tuple[str, tuple[str, ...]]:
        return answer.status.value, tuple(" ".join(t.split()) for t in answer.items if t.strip())
    at: datetime | None = history.last_oral_intake.at
    return (history.signs_symptoms, items(history.allergies), items(history.medications),
            items(history.past_history), at.replace(second=0, microsecond=0) if at else None,
            history.last_oral_intake.what, history.events, history.weight)

