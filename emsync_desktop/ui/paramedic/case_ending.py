"""Close the open case with a disposition, discard one opened by mistake, or reopen a closed one.

The choice is asked in a dialog (``choose_disposition`` and ``confirm_discard`` are attributes so tests
answer for the paramedic); the work runs on the DB thread through CaseClosing.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QInputDialog, QLabel, QMessageBox, QWidget

from emsync_desktop.domain.disposition import Disposition
from emsync_desktop.domain.local_time import day_and_clock
from emsync_desktop.services.case_closing import CaseClosing, CaseNotEnded
from emsync_desktop.services.case_views import CaseSnapshot
from emsync_desktop.ui.paramedic.case_model import CaseEditorModel
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.widgets.buttons import touch_button


class CaseEndingBar(QWidget):
    def __init__(self, model: CaseEditorModel, relay: TaskRelay, closing: CaseClosing,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._relay = relay
        self._closing = closing
        self.choose_disposition: Callable[[], Disposition | None] = self._ask_disposition
        self.confirm_discard: Callable[[], bool] = self._ask_discard
        self.state = QLabel()
        self.state.setObjectName("fieldWarning")
        self.message = QLabel()
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)
        self.close_button = touch_button("Close case…", tooltip="End this case with a disposition (handed over, "
                                         "treated on scene, refused care, died, cancelled)")
        self.discard_button = touch_button("Discard", tooltip="Remove a case opened by mistake and never sent "
                                           "(kept in the record as discarded)")
        self.reopen_button = touch_button("Reopen")
        self.close_button.clicked.connect(self.close_case)
        self.discard_button.clicked.connect(self.discard_case)
        self.reopen_button.clicked.connect(self.reopen_case)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.state)
        layout.addWidget(self.message, 1)
        for button in (self.reopen_button, self.discard_button, self.close_button):
            layout.addWidget(button)
        model.snapshot_changed.connect(self._on_snapshot)
        self._on_snapshot(None)

    def _on_snapshot(self, snapshot: CaseSnapshot | None) -> None:
        ended = snapshot.ended if snapshot is not None else None
        when = f" · {day_and_clock(snapshot.closed_at)}" if snapshot is not None and snapshot.closed_at else ""
        self.state.setText(f"{ended}{when}" if ended else "")
        self.state.setVisible(bool(ended))
        self.close_button.setVisible(snapshot is not None and not ended)
        self.discard_button.setVisible(snapshot is not None and not ended)
        self.reopen_button.setVisible(bool(ended))
        self.message.setText("")

    def close_case(self) -> None:
        snapshot = self._model.snapshot
        if snapshot is None:
            return
        disposition = self.choose_disposition()
        if disposition is None:
            return
        self._model.flush_requested.emit()
        self._run(self._closing.close, snapshot.id, disposition)

    def discard_case(self) -> None:
        snapshot = self._model.snapshot
        if snapshot is not None and self.confirm_discard():
            self._run(self._closing.discard, snapshot.id)

    def reopen_case(self) -> None:
        if self._model.snapshot is not None:
            self._run(self._closing.reopen, self._model.snapshot.id)

    def _run(self, fn: Callable[..., CaseSnapshot], *args: object) -> None:
        self._relay.submit(fn, *args, on_result=self._model.show_ended, on_error=self._refused, owner=self)

    def _refused(self, error: BaseException) -> None:
        self.message.setText(str(error) if isinstance(error, CaseNotEnded) else f"Could not change the case: {error}")

    def _ask_disposition(self) -> Disposition | None:
        labels = [d.label for d in Disposition]
        choice, ok = QInputDialog.getItem(self, "Close case", "How did this case end?", labels, 0, False)
        return next((d for d in Disposition if d.label == choice), None) if ok else None

    def _ask_discard(self) -> bool:
        answer = QMessageBox.question(self, "Discard case?", "Discard this case? Use this only for a case opened "
                                      "by mistake: it leaves the list (kept in the record as discarded).",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes
