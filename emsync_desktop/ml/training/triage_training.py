"""Train the seven triage models (XGBoost) and measure them on held-out rows.

Severity is ordinal: two binary models, P(Critical) and P(Critical or Moderate), each of which never falls as a
clinically monotone input worsens (XGBoost monotone constraints, ``MONOTONE``); the three class probabilities
follow from them (``OrdinalSeverity``), and the call from two thresholds chosen on the validation rows
(``domain.triage.ordinal_class``). A softmax over three classes cannot promise that: raising every class's score
together can lower P(Critical). The needs whose direction is known carry the same constraints; the others
(sedatives, opioids: agitation and pain are not monotone in these inputs) are left free.

Needs are trained with class weights inverse to prevalence (so rare needs are learned; reported probabilities
have the weights undone, ``ml.weights``) and need thresholds picked on validation rows (Youden's J). Every
model: early stopping on the validation rows, fixed hyper-parameters, a fixed seed; every metric is measured on
the test rows only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import xgboost as xgb
from numpy.typing import NDArray

from emsync_desktop.domain.triage import FEATURE_NAMES, NEEDS, SEVERITY_CLASSES, ordinal_class
from emsync_desktop.ml.training.baseline import news2_scores
from emsync_desktop.ml.training.dataset import Split
from emsync_desktop.ml.training.metrics import binary_metrics, multiclass_metrics, youden_threshold
from emsync_desktop.ml.weights import undo_class_weights

HYPERPARAMETERS: dict[str, Any] = {
    "n_estimators": 1500, "max_depth": 4, "learning_rate": 0.05, "subsample": 0.8, "colsample_bytree": 0.8,
    "min_child_weight": 2.0, "reg_lambda": 1.0, "tree_method": "hist", "early_stopping_rounds": 50,
}
SEVERITY_NAMES = [str(c) for c in SEVERITY_CLASSES]
# Directions medicine knows (docs/TRIAGE_MODELS.md gives the reason for each): +1, the risk never falls as the
# value rises; -1, never falls as it drops. Heart rate, blood pressure, temperature and respiratory rate are
# U-shaped (both too low and too high are dangerous) and stay free, as do the rest.
MONOTONE: dict[str, int] = {"age_years": 1, "spo2_pct": -1, "on_oxygen": 1, "consciousness_acvpu": 1, "gcs": -1}
CONSTRAINED_MODELS = ("severity", "icu", "ventilator", "vasopressors", "dialysis")


def monotone_constraints(name: str) -> tuple[int, ...] | None:
    """The constraint of each input, in feature order, for model ``name`` (None: unconstrained)."""
    if name not in CONSTRAINED_MODELS:
        return None
    return tuple(MONOTONE.get(feature, 0) for feature in FEATURE_NAMES)


@dataclass
class OrdinalSeverity:
    """Urgency from two monotone binary models: P(Critical) and P(Critical or Moderate), the second raised to at
    least the first so the three probabilities are never negative (the ONNX export computes the same)."""

    critical: xgb.XGBClassifier
    urgent: xgb.XGBClassifier

    def predict_proba(self, x: NDArray[Any]) -> NDArray[np.float64]:
        critical, urgent = self.parts(x)
        return np.column_stack([critical, urgent - critical, 1.0 - urgent])

    def parts(self, x: NDArray[Any]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        critical = self.critical.predict_proba(x)[:, 1].astype(np.float64)
        return critical, np.maximum(self.urgent.predict_proba(x)[:, 1].astype(np.float64), critical)


@dataclass
class TrainedModel:
    """One fitted model with what the app needs to use it and what was measured on it."""

    name: str  # "severity" or a need
    model: xgb.XGBClassifier | OrdinalSeverity
    classes: list[str]
    class_weights: list[float]
    prevalence: list[float]
    threshold: float | None
    metrics: dict[str, Any]
    trees: int
    ordinal_thresholds: tuple[float, float] | None = None  # severity: (Critical, Critical or Moderate)


def train_all(split: Split, seed: int, n_jobs: int = 2) -> list[TrainedModel]:
    models = [train_severity(split, seed, n_jobs)]
    models += [train_need(split, i, seed, n_jobs) for i in range(len(NEEDS))]
    return models


def _fit(x: NDArray[np.float64], y: NDArray[np.int64], weights: NDArray[np.float64], split: Split,
         y_val: NDArray[np.int64], w_val: NDArray[np.float64], seed: int, n_jobs: int,
         constraints: tuple[int, ...] | None) -> xgb.XGBClassifier:
    extra = {} if constraints is None else {"monotone_constraints": constraints}
    model = xgb.XGBClassifier(objective="binary:logistic", random_state=seed, n_jobs=n_jobs, eval_metric="logloss",
                              **HYPERPARAMETERS, **extra)
    model.fit(x, y, sample_weight=weights, eval_set=[(split.validation.features, y_val)],
              sample_weight_eval_set=[w_val], verbose=False)
    return model


def _inverse_prevalence(y: NDArray[np.int64], k: int) -> list[float]:
    counts = np.bincount(y, minlength=k).astype(float)
    weights = counts.sum() / (k * np.maximum(counts, 1.0))
    return [float(w) for w in weights / weights.min()]


def train_severity(split: Split, seed: int, n_jobs: int = 2) -> TrainedModel:
    """The ordinal pair, unweighted (its probabilities are calibrated as they come), and its thresholds."""
    y, y_val = split.train.severity, split.validation.severity
    ones, ones_val = np.ones(len(y)), np.ones(len(y_val))
    constraints = monotone_constraints("severity")
    parts = [_fit(split.train.features, (y <= level).astype(np.int64), ones, split, (y_val <= level).astype(np.int64),
                  ones_val, seed, n_jobs, constraints) for level in (0, 1)]
    model = OrdinalSeverity(*parts)
    prevalence = [float(np.mean(y == k)) for k in range(3)]
    thresholds = ordinal_thresholds(y_val, model.predict_proba(split.validation.features), prevalence)
    test = split.test
    p = model.predict_proba(test.features)
    metrics: dict[str, Any] = {"model": multiclass_metrics(test.severity, p, ordinal_calls(p, thresholds),
                                                         SEVERITY_NAMES)}
    totals, calls = news2_scores(test.features)
    metrics["news2"] = {"balanced_accuracy_of_band": _ba(test.severity, calls),
                        "auroc_critical_vs_rest": _auc(test.severity == 0, totals)}
    if test.truth_severity is not None:
        metrics["bayes_optimal"] = multiclass_metrics(test.severity, test.truth_severity,
                                                      balanced_calls(test.truth_severity, prevalence),
                                                      SEVERITY_NAMES)
    trees = sum(int(m.best_iteration) + 1 for m in parts)
    return TrainedModel("severity", model, SEVERITY_NAMES, [1.0, 1.0, 1.0], prevalence, None, metrics, trees,
                        thresholds)


def ordinal_thresholds(y: NDArray[np.int64], p: NDArray[np.float64],
                       prevalence: list[float]) -> tuple[float, float]:
    """The pair of cumulative thresholds with the best balanced accuracy on these (validation) rows, searched
    from a fifth to five times each cumulative prevalence (the balanced rule's own cut-off is the prevalence)."""
    from sklearn.metrics import balanced_accuracy_score

    critical, urgent = p[:, 0], p[:, 0] + p[:, 1]
    best, best_score = (prevalence[0], prevalence[0] + prevalence[1]), -1.0
    for first in prevalence[0] * np.geomspace(0.2, 5.0, 25):
        for second in np.clip((prevalence[0] + prevalence[1]) * np.geomspace(0.5, 1.07, 25), 0.0, 0.999):
            calls = np.where(critical >= first, 0, np.where(urgent >= second, 1, 2))
            score = float(balanced_accuracy_score(y, calls))
            if score > best_score:
                best, best_score = (float(first), float(second)), score
    return round(best[0], 6), round(best[1], 6)


def ordinal_calls(p: NDArray[np.float64], thresholds: tuple[float, float]) -> NDArray[np.int64]:
    return np.asarray([ordinal_class(row, thresholds) for row in p], dtype=np.int64)


def balanced_calls(p: NDArray[np.float64], prevalence: list[float]) -> NDArray[np.int64]:
    """Per row, the class most raised above its prevalence (``domain.triage.balanced_class``): the decision that
    maximises balanced accuracy, used for the Bayes-optimal yardstick."""
    return np.asarray(np.argmax(p / np.asarray(prevalence), axis=1), dtype=np.int64)


def train_need(split: Split, index: int, seed: int, n_jobs: int = 2) -> TrainedModel:
    name = NEEDS[index]
    y, y_val = split.train.needs[:, index], split.validation.needs[:, index]
    weights = _inverse_prevalence(y, 2)
    w = np.asarray(weights)
    model = _fit(split.train.features, y, w[y], split, y_val, w[y_val], seed, n_jobs, monotone_constraints(name))
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
                        metrics, int(model.best_iteration) + 1)


def _ba(y: NDArray[np.int64], calls: NDArray[np.int64]) -> float:
    from sklearn.metrics import balanced_accuracy_score

    return round(float(balanced_accuracy_score(y, calls)), 4)


def _auc(y: NDArray[np.bool_], score: NDArray[np.float64]) -> float:
    from sklearn.metrics import roc_auc_score

    return round(float(roc_auc_score(y, score)), 4)
