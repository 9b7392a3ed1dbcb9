"""``imaging-export`` takes any Keras image classifier (issue 21): the contract from the options, the heat-map
structure found by the graph's shape, and reference outputs computed in TensorFlow that the app's own path
must match."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from emsync_desktop.ml.image_io import load_image
from emsync_desktop.ml.imaging import ImagingModel
from emsync_desktop.ml.training.__main__ import main as training_main
from emsync_desktop.ml.training.imaging.export import ExportRefused, write_model
from emsync_desktop.ml.training.imaging.reference import synthetic_pngs, write_reference
from tests.ml.signing_keys import TEST_KEY_PEM, TEST_TRUST

pytestmark = pytest.mark.tensorflow  # never beside QtWebEngine in one process (see Makefile)


def xception_like(size: int = 48) -> Any:
    """Like a third-party Xception: RGB, separable convolutions, an extra dense layer, two raw logits."""
    import keras

    keras.utils.set_random_seed(1)
    inputs = keras.Input((size, size, 3))
    x = keras.layers.Conv2D(8, 3, strides=2, activation="relu")(inputs)
    for filters in (16, 24):
        x = keras.layers.SeparableConv2D(filters, 3, padding="same", activation="relu")(x)
        x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    x = keras.layers.Dense(16, activation="relu")(x)
    return keras.Model(inputs, keras.layers.Dense(2)(x), name="xception_like")


def pooled_dense(size: int = 32) -> Any:
    """Global average pooling → dropout → one dense layer, none of the layers named as the networks here."""
    import keras

    keras.utils.set_random_seed(2)
    inputs = keras.Input((size, size, 1))
    x = keras.layers.Conv2D(6, 3, strides=2, activation="relu", name="block_out")(inputs)
    x = keras.layers.Dropout(0.1)(keras.layers.GlobalAveragePooling2D()(x))
    return keras.Model(inputs, keras.layers.Dense(2, activation="softmax", name="head")(x))


def export(tmp_path: Path, model: Any, *options: str, classes: str = "normal,pneumonia") -> int:
    model.save(tmp_path / "theirs.keras")
    key = tmp_path / "maker.pem"
    key.write_bytes(TEST_KEY_PEM)
    return training_main(["imaging-export", str(tmp_path / "theirs.keras"), "--classes", classes, "--name", "theirs",
                          "--out", str(tmp_path / "out"), "--references", "3", "--sign-key", str(key), *options])


def manifest_entry(folder: Path) -> dict[str, Any]:
    entry: dict[str, Any] = json.loads((folder / "manifest.json").read_text())["imaging"]["models"][0]
    return entry


def test_xception_like_model_exports_with_its_contract_and_an_occlusion_heat_map(tmp_path: Path) -> None:
    code = export(tmp_path, xception_like(), "--resize", "nearest", "--range=-1..1", "--activation", "logits-softmax")
    out = tmp_path / "out"
    entry = manifest_entry(out)
    assert code == 0 and entry["heat_map"] == "occlusion" and "cam_weights" not in entry
    assert not (out / "theirs.cam.npy").exists()
    assert entry["contract"]["input"] == {"name": "image", "channels": 3, "height": 48, "width": 48, "layout": "NHWC"}
    assert entry["contract"]["preprocessing"]["colour"] == "grey-to-rgb"
    assert entry["parity"]["max_abs_difference"] < 1e-3 and entry["parity"]["images"] == 3


def test_reference_outputs_are_files_the_app_matches(tmp_path: Path) -> None:
    assert export(tmp_path, xception_like(), "--resize", "nearest", "--range=-1..1",
                  "--activation", "logits-softmax") == 0
    out = tmp_path / "out"
    entry = manifest_entry(out)
    document = json.loads((out / entry["reference"]["file"]).read_text())
    model = ImagingModel(out, entry, TEST_TRUST)
    for sample in document["samples"]:
        probabilities = model.analyse(load_image(out / sample["file"])).probabilities
        assert list(probabilities.values()) == pytest.approx(sample["probabilities"], abs=1e-3)
    assert document["framework"].startswith("keras 3") and "method='nearest'" in document["how"]


def test_pooled_dense_model_gets_class_activation_weights_whatever_its_layer_names(tmp_path: Path) -> None:
    assert export(tmp_path, pooled_dense()) == 0
    out = tmp_path / "out"
    entry = manifest_entry(out)
    assert entry["heat_map"] == "class-activation-map" and entry["cam_weights"]["layer"] == "head"
    assert np.load(out / "theirs.cam.npy").shape == (6, 2)
    result = ImagingModel(out, entry, TEST_TRUST).analyse(load_image(out / "theirs.ref-0.png"))
    assert result.heat_map.shape == (15, 15) and result.heat_map_class == "pneumonia"


def test_labels_not_matching_the_outputs_are_refused_with_a_sentence(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert export(tmp_path, pooled_dense(), classes="a,b,c") == 2
    err = capsys.readouterr().err
    assert "The manifest lists 3 labels but the model's output 'probabilities' gives 2 values" in err
    assert "Traceback" not in err and not (tmp_path / "out").exists()


def test_contract_faults_are_all_named_before_conversion(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert export(tmp_path, xception_like(), "--activation", "softmax", "--multi-label", "--mean", "0.5") == 2
    err = capsys.readouterr().err
    assert "needs 'sigmoid' or 'logits-sigmoid'" in err and "preprocessing.mean must list 3 number(s)" in err


def flatten_logits(size: int = 32) -> Any:
    """Every pixel weighs directly in the output, so any change in the resize shows."""
    import keras

    keras.utils.set_random_seed(3)
    inputs = keras.Input((size, size, 1))
    return keras.Model(inputs, keras.layers.Dense(2)(keras.layers.Flatten()(inputs)))


def test_reference_resized_otherwise_than_declared_is_caught(tmp_path: Path) -> None:
    """TensorFlow resizes bilinear, the contract says nearest: the app's outputs disagree, so it is refused."""
    from emsync_desktop.ml.training.imaging.export import contract_for

    model, pngs, trained_with, declared = flatten_logits(), synthetic_pngs(3), contract_for(32), contract_for(32)
    for contract in (trained_with, declared):
        contract["output"]["activation"] = "logits-softmax"
    declared["preprocessing"]["resize"] = "nearest"
    entry = write_model(model, tmp_path, name="m", entry={"version": "1", "classes": ["a", "b"], "contract": declared},
                        parity_images=np.zeros((1, 32, 32, 1), np.float32), reference_pngs=pngs)
    with pytest.raises(ExportRefused, match=r"likely cause is a preprocessing mismatch\. Check that --resize nearest"):
        write_reference(model, tmp_path, "m", entry, pngs, reference_contract=trained_with)


