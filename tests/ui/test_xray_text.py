"""The words beside the X-ray: which label the heat map is for, how it was made, in plain words."""

from __future__ import annotations

import numpy as np

from emsync_desktop.ml.imaging import CAM_METHOD, ImagingResult
from emsync_desktop.ui.nurse.xray_text import heat_map_html, plain_method, timing_text
from emsync_desktop.ui.theme import LIGHT


def result(probabilities: dict[str, float], shown: str, method: str = CAM_METHOD, ms: float = 0.3) -> ImagingResult:
    return ImagingResult(probabilities, np.ones((4, 4), dtype=np.float32), shown, "m", "m-1", False, ms, 12.0,
                         None, method)


def test_heat_map_for_the_less_likely_label_says_so() -> None:
    text = heat_map_html(result({"NORMAL": 0.77, "PNEUMONIA": 0.23}, "PNEUMONIA"), LIGHT)
    assert "Heat map for <b>PNEUMONIA</b> (23%, the less likely finding)" in text


def test_heat_map_for_the_most_likely_label_needs_no_remark() -> None:
    text = heat_map_html(result({"NORMAL": 0.23, "PNEUMONIA": 0.77}, "PNEUMONIA"), LIGHT)
    assert "less likely" not in text and "<small>" not in text


def test_occlusion_method_in_plain_words() -> None:
    method = "Occlusion map, 16×16 grid, 257 passes in 0.16 s (budget 0.7 s)"
    assert plain_method(method) == "Made by hiding parts of the image (occlusion), 16×16 squares, 0.16 s"


def test_inference_under_a_millisecond_is_not_zero() -> None:
    assert timing_text(result({"a": 1.0}, "a", ms=0.3)).startswith("Inference <1 ms,")
