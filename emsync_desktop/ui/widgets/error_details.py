"""A failure told in the user's words, with the library's own text behind a Details toggle.

Everything wraps (the technical text anywhere, even inside a path or a UID) and the details scroll
rather than being cut off. Hidden while there is nothing to say.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from emsync_desktop.ui.widgets.buttons import touch_button

DETAILS_LINES = 6  # then it scrolls
LONG_WORD = re.compile(r"\S{25,}")


class ErrorDetails(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self._shown = ""
        self.headline = _wrapping_label("outcomeRefused")  # theme: error colour, bold
        self.advice = _wrapping_label("")
        self.details_button = touch_button("Details")
        self.details_button.setCheckable(True)
        self.details_button.setToolTip("The technical message, for IT or the PACS administrator")
        self.details_button.toggled.connect(self._toggle_details)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.details.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.details.setMaximumHeight(self.details.fontMetrics().lineSpacing() * DETAILS_LINES + 24)
        self.details.setVisible(False)
        words = QVBoxLayout()
        words.addWidget(self.headline)
        words.addWidget(self.advice)
        top = QHBoxLayout()
        top.addLayout(words, 1)
        top.addWidget(self.details_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.details)
        self.setVisible(False)

    def show_problem(self, message: str, advice: str = "", details: str = "") -> None:
        """Say what went wrong (``message``) and what to do (``advice``); ``details`` only on request."""
        self._shown = " ".join(part for part in (message, advice) if part)
        self.headline.setText(_breakable(message))
        self.advice.setText(_breakable(advice))
        self.advice.setVisible(bool(advice))
        self.details.setPlainText(details)
        self.details_button.setChecked(False)
        self.details_button.setVisible(bool(details))
        self._toggle_details(False)
        self.setVisible(True)

    def clear(self) -> None:
        self._shown = ""
        self.setVisible(False)

    def text(self) -> str:
        """What the user reads without opening the details ('' when there is no error)."""
        return self._shown

    def _toggle_details(self, shown: bool) -> None:
        self.details.setVisible(shown)
        self.details_button.setText("Hide details" if shown else "Details")


def _wrapping_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _breakable(text: str) -> str:
    """A label wraps only at spaces: let a long file name or path wrap after its separators too."""
    return LONG_WORD.sub(lambda m: re.sub(r"([/\\_.\-])", "\\1\u200b", m.group(0)), text)
