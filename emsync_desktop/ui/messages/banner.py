"""A banner over every tab: the newest message not yet read, or an urgent one not yet acknowledged by this user's
side (red, with Acknowledge), with a way to open its thread. Colours from the theme."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from emsync_desktop.domain.local_time import clock
from emsync_desktop.services.messages import Notice
from emsync_desktop.ui.widgets.buttons import touch_button

PREVIEW_CHARS = 120


class MessageBanner(QFrame):
    open_thread = Signal(str)  # transfer id
    acknowledge = Signal(str)  # message id
    mark_read = Signal(str)  # transfer id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.words = QLabel()
        self.words.setWordWrap(True)
        self.open_button = touch_button("Open thread (Ctrl+M)")
        self.acknowledge_button = touch_button("Acknowledge", primary=True)
        self.read_button = touch_button("Mark read")
        self.open_button.clicked.connect(self._open)
        self.acknowledge_button.clicked.connect(self._acknowledge)
        self.read_button.clicked.connect(self._mark_read)
        layout = QHBoxLayout(self)
        layout.addWidget(self.words, 1)
        layout.addWidget(self.open_button)
        layout.addWidget(self.acknowledge_button)
        layout.addWidget(self.read_button)
        self._transfer_id: str | None = None
        self._message_id: str | None = None
        self.hide()

    @property
    def transfer_id(self) -> str | None:
        """The thread the banner is about (None: nothing to tell)."""
        return self._transfer_id

    def show_notices(self, notices: list[Notice]) -> None:
        if not notices:
            self._transfer_id = self._message_id = None
            self.hide()
            return
        first = notices[0]
        message = first.message
        self._transfer_id, self._message_id = message.transfer_id, message.id
        text = message.text if len(message.text) <= PREVIEW_CHARS else message.text[:PREVIEW_CHARS - 1] + "…"
        lead = "⚠ URGENT — acknowledge" if first.needs_acknowledgement else "✉ New message"
        more = f"  (+{len(notices) - 1} more)" if len(notices) > 1 else ""
        self.words.setText(f"{lead} · {escape(first.transfer_title)}<br>{escape(message.sender_name)} "
                           f"({message.sender_side.value}) {clock(message.sent_at)}: “{escape(text)}”{more}")
        self.acknowledge_button.setVisible(first.needs_acknowledgement)
        self.read_button.setVisible(not first.needs_acknowledgement)
        name = "messageUrgent" if first.needs_acknowledgement else "messageBanner"
        if self.objectName() != name:
            self.setObjectName(name)
            self.style().unpolish(self)
            self.style().polish(self)
        self.show()

    def _open(self) -> None:
        if self._transfer_id is not None:
            self.open_thread.emit(self._transfer_id)

    def _acknowledge(self) -> None:
        if self._message_id is not None:
            self.acknowledge.emit(self._message_id)

    def _mark_read(self) -> None:
        if self._transfer_id is not None:
            self.mark_read.emit(self._transfer_id)
