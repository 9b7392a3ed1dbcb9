"""The imaging pipeline on small data: loaders, the three networks, training, tf2onnx export with
parity, and the one command, end to end into a models folder the app then uses."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pydicom.data import get_testdata_file

from emsync_desktop.ml.image_io import load_image
from emsync_desktop.ml.imaging import ImagingModel
from emsync_desktop.ml.training.__main__ import main as training_main
from emsync_desktop.ml.training.imaging.data import DataError, load_folder, load_medmnist, synthetic_set
from emsync_desktop.ml.training.imaging.networks import ARCHITECTURES, build
from emsync_desktop.ml.training.imaging.train import class_weights
from tests.ml.signing_keys import TEST_KEY_PEM, TEST_TRUST

pytestmark = pytest.mark.tensorflow  # never beside QtWebEngine in one process (see Makefile)
SIZE = 32


def write_folder(root: Path, per_class: int = 12) -> None:
    data = synthetic_set(SIZE, per_class * 6, seed=5)
    for split_name, split in (("train", data.train), ("val", data.val), ("test", data.test)):
        for i, (pixels, label) in enumerate(zip(split.images, split.labels, strict=True)):
            folder = root / split_name / data.classes[label]
            folder.mkdir(parents=True, exist_ok=True)
            Image.fromarray((pixels[:, :, 0] * 255).astype(np.uint8)).save(folder / f"{i}.png")
        for name in data.classes:
            (root / split_name / name).mkdir(parents=True, exist_ok=True)


@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_each_network_ends_in_features_then_one_dense_softmax(arch: str) -> None:
    model = build(arch, 64, 2)
    features = model.get_layer("cam_features").output
    assert model.get_layer("classifier").get_weights()[0].shape == (features.shape[-1], 2)
    assert model.predict(np.zeros((1, 64, 64, 1), np.float32), verbose=0).sum() == pytest.approx(1.0, abs=1e-5)


def test_folder_loader_reads_png_and_dicom_and_reports_what_it_skipped(tmp_path: Path) -> None:
    write_folder(tmp_path)
    shutil.copy(get_testdata_file("RG1_UNCR.dcm"), tmp_path / "train" / "opacity" / "chest.dcm")  # type: ignore[arg-type]
    (tmp_path / "train" / "clear" / "broken.png").write_bytes(b"\x89PNG not really")
    data = load_folder(tmp_path, SIZE)
    assert data.classes == ("clear", "opacity") and data.train.images.shape[1:] == (SIZE, SIZE, 1)
    assert len(data.skipped) == 1 and "broken.png" in data.skipped[0]
    chest = load_image(tmp_path / "train" / "opacity" / "chest.dcm")
    assert chest.kind == "DICOM"  # the same loader as the app: training sees what the app will feed


def test_folder_without_splits_says_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "train" / "a").mkdir(parents=True)
    with pytest.raises(DataError, match="missing: val, test"):
        load_folder(tmp_path, SIZE)


def test_medmnist_npz_is_read_with_named_classes(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    arrays = {f"{s}_images": rng.integers(0, 255, (10, 28, 28), dtype=np.uint8) for s in ("train", "val", "test")}
    arrays |= {f"{s}_labels": rng.integers(0, 2, (10, 1)) for s in ("train", "val", "test")}
    np.savez(tmp_path / "pneumoniamnist.npz", **arrays)
    data = load_medmnist(tmp_path / "pneumoniamnist.npz", SIZE, ("normal", "pneumonia"))
    assert data.classes == ("normal", "pneumonia") and data.test.images.shape == (10, SIZE, SIZE, 1)
    assert data.train.images.max() <= 1.0


def test_class_weights_balance_the_classes() -> None:
    weights = class_weights(np.array([0, 0, 0, 1]), 2)
    assert weights[1] == 3 * weights[0]


def test_one_command_trains_exports_and_registers_a_model_the_app_uses(tmp_path: Path) -> None:
    write_folder(tmp_path / "data")
    out = tmp_path / "models"
    (tmp_path / "maker.pem").write_bytes(TEST_KEY_PEM)
    code = training_main(["imaging", "--folder", str(tmp_path / "data"), "--arch", "cnn", "--size", str(SIZE),
                          "--epochs", "2", "--name", "ward_cxr", "--out", str(out),
                          "--sign-key", str(tmp_path / "maker.pem")])
    assert code == 0
    entry = json.loads((out / "manifest.json").read_text())["imaging"]["models"][0]
    assert entry["name"] == "ward_cxr" and not entry["demonstration"] and entry["training_data"]["source"] == "folder"
    assert entry["parity"]["max_abs_difference"] < 1e-4 and "confusion_matrix" in entry["metrics"]["test"]
    model = ImagingModel.default(out, TEST_TRUST)
    result = model.analyse(load_image(next((tmp_path / "data" / "test" / "opacity").glob("*.png"))))
    assert set(result.probabilities) == {"clear", "opacity"} and result.model_version == entry["version"]


def test_command_with_unusable_data_exits_with_the_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert training_main(["imaging", "--folder", str(tmp_path), "--out", str(tmp_path / "m")]) == 2
    assert "needs train/, val/ and test/" in capsys.readouterr().err


def test_a_keras_file_is_exported_for_the_app_with_metrics_only_when_measured(tmp_path: Path) -> None:
    import keras

    write_folder(tmp_path / "data")
    build("cnn", SIZE, 2).save(tmp_path / "theirs.keras")
    out = tmp_path / "models"
    base = ["imaging-export", str(tmp_path / "theirs.keras"), "--classes", "clear,opacity", "--out", str(out)]
    (tmp_path / "maker.pem").write_bytes(TEST_KEY_PEM)
    assert training_main([*base, "--name", "unevaluated"]) == 0  # unsigned: the maker signs later
    assert training_main([*base, "--name", "evaluated", "--folder", str(tmp_path / "data"),
                          "--sign-key", str(tmp_path / "maker.pem")]) == 0
    models = {m["name"]: m for m in json.loads((out / "manifest.json").read_text())["imaging"]["models"]}
    assert models["unevaluated"]["metrics"]["test"] is None and models["evaluated"]["metrics"]["test"]["n"] > 0
    assert ImagingModel(out, models["evaluated"], TEST_TRUST).classes == ("clear", "opacity")
    assert "signature" not in models["unevaluated"]
    assert models["evaluated"]["contract"]["preprocessing"]["resize"] == "bilinear"
    assert keras.models.load_model(out / "evaluated.keras").output_shape == (None, 2)


def test_keras_file_without_a_pooled_classifier_gets_an_occlusion_heat_map(tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    import keras

    inputs = keras.Input((SIZE, SIZE, 1))
    keras.Model(inputs, keras.layers.Dense(2)(keras.layers.Flatten()(inputs))).save(tmp_path / "plain.keras")
    code = training_main(["imaging-export", str(tmp_path / "plain.keras"), "--classes", "a,b", "--name", "x",
                          "--activation", "logits-softmax", "--references", "2", "--out", str(tmp_path / "m")])
    assert code == 0 and "fed by a Flatten layer" in capsys.readouterr().out
    assert json.loads((tmp_path / "m" / "manifest.json").read_text())["imaging"]["models"][0]["heat_map"] == "occlusion"
