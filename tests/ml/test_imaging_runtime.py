"""The shipped imaging model on onnxruntime: verified, labelled a demonstration, heat map where the
opacity is, and the real chest radiograph analysed end to end."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from pydicom.data import get_testdata_file

from emsync_desktop.ml.image_io import LoadedImage, load_image
from emsync_desktop.ml.imaging import ImagingModel, class_activation_map
from emsync_desktop.ml.registry import ModelUnavailable, default_models_dir
from emsync_desktop.ml.training.imaging.synthetic import generate

SHIPPED = default_models_dir()


@pytest.fixture(scope="module")
def model() -> ImagingModel:
    return ImagingModel.default(SHIPPED)


def as_loaded(pixels: np.ndarray) -> LoadedImage:
    return LoadedImage(pixels.astype(np.float32), "0" * 64, "PNG", "generated")


def test_shipped_model_says_it_is_a_demonstration_with_measured_metrics(model: ImagingModel) -> None:
    entry = model.entry
    assert model.demonstration and entry["training_data"]["source"] == "synthetic"
    test = entry["metrics"]["test"]
    assert test["n"] > 0 and 0.5 < test["auroc"] <= 1 and {"sensitivity", "specificity"} <= set(test)
    assert entry["parity"]["max_abs_difference"] < 1e-4


def test_real_chest_radiograph_is_analysed(model: ImagingModel) -> None:
    image = load_image(Path(get_testdata_file("RG1_UNCR.dcm")))  # type: ignore[arg-type]
    result = model.analyse(image)
    assert set(result.probabilities) == set(model.classes)
    assert sum(result.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
    assert result.heat_map.ndim == 2 and result.heat_map.min() >= 0.0 and result.heat_map.max() <= 1.0
    assert result.model_version == model.version


def test_heat_map_peaks_at_the_opacity(model: ImagingModel) -> None:
    """On held-out generated images with a known opacity, the hottest cell lies near it."""
    images = generate(40, model.contract.height, seed=999)
    hits = found = 0
    for pixels, label, centre in zip(images.images, images.labels, images.centres, strict=True):
        if not label:
            continue
        result = model.analyse(as_loaded(pixels[:, :, 0]))
        if result.top_class != "opacity":
            continue
        found += 1
        h, w = result.heat_map.shape
        peak = np.unravel_index(np.argmax(result.heat_map), result.heat_map.shape)
        distance = np.hypot((peak[0] + 0.5) / h - centre[0], (peak[1] + 0.5) / w - centre[1])
        hits += distance < 0.2
    assert found >= 10 and hits / found >= 0.7


def test_class_activation_map_is_relu_of_weighted_features() -> None:
    features = np.zeros((2, 2, 3), dtype=np.float32)
    features[0, 1] = [1, 0, 0]
    features[1, 0] = [0, 2, 0]
    weights = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    assert class_activation_map(features, weights, 0).tolist() == [[0, 1], [0, 0]]


def test_tampered_heat_map_weights_are_refused(tmp_path: Path) -> None:
    copy = tmp_path / "models"
    shutil.copytree(SHIPPED, copy)
    entry = json.loads((copy / "manifest.json").read_text())["imaging"]["models"][0]
    weights = copy / entry["cam_weights"]["file"]
    weights.write_bytes(weights.read_bytes()[:-4] + b"\0\0\0\0")
    with pytest.raises(ModelUnavailable, match="does not match its manifest"):
        ImagingModel.default(copy)


def test_no_imaging_model_installed_says_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps({"schema": 1}))
    with pytest.raises(ModelUnavailable, match="No imaging model is installed"):
        ImagingModel.default(tmp_path)
