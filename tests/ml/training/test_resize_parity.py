"""Each declared resize method against TensorFlow's ``tf.image.resize`` (what Keras pipelines use):
the claims in ``ml/preprocess.py`` measured, shrinking and enlarging."""

from __future__ import annotations

import numpy as np
import pytest

from emsync_desktop.ml.preprocess import resize

pytestmark = pytest.mark.tensorflow  # never beside QtWebEngine in one process (see Makefile)

SHAPES = [((301, 233), (150, 150)), ((100, 100), (150, 150)), ((97, 61), (40, 50)), ((64, 64), (32, 32))]


def tf_resize(pixels: np.ndarray, size: tuple[int, int], method: str, antialias: bool) -> np.ndarray:
    import tensorflow as tf

    return np.asarray(tf.image.resize(pixels[..., None], size, method=method, antialias=antialias))[..., 0]


@pytest.mark.parametrize(("ours", "theirs", "antialias", "tolerance"), [
    ("nearest", "nearest", False, 0.0),
    ("bilinear-no-antialias", "bilinear", False, 2e-5),
    ("bilinear", "bilinear", True, 2e-5),
    ("bicubic", "bicubic", True, 2e-5),
])
@pytest.mark.parametrize(("source", "target"), SHAPES)
def test_resize_matches_tensorflow(ours: str, theirs: str, antialias: bool, tolerance: float,
                                   source: tuple[int, int], target: tuple[int, int]) -> None:
    pixels = np.random.default_rng(5).random(source).astype(np.float32)
    got = resize(pixels, target[1], target[0], ours)
    assert float(np.abs(got - tf_resize(pixels, target, theirs, antialias)).max()) <= tolerance


def test_area_matches_tensorflow_for_whole_number_shrink_factors() -> None:
    pixels = np.random.default_rng(5).random((64, 64)).astype(np.float32)
    np.testing.assert_allclose(resize(pixels, 32, 32, "area"), tf_resize(pixels, (32, 32), "area", False), atol=1e-6)
