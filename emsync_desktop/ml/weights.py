"""Undo the class weights a model was trained with, so that probabilities are calibrated.

Training a classifier with class weight ``w_k`` multiplies, at the optimum, the odds of class k by
``w_k``; dividing each raw probability by its weight and renormalising gives back probabilities
for the population the model was trained on. The weights are recorded in the model manifest.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray


def undo_class_weights(raw: NDArray[np.floating], weights: Sequence[float]) -> NDArray[np.float64]:
    """``raw``: (rows, classes) probabilities from the weighted model; returns calibrated ones."""
    scaled = np.asarray(raw, dtype=np.float64) / np.asarray(weights, dtype=np.float64)
    return np.asarray(scaled / scaled.sum(axis=1, keepdims=True))
