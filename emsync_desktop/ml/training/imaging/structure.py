"""Find, in any Keras image classifier, what a class activation map needs, by the graph's shape and not
by layer names: the output made by ONE dense layer (optionally followed by activation layers) from the
global average pooling of the last 4-D tensor, with only dropout in between. Then the heat map for class k
is sum_c kernel[c, k] · features[..., c], computed by the app from the exported feature maps.

Anything else (a second dense layer, Flatten, attention pooling …) has no such map: the app then uses a
model-agnostic heat map (occlusion) and the export carries only the probabilities.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

PASS_THROUGH = ("Dropout", "SpatialDropout1D", "GaussianDropout", "AlphaDropout")
AFTER_DENSE = ("Activation", "Softmax")


@dataclass(frozen=True)
class CamParts:
    features: Any  # the symbolic 4-D tensor (n, h, w, channels) pooled into the classifier
    kernel: npt.NDArray[np.float32]  # channels × classes
    dense_layer: str  # for the manifest: where the kernel came from
    features_layer: str


def find_cam_parts(model: Any) -> tuple[CamParts | None, str]:
    """The parts of a class activation map, or None and a sentence saying why the model has none."""
    layer = _producer(model.outputs[0]) if len(model.outputs) == 1 else None
    if layer is None:
        return None, "the model does not end in a single output layer"
    while type(layer).__name__ in AFTER_DENSE:
        layer = _producer(layer.input)
    if type(layer).__name__ != "Dense":
        return None, f"its output comes from a {type(layer).__name__} layer, not a dense layer"
    dense = layer
    layer = _producer(dense.input)
    while layer is not None and type(layer).__name__ in PASS_THROUGH:
        layer = _producer(layer.input)
    if layer is None or type(layer).__name__ != "GlobalAveragePooling2D" or getattr(layer, "keepdims", False):
        found = "nothing" if layer is None else f"a {type(layer).__name__} layer"
        return None, (f"its last dense layer ({dense.name}) is fed by {found}, not by global average pooling of "
                      "feature maps")
    features = layer.input
    if len(features.shape) != 4 or getattr(layer, "data_format", "channels_last") != "channels_last":
        return None, f"the pooled tensor has shape {tuple(features.shape)}, not (n, h, w, channels)"
    kernel = np.asarray(dense.get_weights()[0], dtype=np.float32)
    return CamParts(features, kernel, dense.name, _producer(features).name), ""


def _producer(tensor: Any) -> Any:
    """The layer whose call made ``tensor`` (Keras 3 keeps it in ``_keras_history``), or None."""
    history = getattr(tensor, "_keras_history", None)
    return history.operation if history is not None else None
