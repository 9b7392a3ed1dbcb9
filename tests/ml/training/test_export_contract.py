"""The exporter holds a model to the same contract as the app's import, before writing anything."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from emsync_desktop.ml.training.imaging.export import ExportRefused, check_export, contract_for
from tests.ml.onnx_models import classifier_onnx, classifier_weights

CONTRACT: dict[str, Any] = {
    "input": {"channels": 3, "height": 32, "width": 32, "layout": "NCHW"},
    "preprocessing": {"colour": "grey-to-rgb"},
    "output": {"name": "logits", "activation": "logits-softmax"},
}
WEIGHTS = classifier_weights(filters=4, labels=2)
ONNX = classifier_onnx(WEIGHTS, 32, 32, feature_maps=True)


def entry(contract: dict[str, Any] = CONTRACT, classes: tuple[str, ...] = ("a", "b")) -> dict[str, Any]:
    return {"name": "x", "classes": list(classes), "contract": contract}


def test_model_fitting_its_contract_and_heat_map_weights_is_accepted() -> None:
    check_export(entry(), ONNX, np.zeros((4, 2), np.float32))


def test_classifier_that_does_not_fit_the_feature_maps_is_refused_with_the_reason() -> None:
    """As with an extra dense layer between the feature maps and the classifier (issue 21)."""
    with pytest.raises(ExportRefused, match="The feature maps have 4 channels but the classifier's weights take 128"):
        check_export(entry(), ONNX, np.zeros((128, 2), np.float32))


def test_classes_not_matching_the_outputs_are_refused() -> None:
    with pytest.raises(ExportRefused, match="The manifest lists 3 labels but the model's output 'logits' gives 2"):
        check_export(entry(classes=("a", "b", "c")), ONNX, None)


def test_graph_not_matching_the_declared_input_is_refused() -> None:
    with pytest.raises(ExportRefused, match=r"declares height 150 .NCHW. but the model's input has 32"):
        check_export(entry(CONTRACT | {"input": {"channels": 3, "height": 150, "width": 32, "layout": "NCHW"}}),
                     ONNX, None)


def test_invalid_contract_is_refused_before_the_graph_is_read() -> None:
    with pytest.raises(ExportRefused, match=r"preprocessing.aspect is 'zoom'"):
        check_export(entry(CONTRACT | {"preprocessing": {"aspect": "zoom", "colour": "grey-to-rgb"}}), ONNX, None)


def test_pipeline_contract_is_the_apps_default() -> None:
    from emsync_desktop.ml.contract import parse_contract

    legacy = {"name": "x", "classes": ["a", "b"], "input": {"size": 64, "channels": 1}}
    assert parse_contract(legacy | {"contract": contract_for(64)}) == parse_contract(legacy)
