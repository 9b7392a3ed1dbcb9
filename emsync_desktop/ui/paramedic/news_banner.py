"""A banner over every tab of the crew's workspace: the latest decision on one of their transfers
(accepted, rejected with the reason, redirected), with a way to open that case. Colours from the theme."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from emsync_desktop.services.transfers import CrewNews
from emsync_desktop.ui.widgets.buttons import touch_button


class NewsBanner(QFrame):
    open_case = Signal(str)  # case id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.words = QLabel()
        self.words.setWordWrap(True)
        self.open_button = touch_button("Open case")
        self.dismiss = touch_button("Seen")
        self.dismiss.clicked.connect(self.hide)
        self.open_button.clicked.connect(self._open)
        layout = QHBoxLayout(self)
        layout.addWidget(self.words, 1)
        layout.addWidget(self.open_button)
        layout.addWidget(self.dismiss)
        self._case_id: str | None = None
        self.hide()

    def show_news(self, news: CrewNews, more: int = 0) -> None:
        self._case_id = news.case_id
        also = f"  (+{more} more: see the case list)" if more else ""
        self.words.setText(f"{news.patient}: {news.words}{also}")
        self.setObjectName(f"news_{news.kind}")
        self.style().unpolish(self)
        self.style().polish(self)
        self.show()

    def _open(self) -> None:
        if self._case_id is not None:
            self.open_case.emit(self._case_id)
        self.hide()
