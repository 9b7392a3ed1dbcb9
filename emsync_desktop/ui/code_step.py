"""The sign-in screen's second step: the code from the authenticator app, or a recovery code."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from emsync_desktop.services.second_factor import CODE_CHARS_MAX
from emsync_desktop.ui.theme import TOUCH_PX
from emsync_desktop.ui.widgets.buttons import touch_button


class CodeStep(QWidget):
    """Asks for the code; says nothing about the account beyond what the password step already proved."""

    submitted = Signal(str)  # the code as typed
    back = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        heading = QLabel("Two-step sign-in")
        heading.setObjectName("subheading")
        explain = QLabel("Type the 6-digit code your authenticator app shows for EMsync.")
        explain.setWordWrap(True)
        lost = QLabel("Lost your phone? Type one of your recovery codes instead.")
        lost.setObjectName("muted")
        lost.setWordWrap(True)
        self.code = QLineEdit()
        self.code.setObjectName("codeField")
        self.code.setPlaceholderText("123456")
        self.code.setMaxLength(CODE_CHARS_MAX)
        self.code.setMinimumHeight(TOUCH_PX + 8)
        self.verify_button = touch_button("Verify", primary=True)
        self.back_button = touch_button("Back", tooltip="Sign in as someone else, or type the password again")
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.verify_button, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (heading, explain, self.code, lost):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        self.verify_button.clicked.connect(self._submit)
        self.code.returnPressed.connect(self._submit)
        self.back_button.clicked.connect(self.back)

    def start(self) -> None:
        """Shown again for a new challenge: empty, ready to type."""
        self.code.clear()
        self.set_busy(False)
        self.code.setFocus()

    def set_busy(self, busy: bool) -> None:
        self.verify_button.setEnabled(not busy)
        self.code.setReadOnly(busy)

    def _submit(self) -> None:
        if not self.verify_button.isEnabled():
            return  # a code is on its way: Return pressed twice sends it once
        code = self.code.text()
        self.code.clear()
        self.submitted.emit(code)
