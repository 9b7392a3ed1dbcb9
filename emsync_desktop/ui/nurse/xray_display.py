"""The radiograph on screen: the image and its heat map prepared off the GUI thread (``Overlay``), and
a label that always shows the whole image scaled to its own size (``RadiographLabel``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from emsync_desktop.ml.imaging import upsample
from emsync_desktop.services.imaging import Analysis, ImagingAnalyser, StoredStudy, study_image

DISPLAY_MAX_PX = 1000  # the image is shown (and blended) at most this size; the model sees its own size


class RadiographLabel(QLabel):
    """Shows an image scaled to fit, whole, whatever happens to the label's size (a banner appearing
    above it, the window resized): it re-scales on its own resize, not its parent's."""

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(placeholder, parent)
        self._image: QImage | None = None
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setMinimumSize(320, 320)
        self.setObjectName("radiograph")

    def show_image(self, image: QImage) -> None:
        self._image = image
        self._scale()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._scale()

    def _scale(self) -> None:
        if self._image is not None:
            self.setPixmap(QPixmap.fromImage(self._image).scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                                                 Qt.TransformationMode.SmoothTransformation))


def heat_colours(heat: np.ndarray) -> np.ndarray:
    """A blue → yellow → red ramp for 0..1 (RGB, 0..1)."""
    red = np.clip(1.5 * heat, 0, 1)
    green = np.clip(1.5 - np.abs(2 * heat - 1) * 1.5, 0, 1)
    blue = np.clip(1.0 - 2 * heat, 0, 1)
    return np.stack([red, green, blue], axis=-1)


def analyse_for_display(analyser: ImagingAnalyser, path: Path) -> tuple[Analysis, Overlay]:
    """Worker thread: analyse, then scale the image for display and the heat map to it."""
    return for_display(analyser.analyse_file(path))


def study_for_display(data_dir: Path, study: StoredStudy,
                      fetch: Callable[[str], bytes] | None) -> tuple[Analysis, Overlay]:
    return for_display(study_image(data_dir, study, fetch))


def for_display(analysis: Analysis) -> tuple[Analysis, Overlay]:
    """Worker thread: the image at display size and the heat map upsampled to it, ready to blend."""
    from PIL import Image

    pixels = analysis.image.pixels
    scale = min(1.0, DISPLAY_MAX_PX / max(pixels.shape))
    width, height = max(1, int(pixels.shape[1] * scale)), max(1, int(pixels.shape[0] * scale))
    grey = np.clip(np.asarray(Image.fromarray(pixels, mode="F").resize((width, height), Image.Resampling.BILINEAR)),
                   0, 1).astype(np.float32)
    heat_map = analysis.result.heat_map
    heat = (upsample(heat_map, width, height) if heat_map.size else np.zeros((height, width), dtype=np.float32))
    grey3 = np.repeat(grey[..., None], 3, axis=2)
    return analysis, Overlay(grey3, (heat_colours(heat) - grey3).astype(np.float32), heat[..., None])


@dataclass(frozen=True)
class Overlay:
    """Precomputed off the GUI thread, so that moving the opacity slider costs a few milliseconds."""

    grey: np.ndarray  # (h, w, 3) the image, 0..1
    towards_heat: np.ndarray  # (h, w, 3) heat colour minus image
    heat: np.ndarray  # (h, w, 1) 0..1: where the heat map is hot it shows most

    def blend(self, opacity: float) -> QImage:
        """The image, tinted by the heat map's colour by ``opacity`` × heat (GUI thread: a few ms)."""
        rgb = self.grey + self.towards_heat * (np.float32(opacity) * self.heat)
        data = np.ascontiguousarray((rgb * 255).astype(np.uint8))
        height, width = data.shape[:2]
        return QImage(data.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()
