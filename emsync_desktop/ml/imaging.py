"""Chest X-ray analysis on the device: onnxruntime and numpy only.

The model (manifest section ``imaging``) is fed and read exactly as its contract declares
(``ml/contract.py``: input shape and layout, resize, aspect, value range, output activation, labels);
the graph's declared shapes are checked against that contract when the model loads. A model that also
gives ``feature_maps`` (n, h, w, channels) from its last convolution and ships its final dense layer's
weights (``<model>.cam.npy``, channels × classes, hash-checked like the model) gets a class activation
map: the heat map. Any other model gets an occlusion map (``ml/occlusion.py``: the model run again on
copies with squares hidden), as fine as a time budget allows. Either way the result says which method
made the heat map, and the map lies over the original image (``heat_in_image_frame``).

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

from emsync_desktop.ml.contract import ContractError, check_graph, parse_contract
from emsync_desktop.ml.image_io import FloatImage, LoadedImage
from emsync_desktop.ml.occlusion import DEFAULT_BUDGET_S, occlusion_map
from emsync_desktop.ml.preprocess import fit, heat_in_image_frame, preprocess, probabilities, resize, scale_values
from emsync_desktop.ml.registry import ModelUnavailable, load_manifest, verified_model_bytes

IMAGE_INPUT = "image"  # the names the project's own exporter gives (and the contract's defaults)
PROBABILITIES_OUTPUT = "probabilities"
FEATURES_OUTPUT = "feature_maps"
CAM_METHOD = "Class activation map (the model's own last feature maps)"


@dataclass(frozen=True)
class ImagingResult:
    probabilities: dict[str, float]
    heat_map: FloatImage  # (h, w) at the feature maps' resolution, 0..1, for the class shown; (0, 0) if none
    heat_map_class: str
    model_name: str
    model_version: str
    demonstration: bool
    inference_ms: float
    heat_map_ms: float
    thresholds: dict[str, float] | None = None  # multi-label models: each label's threshold; else None
    heat_map_method: str = ""  # for people: which method made the heat map, and how fine ("" if none)

    @property
    def top_class(self) -> str:
        return max(self.probabilities, key=lambda c: self.probabilities[c])


@dataclass(frozen=True)
class Finding:
    label: str
    probability: float
    threshold: float | None  # None: single-label (the probabilities add up to 1)

    @property
    def over_threshold(self) -> bool:
        return self.threshold is not None and self.probability >= self.threshold


def findings(result: ImagingResult) -> list[Finding]:
    """The labels in the order a clinician reads them: for a multi-label model, those at or over their
    threshold first, then the rest, each group by probability; otherwise by probability."""
    thresholds = result.thresholds or {}
    rows = [Finding(label, p, thresholds.get(label)) for label, p in result.probabilities.items()]
    return sorted(rows, key=lambda f: (not f.over_threshold, -f.probability))


def resize_for_model(pixels: FloatImage, size: int) -> FloatImage:
    """Bilinear resize of a grey [0, 1] image to ``size`` × ``size``: the default contract's resize."""
    return resize(pixels, size, size, "bilinear")


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
        try:
            self.contract = parse_contract(entry)
        except ContractError as exc:
            raise ModelUnavailable(str(exc)) from exc
        self.classes = self.contract.labels
        self.positive_class = str(entry.get("positive_class", self.classes[-1]))
        if self.positive_class not in self.classes:
            raise ModelUnavailable(f"Model {self.name}: positive_class {self.positive_class!r} is not one of its "
                                   f"classes {list(self.classes)}: name one of them.")
        self.demonstration = bool(entry.get("demonstration", False))
        options = ort.SessionOptions()
        options.intra_op_num_threads = 2
        self._session = ort.InferenceSession(verified_model_bytes(models_dir, entry), options,
                                             providers=["CPUExecutionProvider"])
        faults = check_graph(self.contract, {i.name: i.shape for i in self._session.get_inputs()},
                             {o.name: o.shape for o in self._session.get_outputs()})
        if faults:
            raise ModelUnavailable(f"Model {self.name} does not fit its manifest: " + " ".join(faults))
        self._weights = self._cam_weights(models_dir, entry)
        batch_axis = next(i.shape[0] for i in self._session.get_inputs() if i.name == self.contract.input_name)
        self._batch = 1 if isinstance(batch_axis, int) else 8  # a graph fixed to one image at a time

    def _cam_weights(self, models_dir: Path, entry: dict[str, Any]) -> npt.NDArray[np.float32] | None:
        if "cam_weights" not in entry:
            return None
        if FEATURES_OUTPUT not in {o.name for o in self._session.get_outputs()}:
            raise ModelUnavailable(f"Model {self.name} ships heat-map weights but has no {FEATURES_OUTPUT!r} "
                                   "output: remove cam_weights from its manifest or export the feature maps.")
        cam_entry = {"file": entry["cam_weights"]["file"], "sha256": entry["cam_weights"]["sha256"]}
        weights: npt.NDArray[np.float32] = np.load(io.BytesIO(verified_model_bytes(models_dir, cam_entry)))
        if weights.ndim != 2 or weights.shape[1] != len(self.classes):
            raise ModelUnavailable(f"{self.name}: heat-map weights do not match its {len(self.classes)} classes.")
        return weights

    @classmethod
    def default(cls, models_dir: Path) -> ImagingModel:
        section = load_manifest(models_dir).get("imaging")
        if not isinstance(section, dict) or not section.get("models"):
            raise ModelUnavailable("No imaging model is installed. An admin can import one (Admin → Models).")
        return cls(models_dir, section["models"][0])

    def analyse(self, image: LoadedImage, heat_map_budget_s: float = DEFAULT_BUDGET_S) -> ImagingResult:
        """Probabilities per label and a heat map for the label shown; ``heat_map_budget_s`` bounds an
        occlusion map's time (models without class activation maps)."""
        batch = preprocess(image.pixels, self.contract)
        names = [self.contract.output_name] + ([FEATURES_OUTPUT] if self._weights is not None else [])
        started = time.perf_counter()
        outputs = self._session.run(names, {self.contract.input_name: batch})
        inferred = time.perf_counter()
        values = probabilities(np.asarray(outputs[0][0], dtype=np.float32), self.contract)
        shown = self._label_shown(values)
        index = self.classes.index(shown)
        if self._weights is not None:
            _check_features(outputs[1], self._weights)
            heat = class_activation_map(np.asarray(outputs[1][0], dtype=np.float32), self._weights, index)
            method = CAM_METHOD
        else:
            occluded = occlusion_map(fit(image.pixels, self.contract), lambda fitted: self._scores(fitted, index),
                                     budget_s=heat_map_budget_s, batch=self._batch)
            heat, method = occluded.heat, occluded.describe()
        heat = heat_in_image_frame(heat, self.contract, *image.pixels.shape)
        done = time.perf_counter()
        thresholds = self.contract.thresholds
        return ImagingResult({c: float(p) for c, p in zip(self.classes, values, strict=True)}, heat,
                             shown if heat.size else "", self.name, self.version, self.demonstration,
                             (inferred - started) * 1000, (done - inferred) * 1000,
                             dict(zip(self.classes, thresholds, strict=True)) if thresholds else None, method)

    def _label_shown(self, values: npt.NDArray[np.float32]) -> str:
        """Single-label: the positive class. Multi-label: the most probable label (the first finding)."""
        if not self.contract.multi_label:
            return self.positive_class
        return self.classes[int(np.argmax(values))]

    def _scores(self, fitted: FloatImage, index: int) -> npt.NDArray[np.float64]:
        """Fitted grey images (n, h, w) → the probability of label ``index`` for each."""
        batch = np.stack([scale_values(image, self.contract) for image in fitted])
        if self.contract.layout == "NCHW":
            batch = batch.transpose(0, 3, 1, 2)
        raw = self._session.run([self.contract.output_name],
                                {self.contract.input_name: np.ascontiguousarray(batch, dtype=np.float32)})[0]
        return np.array([probabilities(np.asarray(row, dtype=np.float32), self.contract)[index] for row in raw])


def _check_features(features: Any, weights: npt.NDArray[np.float32]) -> None:
    """Raises ``ModelUnavailable`` unless the heat-map weights (channels × classes) can weigh the feature
    maps (n, h, w, channels): a sentence, never numpy's matmul error."""
    shape = np.shape(features)
    if len(shape) != 4 or shape[3] != weights.shape[0]:
        raise ModelUnavailable(f"The model's feature maps have shape {list(shape)} but its heat-map weights expect "
                               f"{weights.shape[0]} channels: export the model again so they match.")
