"""The card photos kept with a case (issue 27), decrypted by the store for this view only, scaled to fit."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QDialog, QLabel, QScrollArea, QVBoxLayout, QWidget

from emsync_desktop.ui.widgets.buttons import touch_button

SHOWN_WIDTH_PX = 900


class KeptCardsDialog(QDialog):
    def __init__(self, images: list[bytes], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Card image kept with this case")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        column = QWidget()
        layout = QVBoxLayout(column)
        for data in images:
            picture = QLabel()
            pixmap = QPixmap()
            pixmap.loadFromData(data)
            picture.setPixmap(pixmap.scaledToWidth(min(SHOWN_WIDTH_PX, pixmap.width()),
                                                   Qt.TransformationMode.SmoothTransformation))
            layout.addWidget(picture)
        scroll = QScrollArea()
        scroll.setWidget(column)
        close = touch_button("Close", primary=True)
        close.clicked.connect(self.accept)
        outer = QVBoxLayout(self)
        outer.addWidget(scroll, 1)
        outer.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)
        self.resize(SHOWN_WIDTH_PX + 60, 640)
