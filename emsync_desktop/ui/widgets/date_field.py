"""A date field a finger can use: its text area as tall as any touch target, a calendar to pick from."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit, QLineEdit

from emsync_desktop.ui.theme import TOUCH_PX


def touch_date_field(day: QDate, display_format: str = "dd MMM yyyy") -> QDateEdit:
    field = QDateEdit(day)
    text_area = field.findChild(QLineEdit)
    if text_area is not None:
        text_area.setMinimumHeight(TOUCH_PX)  # its text area is what a finger taps
    field.setMaximumWidth(360)
    field.setCalendarPopup(True)
    field.setDisplayFormat(display_format)
    return field
