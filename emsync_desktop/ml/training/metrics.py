"""Held-out metrics: discrimination, calibration, confusion. Plain dicts, ready for JSON."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import (
    average_precision_score,
    balanced_accuracy_score,
    brier_score_loss,
    confusion_matrix,
    roc_auc_score,
    roc_curve,
)

CALIBRATION_BINS = 10


def youden_threshold(y: NDArray[np.int64], p: NDArray[np.float64]) -> float:
    """The cut-off maximising sensitivity + specificity (chosen on validation rows only)."""
    fpr, tpr, thresholds = roc_curve(y, p)
    best = int(np.argmax(tpr - fpr))
    return float(min(max(thresholds[best], 1e-6), 1.0))


def binary_metrics(y: NDArray[np.int64], p: NDArray[np.float64], threshold: float) -> dict[str, Any]:
    called = (p >= threshold).astype(int)
    tn, fp, fn, tp = confusion_matrix(y, called, labels=[0, 1]).ravel()
    return {
        "n": len(y),
        "prevalence": _r(y.mean()),
        "auroc": _r(roc_auc_score(y, p)),
        "auprc": _r(average_precision_score(y, p)),
        "brier": _r(brier_score_loss(y, p)),
        "balanced_accuracy": _r(balanced_accuracy_score(y, called)),
        "sensitivity": _r(tp / max(tp + fn, 1)),
        "specificity": _r(tn / max(tn + fp, 1)),
        "threshold": _r(threshold),
        "confusion": {"tn": int(tn), "fp": int(fp), "fn": int(fn), "tp": int(tp)},
        "calibration": calibration_table(y, p),
    }


def multiclass_metrics(y: NDArray[np.int64], p: NDArray[np.float64], called: NDArray[np.int64],
                       classes: list[str]) -> dict[str, Any]:
    onehot = np.eye(len(classes))[y]
    return {
        "n": len(y),
        "class_mix": [_r(np.mean(y == k)) for k in range(len(classes))],
        "balanced_accuracy": _r(balanced_accuracy_score(y, called)),
        "auroc_macro_ovr": _r(roc_auc_score(y, p, multi_class="ovr", average="macro")),
        "auroc_per_class": {c: _r(roc_auc_score(y == k, p[:, k])) for k, c in enumerate(classes)},
        "auprc_per_class": {c: _r(average_precision_score(y == k, p[:, k])) for k, c in enumerate(classes)},
        "brier": _r(np.mean(np.sum((p - onehot) ** 2, axis=1))),
        "confusion": confusion_matrix(y, called, labels=list(range(len(classes)))).tolist(),
        "calibration": {c: calibration_table((y == k).astype(int), p[:, k]) for k, c in enumerate(classes)},
    }


def calibration_table(y: NDArray[np.int64], p: NDArray[np.float64]) -> list[dict[str, float]]:
    """Equal-count bins: mean predicted vs observed frequency."""
    order = np.argsort(p, kind="stable")
    rows = []
    for chunk in np.array_split(order, CALIBRATION_BINS):
        if len(chunk):
            rows.append({"n": len(chunk), "predicted": _r(p[chunk].mean()), "observed": _r(y[chunk].mean())})
    return rows


def _r(value: float) -> float:
    return round(float(value), 4)
