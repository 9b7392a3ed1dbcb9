"""Correct a stamped time: type the right clock time; the old one stays in the record."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from emsync_desktop.domain.local_time import clock, parse_clock
from emsync_desktop.domain.timeline import TimelineStep
from emsync_desktop.services.clock import utc_now
from emsync_desktop.services.record_views import StampView
from emsync_desktop.ui.widgets.fields import ProblemLine, touch_line


class StampTimeDialog(QDialog):
    time_chosen = Signal(object)  # aware datetime (UTC)

    def __init__(self, step: TimelineStep, view: StampView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Correct the time: {step.label}")
        source = "taken from the transfer" if view.from_transfer else f"stamped by {view.by_name}"
        intro = QLabel(f"<b>{step.label}</b> is {clock(view.at)} ({source}).<br>Type the right time. "
                       "The old time is kept in the record, with who changed it.")
        intro.setWordWrap(True)
        self.time = touch_line("07:42", f"{step.label} time, hours and minutes", clock(view.at))
        self.time.selectAll()
        self.problem = ProblemLine()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("Save time")
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.time)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)

    def _save(self) -> None:
        at, error = parse_clock(self.time.text(), utc_now())
        if at is None:
            self.problem.report("time", error or "Type the time, e.g. 07:42.", None)
            return
        self._emit(at)

    def _emit(self, at: datetime) -> None:
        self.time_chosen.emit(at)
        self.accept()
