"""The card image as read, with the box of each proposed field drawn on it (issue 27): a field that passed is
outlined in the theme's accent, one flagged in its warning colour, the field in focus thicker and filled faintly.
The image is scaled to fit and never stretched."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from emsync_desktop.domain.card_reading import CardField, Proposal
from emsync_desktop.ui.theme import Theme


class CardImageView(QWidget):
    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = theme
        self._image = QImage()
        self._proposals: tuple[Proposal, ...] = ()
        self._focused: CardField | None = None
        self._message = "No card read yet.\n\nOpen a photo or PDF scan of the card, or take a photo."
        self.setMinimumSize(360, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Card image with the boxes the fields were read from")

    def show_card(self, image_jpeg: bytes, proposals: tuple[Proposal, ...]) -> None:
        self._image = QImage.fromData(image_jpeg)
        self._proposals = proposals
        self.update()

    def show_message(self, text: str) -> None:
        self._image = QImage()
        self._proposals = ()
        self._message = text
        self.update()

    def focus_field(self, name: CardField | None) -> None:
        self._focused = name
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(self._theme.plot_background))
        if self._image.isNull():
            painter.setPen(QColor(self._theme.muted))
            painter.drawText(self.rect().adjusted(16, 16, -16, -16),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._message)
            return
        target = self._fit()
        painter.drawImage(target, self._image)
        scale = target.width() / self._image.width()
        for proposal in self._proposals:
            self._draw(painter, proposal, target, scale)

    def _fit(self) -> QRectF:
        size = self._image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        return QRectF((self.width() - size.width()) / 2, (self.height() - size.height()) / 2, size.width(),
                      size.height())

    def _draw(self, painter: QPainter, proposal: Proposal, target: QRectF, scale: float) -> None:
        colour = QColor(self._theme.warning if proposal.flag else self._theme.accent)
        focused = proposal.field is self._focused
        painter.setPen(QPen(colour, 3.5 if focused else 1.8))
        fill = QColor(colour)
        fill.setAlpha(60 if focused else 0)
        painter.setBrush(fill)
        for box in proposal.boxes:
            polygon = QPolygonF([QPointF(target.left() + x * scale, target.top() + y * scale) for x, y in box])
            painter.drawPolygon(polygon)
