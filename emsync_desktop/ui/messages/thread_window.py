"""A transfer's thread in its own window: not modal (the nurse keeps the bed board, the crew the map), one window
per transfer (opening it again brings it to the front)."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from emsync_desktop.services.messages import MessageService
from emsync_desktop.ui.messages.thread_view import MessageThreadView
from emsync_desktop.ui.tasks import TaskRelay


class MessageThreadWindow(QDialog):
    def __init__(self, relay: TaskRelay, service: MessageService, user_id: str, transfer_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Messages on this transfer")
        self.setModal(False)
        self.view = MessageThreadView(relay, service, user_id, transfer_id, self, in_dialog=True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAutoDefault(False)  # Enter sends (Send is the default button); it never closes the window
        close.setDefault(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.resize(620, 560)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self.view.refresh()  # brought to the front: what came meanwhile is read now

    def show_in_front(self) -> None:
        self.show()
        self.raise_()
        self.activateWindow()
        self.view.entry.setFocus()
