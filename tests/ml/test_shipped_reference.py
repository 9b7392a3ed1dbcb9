"""The shipped demonstration model carries reference outputs (what Keras said for a few image files, written
by ``ml/training/imaging/reference.py``); the app's own loader, preprocessing and onnxruntime match them."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from emsync_desktop.ml.image_io import load_image
from emsync_desktop.ml.imaging import ImagingModel
from emsync_desktop.ml.registry import default_models_dir, load_manifest

FOLDER = default_models_dir()


def demo_entry() -> dict[str, Any]:
    entry: dict[str, Any] = next(m for m in load_manifest(FOLDER)["imaging"]["models"] if m["name"] == "cxr_demo")
    return entry


def test_reference_files_are_the_ones_the_manifest_vouches_for() -> None:
    entry = demo_entry()
    document = (FOLDER / entry["reference"]["file"]).read_bytes()
    assert hashlib.sha256(document).hexdigest() == entry["reference"]["sha256"]
    for sample in json.loads(document)["samples"]:
        assert hashlib.sha256((FOLDER / sample["file"]).read_bytes()).hexdigest() == sample["sha256"]


def test_app_matches_the_keras_reference_outputs_of_the_shipped_model() -> None:
    entry = demo_entry()
    model = ImagingModel(FOLDER, entry)
    samples = json.loads((FOLDER / entry["reference"]["file"]).read_text())["samples"]
    for sample in samples:
        probabilities = model.analyse(load_image(FOLDER / sample["file"])).probabilities
        assert [probabilities[c] for c in entry["classes"]] == pytest.approx(sample["probabilities"], abs=1e-3)
    assert len(samples) == entry["parity"]["images"] == 8 and entry["parity"]["max_abs_difference"] < 1e-3
