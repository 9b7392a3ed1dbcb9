"""Preprocessing as the contract declares it: each resize method, aspect, value range and activation."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from emsync_desktop.ml.contract import ImagingContract, parse_contract
from emsync_desktop.ml.preprocess import fit, heat_in_image_frame, preprocess, probabilities, resize

RNG = np.random.default_rng(21)


def contract(**sections: Any) -> ImagingContract:
    labels = sections.pop("labels", ["a", "b"])
    return parse_contract({"name": "m", "classes": labels, "input": {"size": 4, "channels": 1}, "contract": sections})


def test_nearest_picks_the_pixel_whose_centre_is_nearest_as_tf_resize_nearest() -> None:
    pixels = RNG.random((37, 53)).astype(np.float32)
    rows = np.floor((np.arange(16) + 0.5) * 37 / 16).astype(int)
    cols = np.floor((np.arange(20) + 0.5) * 53 / 20).astype(int)
    np.testing.assert_array_equal(resize(pixels, 20, 16, "nearest"), pixels[np.ix_(rows, cols)])


def test_area_averages_the_covered_block() -> None:
    pixels = RNG.random((8, 8)).astype(np.float32)
    expected = pixels.reshape(4, 2, 4, 2).mean(axis=(1, 3))
    np.testing.assert_allclose(resize(pixels, 4, 4, "area"), expected, atol=1e-6)


@pytest.mark.parametrize("method", ["bilinear", "bicubic"])
def test_smooth_methods_keep_a_constant_image_constant_and_differ_from_nearest(method: str) -> None:
    assert np.allclose(resize(np.full((9, 9), 0.25, np.float32), 4, 4, method), 0.25, atol=1e-6)
    ramp = np.tile(np.linspace(0, 1, 9, dtype=np.float32), (9, 1))
    assert not np.allclose(resize(ramp, 4, 4, method), resize(ramp, 4, 4, "nearest"))


def test_bilinear_and_bicubic_are_different_filters() -> None:
    pixels = RNG.random((20, 20)).astype(np.float32)
    assert not np.allclose(resize(pixels, 7, 7, "bilinear"), resize(pixels, 7, 7, "bicubic"))


def test_letterbox_keeps_the_whole_image_and_pads_black_around_it() -> None:
    pixels = np.ones((2, 4), np.float32)  # wide: fits the width, pads above and below
    out = fit(pixels, contract(preprocessing={"aspect": "letterbox", "resize": "nearest"}))
    np.testing.assert_array_equal(out, [[0] * 4, [1] * 4, [1] * 4, [0] * 4])


def test_centre_crop_fills_the_frame_and_cuts_the_sides() -> None:
    pixels = np.tile(np.arange(8, dtype=np.float32), (4, 1))  # 4 high, 8 wide: the middle 4 columns stay
    out = fit(pixels, contract(preprocessing={"aspect": "centre-crop", "resize": "nearest"}))
    np.testing.assert_array_equal(out, np.tile(np.arange(2, 6, dtype=np.float32), (4, 1)))


def test_stretch_ignores_the_aspect() -> None:
    out = fit(np.ones((2, 8), np.float32), contract(preprocessing={"resize": "nearest"}))
    np.testing.assert_array_equal(out, np.ones((4, 4)))


@pytest.mark.parametrize(("value_range", "low", "high"), [("0..1", 0, 1), ("-1..1", -1, 1), ("0..255", 0, 255)])
def test_value_range_maps_black_and_white(value_range: str, low: float, high: float) -> None:
    pixels = np.array([[0, 1], [0, 1]], np.float32)
    batch = preprocess(pixels, contract(input={"height": 2, "width": 2},
                                        preprocessing={"range": value_range, "resize": "nearest"}))
    np.testing.assert_allclose(batch[0, :, :, 0], [[low, high], [low, high]])


def test_mean_std_per_channel_after_the_range_with_grey_replicated_to_rgb() -> None:
    c = contract(input={"channels": 3, "height": 1, "width": 1},
                 preprocessing={"mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]})
    batch = preprocess(np.full((3, 3), 0.5, np.float32), c)
    np.testing.assert_allclose(batch[0, 0, 0], (0.5 - np.array([0.485, 0.456, 0.406])) / [0.229, 0.224, 0.225],
                               rtol=1e-6)


def test_nchw_puts_channels_first() -> None:
    pixels = RNG.random((4, 4)).astype(np.float32)
    nhwc = preprocess(pixels, contract(input={"channels": 3}))
    nchw = preprocess(pixels, contract(input={"channels": 3, "layout": "NCHW"}))
    assert nhwc.shape == (1, 4, 4, 3) and nchw.shape == (1, 3, 4, 4) and nchw.dtype == np.float32
    np.testing.assert_array_equal(nchw[0].transpose(1, 2, 0), nhwc[0])
    np.testing.assert_array_equal(nchw[0, 0], nchw[0, 2])  # grey replicated


@pytest.mark.parametrize(("activation", "expected"), [
    ("softmax", [0.2, 0.8]), ("sigmoid", [0.2, 0.8]),
    ("logits-softmax", np.exp([0.2, 0.8]) / np.exp([0.2, 0.8]).sum()),
    ("logits-sigmoid", 1 / (1 + np.exp(-np.array([0.2, 0.8])))),
])
def test_output_activation(activation: str, expected: Any) -> None:
    multi = activation.endswith("sigmoid")
    c = contract(output={"activation": activation, "multi_label": multi})
    np.testing.assert_allclose(probabilities(np.array([[0.2, 0.8]], np.float32), c), expected, rtol=1e-6)


def test_nearest_enlarging_also_uses_pixel_centres() -> None:
    pixels = RNG.random((100, 100)).astype(np.float32)
    index = np.minimum(np.floor((np.arange(150) + 0.5) * 100 / 150).astype(int), 99)
    np.testing.assert_array_equal(resize(pixels, 150, 150, "nearest"), pixels[np.ix_(index, index)])


def test_bilinear_without_antialias_samples_two_pixels_where_bilinear_averages_more() -> None:
    pixels = RNG.random((64, 64)).astype(np.float32)
    plain = resize(pixels, 16, 16, "bilinear-no-antialias")
    # shrinking by 4: each output is the mean of the two middle pixels of its 4 × 4 block, on both axes
    np.testing.assert_allclose(plain, pixels.reshape(16, 4, 16, 4)[:, 1:3, :, 1:3].mean(axis=(1, 3)), atol=1e-6)
    assert not np.allclose(plain, resize(pixels, 16, 16, "bilinear"), atol=1e-3)


def test_bilinear_without_antialias_equals_bilinear_when_enlarging() -> None:
    pixels = RNG.random((20, 30)).astype(np.float32)
    np.testing.assert_allclose(resize(pixels, 45, 50, "bilinear-no-antialias"), resize(pixels, 45, 50, "bilinear"),
                               atol=1e-5)


def test_letterbox_heat_map_loses_the_padding_and_takes_the_image_aspect() -> None:
    heat = np.zeros((4, 4), np.float32)
    heat[1:3, :] = 1.0  # the image's band in a wide image's letterbox; the rows above and below are padding
    out = heat_in_image_frame(heat, contract(preprocessing={"aspect": "letterbox"}), 200, 400)
    assert out.shape == (32, 64)
    assert out.min() > 0.5  # every cell is over the image: none is padding


def test_centre_crop_heat_map_is_zero_where_the_model_never_looked() -> None:
    heat = np.ones((4, 4), np.float32)
    out = heat_in_image_frame(heat, contract(preprocessing={"aspect": "centre-crop"}), 400, 800)
    assert out.shape == (32, 64)
    assert out[:, :12].max() == 0 and out[:, 52:].max() == 0 and out[:, 20:44].min() > 0.9
