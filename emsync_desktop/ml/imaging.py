"""Chest X-ray analysis on the device: onnxruntime and numpy only.

The model (manifest section ``imaging``) takes ``image`` (n, size, size, 1), grey in [0, 1], and gives
``probabilities`` (n, classes) and ``feature_maps`` (n, h, w, channels) from its last convolution. The
final dense layer's weights (``<model>.cam.npy``, channels × classes, hash-checked like the model) turn
the feature maps into a class activation map: the heat map.

Threading: ``ImagingModel.analyse`` may run on any worker thread; a session is used by one caller at
a time (the caller serialises). Never on the GUI thread.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from emsync_desktop.ml.image_io import FloatImage, LoadedImage
from emsync_desktop.ml.registry import ModelUnavailable, load_manifest, verified_model_bytes

IMAGE_INPUT = "image"
PROBABILITIES_OUTPUT = "probabilities"
FEATURES_OUTPUT = "feature_maps"


@dataclass(frozen=True)
class ImagingResult:
    probabilities: dict[str, float]
    heat_map: FloatImage  # (h, w) at the feature maps' resolution, 0..1, for the class shown
    heat_map_class: str
    model_name: str
    model_version: str
    demonstration: bool
    inference_ms: float
    heat_map_ms: float

    @property
    def top_class(self) -> str:
        return max(self.probabilities, key=lambda c: self.probabilities[c])


def resize_for_model(pixels: FloatImage, size: int) -> FloatImage:
    """Bilinear resize of a grey [0, 1] image to ``size`` × ``size`` (as recorded in the manifest)."""
    from PIL import Image

    image = Image.fromarray(np.ascontiguousarray(pixels, dtype=np.float32), mode="F")
    resized: FloatImage = np.asarray(image.resize((size, size), Image.Resampling.BILINEAR), dtype=np.float32)
    return resized


def class_activation_map(features: npt.NDArray[np.float32], weights: npt.NDArray[np.float32],
                         class_index: int) -> FloatImage:
    """ReLU(sum_c w[c, k] · F[..., c]) scaled to 0..1 (all zero when nothing speaks for the class)."""
    cam: FloatImage = np.maximum(features @ weights[:, class_index], 0.0).astype(np.float32)
    peak = float(cam.max())
    return (cam / peak).astype(np.float32) if peak > 0 else cam


def upsample(heat_map: FloatImage, width: int, height: int) -> FloatImage:
    """The heat map at the image's size (bilinear), for overlaying."""
    from PIL import Image

    image = Image.fromarray(np.ascontiguousarray(heat_map, dtype=np.float32), mode="F")
    return np.asarray(image.resize((width, height), Image.Resampling.BILINEAR), dtype=np.float32)


class ImagingModel:
    """One verified imaging model and its session. Raises ``ModelUnavailable`` with a reason."""

    def __init__(self, models_dir: Path, entry: dict[str, Any]) -> None:
        import onnxruntime as ort

        self.entry = entry
        self.name = str(entry["name"])
        self.version = str(entry["version"])
        self.classes: tuple[str, ...] = tuple(entry["classes"])
        self.size = int(entry["input"]["size"])
        self.positive_class = str(entry.get("positive_class", self.classes[-1]))
        self.demonstration = bool(entry.get("demonstration", False))
        options = ort.SessionOptions()
        options.intra_op_num_threads = 2
        self._session = ort.InferenceSession(verified_model_bytes(models_dir, entry), options,
                                             providers=["CPUExecutionProvider"])
        cam_entry = {"file": entry["cam_weights"]["file"], "sha256": entry["cam_weights"]["sha256"]}
        self._weights = np.load(io.BytesIO(verified_model_bytes(models_dir, cam_entry)))
        if self._weights.shape[1] != len(self.classes):
            raise ModelUnavailable(f"{self.name}: heat-map weights do not match its {len(self.classes)} classes.")

    @classmethod
    def default(cls, models_dir: Path) -> ImagingModel:
        section = load_manifest(models_dir).get("imaging")
        if not isinstance(section, dict) or not section.get("models"):
            raise ModelUnavailable("No imaging model is installed. An admin can import one (Admin → Models).")
        return cls(models_dir, section["models"][0])

    def analyse(self, image: LoadedImage) -> ImagingResult:
        batch = resize_for_model(image.pixels, self.size)[None, :, :, None]
        started = time.perf_counter()
        probabilities, features = self._session.run([PROBABILITIES_OUTPUT, FEATURES_OUTPUT], {IMAGE_INPUT: batch})
        inferred = time.perf_counter()
        index = self.classes.index(self.positive_class)
        heat = class_activation_map(np.asarray(features[0], dtype=np.float32), self._weights, index)
        done = time.perf_counter()
        return ImagingResult({c: float(p) for c, p in zip(self.classes, probabilities[0], strict=True)}, heat,
                             self.positive_class, self.name, self.version, self.demonstration,
                             (inferred - started) * 1000, (done - inferred) * 1000)
