"""The order a clinician reads an X-ray result in: findings over their threshold first."""

from __future__ import annotations

import numpy as np

from emsync_desktop.ml.imaging import ImagingResult, findings


def result(probabilities: dict[str, float], thresholds: dict[str, float] | None) -> ImagingResult:
    return ImagingResult(probabilities, np.zeros((0, 0), np.float32), "", "m", "m-1", False, 1.0, 0.0, thresholds)


def test_multi_label_lists_labels_over_their_threshold_first_each_group_by_probability() -> None:
    r = result({"Effusion": 0.30, "Mass": 0.90, "Hernia": 0.05, "Edema": 0.20},
               {"Effusion": 0.25, "Mass": 0.95, "Hernia": 0.01, "Edema": 0.5})
    ordered = findings(r)
    assert [f.label for f in ordered] == ["Effusion", "Hernia", "Mass", "Edema"]
    assert [f.over_threshold for f in ordered] == [True, True, False, False]
    assert ordered[2].threshold == 0.95


def test_single_label_is_by_probability_with_no_threshold() -> None:
    ordered = findings(result({"clear": 0.3, "opacity": 0.7}, None))
    assert [(f.label, f.threshold, f.over_threshold) for f in ordered] == [("opacity", None, False),
                                                                            ("clear", None, False)]
