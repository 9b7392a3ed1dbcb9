"""The case timeline as a strip of eight steps: one tap stamps a step now; a stamped step's tap edits its time.

The next step to stamp is the highlighted one, so a hurried crew taps the same place each time. An edit
is kept as a new stamp with the old time (audited); the answer, warning or refusal shows under the strip.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from emsync_desktop.domain.local_time import clock
from emsync_desktop.domain.timeline import TimelineStep, next_unstamped_step
from emsync_desktop.services.record_views import StampView
from emsync_desktop.ui.paramedic.record_model import CaseRecord, RecordModel
from emsync_desktop.ui.paramedic.stamp_time_dialog import StampTimeDialog
from emsync_desktop.ui.theme import TOUCH_PX
from emsync_desktop.ui.widgets.elided_label import ElidedLabel

SHORT_LABELS = {
    TimelineStep.CALL_RECEIVED: "Call", TimelineStep.DISPATCHED: "Dispatched", TimelineStep.EN_ROUTE: "En route",
    TimelineStep.AT_SCENE: "At scene", TimelineStep.AT_PATIENT: "At patient", TimelineStep.LEFT_SCENE: "Left scene",
    TimelineStep.AT_DESTINATION: "At hospital", TimelineStep.HANDED_OVER: "Handover",
}
"""Short enough for eight buttons across the case editor of a 1366 px screen; the full names are tooltips."""


class TimelineStrip(QWidget):
    def __init__(self, model: RecordModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._stamps: dict[TimelineStep, StampView] = {}
        self.buttons: dict[TimelineStep, QPushButton] = {}
        row = QHBoxLayout()
        row.setSpacing(3)
        for step in TimelineStep:
            button = QPushButton()
            button.setObjectName("timelineStep")
            button.setMinimumSize(40, TOUCH_PX + 8)
            button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            button.setAutoDefault(True)
            button.clicked.connect(lambda _c=False, s=step: self._on_tap(s))
            self.buttons[step] = button
            row.addWidget(button, 1)
        self.message = ElidedLabel()  # one line kept for it, so the tabs below never move
        self.message.setFixedHeight(self.message.fontMetrics().lineSpacing() + 4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.message)
        model.record_changed.connect(self._on_record)
        model.entry_answered.connect(self._on_answer)
        self._show()

    def _on_record(self, record: CaseRecord) -> None:
        self._stamps = {view.step: view for view in record.timeline}
        self._show()

    def _show(self) -> None:
        upcoming = next_unstamped_step({step: view.at for step, view in self._stamps.items()})
        for step, button in self.buttons.items():
            view = self._stamps.get(step)
            button.setText(f"{SHORT_LABELS[step]}\n{clock(view.at) if view else '—'}")
            button.setProperty("stamped", view is not None)
            button.setProperty("next", step is upcoming)
            button.setToolTip(_tooltip(step, view))
            button.setAccessibleName(f"{step.label}: " + (clock(view.at) if view else "not stamped, tap to stamp now"))
            button.style().unpolish(button)
            button.style().polish(button)

    def _on_tap(self, step: TimelineStep) -> None:
        view = self._stamps.get(step)
        if view is None:
            self._model.stamp(step)
            return
        dialog = StampTimeDialog(step, view, self.window())
        dialog.time_chosen.connect(lambda at: self._model.stamp(step, at) if view.from_transfer
                                   else self._model.edit_stamp(step, at))
        dialog.open()

    def _on_answer(self, kind: str, error: str | None, warnings: tuple[str, ...]) -> None:
        if kind == "stamp":
            self.message.setObjectName("fieldError" if error else "fieldWarning")
            self.message.style().unpolish(self.message)
            self.message.style().polish(self.message)
            self.message.set_full_text(error or (warnings[0] if warnings else ""))


def _tooltip(step: TimelineStep, view: StampView | None) -> str:
    if view is None:
        return f"{step.label}: tap to stamp it now (the time can be corrected afterwards)"
    source = "from the transfer" if view.from_transfer else "stamped"
    edited = f"; changed from {clock(view.edited_from)}" if view.edited_from else ""
    return f"{step.label} {clock(view.at)}, {source} by {view.by_name}{edited}. Tap to correct the time."

