"""Train the seven triage models (XGBoost) and measure them on held-out rows.

Every model: class weights inverse to prevalence (so the rare Critical class and rare needs are
learned), early stopping on the validation rows, fixed hyper-parameters, a fixed seed. Reported
probabilities have the weights undone (``ml.weights``); need thresholds are picked on validation
rows (Youden's J); every metric is measured on the test rows only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import xgboost as xgb
from numpy.typing import NDArray

from emsync_desktop.domain.triage import NEEDS, SEVERITY_CLASSES
from emsync_desktop.ml.training.baseline import news2_scores
from emsync_desktop.ml.training.dataset import Cohort, Split
from emsync_desktop.ml.training.metrics import binary_metrics, multiclass_metrics, youden_threshold
from emsync_desktop.ml.weights import undo_class_weights

HYPERPARAMETERS: dict[str, Any] = {
    "n_estimators": 1500, "max_depth": 4, "learning_rate": 0.05, "subsample": 0.8, "colsample_bytree": 0.8,
    "min_child_weight": 2.0, "reg_lambda": 1.0, "tree_method": "hist", "early_stopping_rounds": 50,
}
SEVERITY_NAMES = [str(c) for c in SEVERITY_CLASSES]


@dataclass
class TrainedModel:
    """One fitted model with what the app needs to use it and what was measured on it."""

    name: str  # "severity" or a need
    model: xgb.XGBClassifier
    classes: list[str]
    class_weights: list[float]
    prevalence: list[float]
    threshold: float | None
    metrics: dict[str, Any]
    best_iteration: int


def train_all(split: Split, seed: int, n_jobs: int = 2) -> list[TrainedModel]:
    models = [train_severity(split, seed, n_jobs)]
    models += [train_need(split, i, seed, n_jobs) for i in range(len(NEEDS))]
    return models


def _fit(x: NDArray[np.float64], y: NDArray[np.int64], weights: NDArray[np.float64], split: Split,
         y_val: NDArray[np.int64], w_val: NDArray[np.float64], objective: str, seed: int,
         n_jobs: int) -> xgb.XGBClassifier:
    model = xgb.XGBClassifier(objective=objective, random_state=seed, n_jobs=n_jobs,
                              eval_metric="mlogloss" if objective.startswith("multi") else "logloss",
                              **HYPERPARAMETERS)
    model.fit(x, y, sample_weight=weights, eval_set=[(split.validation.features, y_val)],
              sample_weight_eval_set=[w_val], verbose=False)
    return model


def _inverse_prevalence(y: NDArray[np.int64], k: int) -> list[float]:
    counts = np.bincount(y, minlength=k).astype(float)
    weights = counts.sum() / (k * np.maximum(counts, 1.0))
    return [float(w) for w in weights / weights.min()]


def train_severity(split: Split, seed: int, n_jobs: int = 2) -> TrainedModel:
    y, y_val = split.train.severity, split.validation.severity
    weights = _inverse_prevalence(y, 3)
    w = np.asarray(weights)
    model = _fit(split.train.features, y, w[y], split, y_val, w[y_val], "multi:softprob", seed, n_jobs)
    prevalence = [float(np.mean(y == k)) for k in range(3)]
    test = split.test
    p = undo_class_weights(model.predict_proba(test.features), weights)
    metrics: dict[str, Any] = {"model": multiclass_metrics(test.severity, p, balanced_calls(p, prevalence),
                                                         SEVERITY_NAMES)}
    totals, calls = news2_scores(test.features)
    metrics["news2"] = {"balanced_accuracy_of_band": _ba(test.severity, calls),
                        "auroc_critical_vs_rest": _auc(test.severity == 0, totals)}
    if test.truth_severity is not None:
        metrics["bayes_optimal"] = multiclass_metrics(test.severity, test.truth_severity,
                                                      balanced_calls(test.truth_severity, prevalence),
                                                      SEVERITY_NAMES)
    return TrainedModel("severity", model, SEVERITY_NAMES, weights, prevalence, None, metrics,
                        int(model.best_iteration))


def balanced_calls(p: NDArray[np.float64], prevalence: list[float]) -> NDArray[np.int64]:
    """Per row, the class most raised above its prevalence (``domain.triage.balanced_class``)."""
    return np.asarray(np.argmax(p / np.asarray(prevalence), axis=1), dtype=np.int64)


def train_need(split: Split, index: int, seed: int, n_jobs: int = 2) -> TrainedModel:
    name = NEEDS[index]
    y, y_val = split.train.needs[:, index], split.validation.needs[:, index]
    weights = _inverse_prevalence(y, 2)
    w = np.asarray(weights)
    model = _fit(split.train.features, y, w[y], split, y_val, w[y_val], "binary:logistic", seed, n_jobs)
    p_val = undo_class_weights(model.predict_proba(split.validation.features), weights)[:, 1]
    threshold = youden_threshold(y_val, p_val)
    test = split.test
    y_test = test.needs[:, index]
    p = undo_class_weights(model.predict_proba(test.features), weights)[:, 1]
    metrics: dict[str, Any] = {"model": binary_metrics(y_test, p, threshold)}
    totals, _ = news2_scores(test.features)
    metrics["news2"] = {"auroc": _auc(y_test == 1, totals)}
    if test.truth_needs is not None:
        truth = test.truth_needs[:, index]
        # P(need | x) >= prevalence is the decision that maximises balanced accuracy
        metrics["bayes_optimal"] = binary_metrics(y_test, truth, float(y.mean()))
    return TrainedModel(name, model, ["no", "yes"], weights, [1.0 - float(y.mean()), float(y.mean())], threshold,
                        metrics, int(model.best_iteration))


def _ba(y: NDArray[np.int64], calls: NDArray[np.int64]) -> float:
    from sklearn.metrics import balanced_accuracy_score

    return round(float(balanced_accuracy_score(y, calls)), 4)


def _auc(y: NDArray[np.bool_], score: NDArray[np.float64]) -> float:
    from sklearn.metrics import roc_auc_score

    return round(float(roc_auc_score(y, score)), 4)


def predict_raw(models: list[TrainedModel], cohort: Cohort) -> dict[str, NDArray[np.float32]]:
    """Native XGBoost probabilities (weights not undone), for the ONNX parity check."""
    return {m.name: m.model.predict_proba(cohort.features).astype(np.float32) for m in models}
