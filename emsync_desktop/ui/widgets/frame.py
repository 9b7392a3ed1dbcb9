"""Building blocks for workspace frames."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget


def card(title: str, body: QWidget | None = None, note: str = "") -> QFrame:
    """A titled card; ``note`` is a muted line under the title."""
    frame = QFrame()
    frame.setObjectName("card")
    layout = QVBoxLayout(frame)
    heading = QLabel(title)
    heading.setObjectName("subheading")
    layout.addWidget(heading)
    if note:
        text = QLabel(note)
        text.setObjectName("muted")
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout.addWidget(text)
    if body is not None:
        layout.addWidget(body, 1)
    else:
        layout.addStretch(1)
    return frame
