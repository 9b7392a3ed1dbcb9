"""Photographing a card with the PC's camera (Qt Multimedia): a live preview, one button, the picture handed back
as PNG bytes. Only offered when a camera is found (``card_source.camera_names``)."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from emsync_desktop.ui.widgets.buttons import touch_button


class CameraDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        from PySide6.QtMultimedia import QCamera, QImageCapture, QMediaCaptureSession, QMediaDevices
        from PySide6.QtMultimediaWidgets import QVideoWidget

        super().__init__(parent)
        self.setWindowTitle("Photograph the card")
        self.photo_png = b""
        self._camera = QCamera(QMediaDevices.defaultVideoInput())
        self._capture = QImageCapture()
        self._session = QMediaCaptureSession()
        self._session.setCamera(self._camera)
        self._session.setImageCapture(self._capture)
        preview = QVideoWidget()
        preview.setMinimumSize(640, 400)
        self._session.setVideoOutput(preview)
        self._status = QLabel("Hold the card flat, fill the frame, avoid glare. Then press Take photo (Space).")
        self._status.setWordWrap(True)
        take = touch_button("Take photo", primary=True)
        take.setDefault(True)
        take.clicked.connect(self._capture.capture)
        self._capture.imageCaptured.connect(self._taken)
        self._camera.errorOccurred.connect(lambda _e, text: self._status.setText(f"The camera stopped: {text}"))
        layout = QVBoxLayout(self)
        layout.addWidget(preview, 1)
        layout.addWidget(self._status)
        layout.addWidget(take)
        self._camera.start()

    def _taken(self, _request: int, image: QImage) -> None:
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")  # type: ignore[call-overload]
        self.photo_png = bytes(buffer.data().data())
        self._camera.stop()
        self.accept()

    def reject(self) -> None:
        self._camera.stop()
        super().reject()
