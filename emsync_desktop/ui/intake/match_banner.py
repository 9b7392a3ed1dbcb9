"""An earlier case that looks like the same patient (issue 27), said under the patient's details when a typed ID
number, or name and date of birth, matches one: *Link as same patient* records it; *Not the same* hides it for this
case."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from emsync_desktop.domain.local_time import day_and_clock
from emsync_desktop.services.card_intake import CaseMatch
from emsync_desktop.ui.widgets.buttons import touch_button


class MatchBanner(QWidget):
    link_requested = Signal(str)  # the earlier case's id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._match: CaseMatch | None = None
        self._dismissed: set[tuple[str, str]] = set()  # (case, earlier case) the person said differ
        self._case_id = ""
        self.text = QLabel("")
        self.text.setObjectName("fieldWarning")
        self.text.setWordWrap(True)
        self.link = touch_button("Link as same patient", tooltip="Record that this case is the same patient")
        self.link.clicked.connect(self._link)
        self.differ = touch_button("Not the same", tooltip="Hide this for this case")
        self.differ.clicked.connect(self._dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.link)
        layout.addWidget(self.differ)
        self.hide()

    def show_matches(self, case_id: str, matches: tuple[CaseMatch, ...]) -> None:
        self._case_id = case_id
        match = next((m for m in matches if (case_id, m.case_id) not in self._dismissed), None)
        self._match = match
        if match is not None:
            complaint = f" ({match.chief_complaint})" if match.chief_complaint else ""
            self.text.setText(f"⚠ An earlier case has the {match.reason}: {match.title}, opened "
                              f"{day_and_clock(match.opened_at)}{complaint}. Same patient?")
        self.setVisible(match is not None)

    def _link(self) -> None:
        if self._match is not None:
            self.link_requested.emit(self._match.case_id)
            self.hide()

    def _dismiss(self) -> None:
        if self._match is not None:
            self._dismissed.add((self._case_id, self._match.case_id))
            self.hide()