@pytest.mark.parametrize("arch", ["cnn", "resnet", "efficientnet"])
def test_shipped_networks_still_get_class_activation_maps(arch: str) -> None:
    from emsync_desktop.ml.training.imaging.networks import build
    from emsync_desktop.ml.training.imaging.structure import find_cam_parts

    model = build(arch, 32, 2)
    parts, _ = find_cam_parts(model)
    assert parts is not None and parts.features_layer == "cam_features" and parts.dense_layer == "classifier"
    np.testing.assert_array_equal(parts.kernel, model.get_layer("classifier").get_weights()[0])


def rgb_contract(resize: str, aspect: str) -> dict[str, Any]:
    return {"input": {"name": "image", "channels": 3, "height": 40, "width": 36, "layout": "NHWC"},
            "preprocessing": {"resize": resize, "aspect": aspect, "range": "0..255", "mean": [120.0, 110.0, 100.0],
                              "std": [60.0, 50.0, 40.0], "colour": "grey-to-rgb"},
            "output": {"name": "probabilities", "activation": "logits-sigmoid", "multi_label": True,
                       "thresholds": [0.3, 0.6]}}


def rgb_flatten_logits() -> Any:
    import keras

    keras.utils.set_random_seed(4)
    inputs = keras.Input((40, 36, 3))
    return keras.Model(inputs, keras.layers.Dense(2)(keras.layers.Flatten()(inputs)))


@pytest.mark.parametrize(("resize", "aspect"), [("bicubic", "letterbox"), ("bilinear-no-antialias", "centre-crop")])
def test_reference_preprocessing_in_tensorflow_matches_the_app_for_each_aspect(tmp_path: Path, resize: str,
                                                                               aspect: str) -> None:
    entry = write_model(rgb_flatten_logits(), tmp_path, name="m", parity_images=np.zeros((1, 40, 36, 3), np.float32),
                        entry={"version": "1", "classes": ["a", "b"], "contract": rgb_contract(resize, aspect)},
                        reference_pngs=synthetic_pngs(2))
    assert entry["parity"]["max_abs_difference"] < 1e-5


def test_area_resize_that_the_app_does_otherwise_than_tensorflow_is_refused(tmp_path: Path) -> None:
    """The app's area resize equals TensorFlow's only for whole-number shrink factors (ml/preprocess.py)."""
    with pytest.raises(ExportRefused, match="'area' resize equals TensorFlow's only for whole-number shrink"):
        write_model(rgb_flatten_logits(), tmp_path, name="m", parity_images=np.zeros((1, 40, 36, 3), np.float32),
                    entry={"version": "1", "classes": ["a", "b"], "contract": rgb_contract("area", "stretch")},
                    reference_pngs=synthetic_pngs(2))
    assert not list(tmp_path.iterdir())  # nothing written
