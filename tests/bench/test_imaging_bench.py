"""Imaging benchmarks (issue 7): one radiograph through the shipped model on onnxruntime vs the same
model in Keras (the ``.keras`` file the ONNX was exported from), in one run; the heat map; decoding
the real chest CR. Target: under 100 ms per image on CPU."""

from __future__ import annotations

import statistics
from pathlib import Path

import numpy as np
import pytest
from pydicom.data import get_testdata_file

from emsync_desktop.ml.image_io import load_image
from emsync_desktop.ml.imaging import FEATURES_OUTPUT, IMAGE_INPUT, PROBABILITIES_OUTPUT, ImagingModel, resize_for_model
from emsync_desktop.ml.registry import default_models_dir
from tests.bench.timing import timed

pytestmark = pytest.mark.tensorflow  # never beside QtWebEngine in one process (see Makefile)
CHEST_CR = Path(get_testdata_file("RG1_UNCR.dcm"))  # type: ignore[arg-type]



def test_one_image_onnx_vs_keras_and_heat_map() -> None:
    import keras

    model = ImagingModel.default(default_models_dir())
    native = keras.models.load_model(default_models_dir() / model.entry["keras_file"])
    image = load_image(CHEST_CR)
    batch = resize_for_model(image.pixels, model.contract.height)[None, :, :, None]
    session = model._session

    def run_onnx() -> None:
        session.run([PROBABILITIES_OUTPUT, FEATURES_OUTPUT], {IMAGE_INPUT: batch})

    def run_keras() -> None:
        native(batch, training=False)

    for _ in range(10):
        run_onnx()
        run_keras()
    onnx, kerastimes = [], []
    for _ in range(5):  # interleaved rounds: machine load hits both alike
        onnx += timed(run_onnx, 40)
        kerastimes += timed(run_keras, 10)
    o, k = statistics.median(onnx) * 1e3, statistics.median(kerastimes) * 1e3
    full = timed(lambda: model.analyse(image), 30)
    heat = [model.analyse(image).heat_map_ms for _ in range(30)]
    side = model.contract.height
    print(f"\none {side}x{side} image, {model.entry['architecture']}: ONNX median {o:.2f} ms "
          f"(p99 {np.percentile(onnx, 99) * 1e3:.2f}), Keras median {k:.2f} ms (p99 "
          f"{np.percentile(kerastimes, 99) * 1e3:.2f}); ratio {k / o:.1f}x")
    print(f"app analysis (resize + inference + heat map): median {statistics.median(full) * 1e3:.2f} ms, p99 "
          f"{np.percentile(full, 99) * 1e3:.2f} ms; heat map alone median {statistics.median(heat):.3f} ms")
    assert k / o > 0


def test_decoding_the_chest_cr() -> None:
    times = timed(lambda: load_image(CHEST_CR), 10)
    median_ms = statistics.median(times) * 1e3
    print(f"\nopen RG1 chest CR (1841x1955, 15-bit, MONOCHROME1, window): median {median_ms:.0f} ms")
    assert times
