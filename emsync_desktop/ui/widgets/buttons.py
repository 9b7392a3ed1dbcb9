"""Buttons sized for gloved fingers on a moving ambulance."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton

from emsync_desktop.ui.theme import TOUCH_PX


def touch_button(text: str, *, primary: bool = False, tooltip: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setMinimumHeight(TOUCH_PX)
    button.setAutoDefault(True)  # Return presses it when focused (outside dialogs too), as Space does
    if primary:
        button.setObjectName("primary")
    if tooltip:
        button.setToolTip(tooltip)
    return button
