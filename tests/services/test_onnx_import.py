"""An ONNX model from elsewhere (no Keras, no heat-map weights) is imported with its declared contract,
gives exactly the numpy reference of that preprocessing and graph, and a manifest that does not fit the
graph is refused with a sentence naming the mismatch."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from emsync_desktop.services.imaging import ImagingAnalyser
from emsync_desktop.services.model_import import ModelImportRefused, imaging_models_dir, import_imaging_model
from tests.ml.onnx_models import (
    classifier_onnx,
    classifier_weights,
    reference_batch,
    reference_logits,
    write_model_folder,
)

CLASSES = ["NORMAL", "PNEUMONIA"]
CONTRACT: dict[str, Any] = {
    "input": {"name": "image", "channels": 3, "height": 150, "width": 150, "layout": "NCHW"},
    "preprocessing": {"resize": "nearest", "aspect": "stretch", "range": "-1..1", "colour": "grey-to-rgb"},
    "output": {"name": "logits", "activation": "logits-softmax"},
}
WEIGHTS = classifier_weights()


@pytest.fixture(scope="module")
def onnx_bytes() -> bytes:
    return classifier_onnx(WEIGHTS)


def radiograph(path: Path) -> np.ndarray:
    """An 8-bit grey PNG of 233 × 301 (not square, not the model's size); returns its pixels in [0, 1]."""
    grey = np.random.default_rng(7).integers(0, 256, (301, 233), dtype=np.uint8)
    Image.fromarray(grey, mode="L").save(path)
    return grey.astype(np.float64) / 255.0


def reference_probabilities(pixels: np.ndarray) -> np.ndarray:
    logits = reference_logits(reference_batch(pixels, 150, 150), WEIGHTS)[0]
    return np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()


def test_onnx_model_imported_with_its_contract_matches_the_numpy_reference(tmp_path: Path, onnx_bytes: bytes) -> None:
    source = write_model_folder(tmp_path / "vendor", onnx_bytes, classes=CLASSES, contract=CONTRACT)
    data_dir = tmp_path / "data"
    import_imaging_model(source, data_dir)
    pixels = radiograph(tmp_path / "chest.png")
    analysis = ImagingAnalyser(imaging_models_dir(data_dir)).analyse_file(tmp_path / "chest.png")
    got = np.array([analysis.result.probabilities[c] for c in CLASSES])
    difference = float(np.abs(got - reference_probabilities(pixels)).max())
    print(f"max |app - numpy reference| = {difference:.2e}")
    assert difference < 1e-5
    assert analysis.result.heat_map_method.startswith("Occlusion map")  # no feature maps: model-agnostic


def test_reference_would_notice_bilinear_resize_or_the_wrong_range(tmp_path: Path, onnx_bytes: bytes) -> None:
    """The parity above is not vacuous: the former preprocessing gives a different answer."""
    wrong = copy.deepcopy(CONTRACT)
    wrong["preprocessing"] |= {"resize": "bilinear", "range": "0..1"}
    source = write_model_folder(tmp_path / "vendor", onnx_bytes, classes=CLASSES, contract=wrong)
    import_imaging_model(source, tmp_path / "data")
    pixels = radiograph(tmp_path / "chest.png")
    result = ImagingAnalyser(imaging_models_dir(tmp_path / "data")).analyse_file(tmp_path / "chest.png").result
    got = np.array([result.probabilities[c] for c in CLASSES])
    assert float(np.abs(got - reference_probabilities(pixels)).max()) > 1e-3


@pytest.mark.parametrize(("change", "sentence"), [
    ({"input": {"channels": 1, "colour": None}},
     "The manifest declares channels 1 (NCHW) but the model's input has 3 on that axis"),
    ({"input": {"layout": "NHWC"}}, "The manifest declares channels 3 (NHWC) but the model's input has 150"),
    ({"input": {"height": 224}}, "The manifest declares height 224 (NCHW) but the model's input has 150"),
    ({"classes": ["a", "b", "c"]}, "The manifest lists 3 labels but the model's output 'logits' gives 2 values"),
    ({"output": {"name": "probabilities"}}, "The model has no output named 'probabilities' (it has ['logits'])"),
])
def test_manifest_that_does_not_fit_the_graph_is_refused_with_a_sentence(
        tmp_path: Path, onnx_bytes: bytes, change: dict[str, Any], sentence: str) -> None:
    contract = copy.deepcopy(CONTRACT)
    classes = change.pop("classes", CLASSES)
    for section, values in change.items():
        contract[section] |= values
    if contract["input"].pop("colour", "x") is None:
        contract["preprocessing"]["colour"] = "grey"
    source = write_model_folder(tmp_path / "vendor", onnx_bytes, classes=classes, contract=contract)
    with pytest.raises(ModelImportRefused) as refused:
        import_imaging_model(source, tmp_path / "data")
    assert sentence in str(refused.value) and "numpy" not in str(refused.value)
    assert not (tmp_path / "data" / "models").exists()


def test_invalid_contract_is_refused_with_what_to_fix(tmp_path: Path, onnx_bytes: bytes) -> None:
    contract = copy.deepcopy(CONTRACT)
    contract["preprocessing"]["resize"] = "lanczos"
    source = write_model_folder(tmp_path / "vendor", onnx_bytes, classes=CLASSES, contract=contract)
    with pytest.raises(ModelImportRefused, match=r"preprocessing.resize is 'lanczos'; use one of bilinear"):
        import_imaging_model(source, tmp_path / "data")


def test_entry_missing_its_version_is_refused_with_a_sentence(tmp_path: Path, onnx_bytes: bytes) -> None:
    source = write_model_folder(tmp_path / "vendor", onnx_bytes, classes=CLASSES, contract=CONTRACT)
    manifest = json.loads((source / "manifest.json").read_text())
    del manifest["imaging"]["models"][0]["version"]
    (source / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelImportRefused, match="needs 'version'"):
        import_imaging_model(source, tmp_path / "data")


def test_admin_reads_how_the_imported_model_is_fed(tmp_path: Path, onnx_bytes: bytes) -> None:
    from emsync_desktop.services.model_import import active_imaging_model

    import_imaging_model(write_model_folder(tmp_path / "vendor", onnx_bytes, classes=CLASSES, contract=CONTRACT),
                         tmp_path / "data")
    assert active_imaging_model(tmp_path / "data").endswith(
        "Input and output: 3×150×150 NCHW (grey-to-rgb), nearest resize, stretch, values -1..1; "
        "output logits-softmax, single-label, 2 labels.")


def test_logits_declared_as_softmax_are_refused_with_what_to_declare(tmp_path: Path, onnx_bytes: bytes) -> None:
    contract = copy.deepcopy(CONTRACT)
    contract["output"]["activation"] = "softmax"
    source = write_model_folder(tmp_path / "vendor", onnx_bytes, classes=CLASSES, contract=contract)
    with pytest.raises(ModelImportRefused, match="declares 'softmax': if the model ends without an activation, "
                                                 "declare 'logits-softmax'"):
        import_imaging_model(source, tmp_path / "data")


def test_heat_map_weights_that_do_not_fit_the_feature_maps_are_refused_with_a_sentence(tmp_path: Path) -> None:
    import hashlib
    import io

    weights = classifier_weights(filters=4)
    source = write_model_folder(tmp_path / "vendor", classifier_onnx(weights, feature_maps=True), classes=CLASSES,
                                contract=CONTRACT)
    buffer = io.BytesIO()
    np.save(buffer, np.zeros((128, 2), np.float32))  # a classifier after an extra dense layer of 128
    (source / "tiny_cxr.cam.npy").write_bytes(buffer.getvalue())
    manifest = json.loads((source / "manifest.json").read_text())
    manifest["imaging"]["models"][0]["cam_weights"] = {"file": "tiny_cxr.cam.npy",
                                                       "sha256": hashlib.sha256(buffer.getvalue()).hexdigest()}
    (source / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelImportRefused, match=r"feature maps have shape \[1, 148, 148, 4\] but its heat-map "
                                                 "weights expect 128 channels"):
        import_imaging_model(source, tmp_path / "data")


def test_positive_class_not_among_the_labels_is_refused(tmp_path: Path, onnx_bytes: bytes) -> None:
    source = write_model_folder(tmp_path / "vendor", onnx_bytes, classes=CLASSES, contract=CONTRACT)
    manifest = json.loads((source / "manifest.json").read_text())
    manifest["imaging"]["models"][0]["positive_class"] = "opacity"
    (source / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelImportRefused, match="positive_class 'opacity' is not one of its classes"):
        import_imaging_model(source, tmp_path / "data")
