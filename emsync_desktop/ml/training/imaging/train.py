"""Training and held-out evaluation of an imaging network.

Augmentation (small rotations, shifts, zoom, contrast; no left-right flip: the heart is on the left),
class weights (balanced), early stopping on validation AUROC with the best weights restored. Seeded;
TensorFlow on CPU is not bit-reproducible across machines, so the manifest records what was measured.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from emsync_desktop.ml.training.imaging.data import ImageSet, Split
from emsync_desktop.ml.training.imaging.networks import build


@dataclass(frozen=True)
class TrainingRun:
    model: Any  # keras.Model
    arch: str
    epochs_run: int
    best_epoch: int
    class_weights: dict[int, float]


def class_weights(labels: npt.NDArray[np.int64], n_classes: int) -> dict[int, float]:
    counts = np.bincount(labels, minlength=n_classes).astype(np.float64)
    return {i: float(len(labels) / (n_classes * c)) if c else 0.0 for i, c in enumerate(counts)}


def train(data: ImageSet, arch: str, *, epochs: int, seed: int, batch_size: int = 32, patience: int = 4) -> TrainingRun:
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    size = int(data.train.images.shape[1])
    model = build(arch, size, len(data.classes))
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")])
    weights = class_weights(data.train.labels, len(data.classes))
    stop = _early_stop_on_auroc(data.val, patience)
    model.fit(_augmented(data.train, batch_size, seed, tf), epochs=epochs, class_weight=weights, verbose=0,
              shuffle=False, callbacks=[stop])  # the dataset shuffles itself, seeded
    model.set_weights(stop.best_weights or model.get_weights())
    return TrainingRun(model, arch, stop.epochs_run, stop.best_epoch, weights)


def _augmented(split: Split, batch_size: int, seed: int, tf: Any) -> Any:
    import keras

    augment = keras.Sequential([keras.layers.RandomRotation(0.03, seed=seed), keras.layers.RandomTranslation(
        0.05, 0.05, seed=seed), keras.layers.RandomZoom(0.08, seed=seed), keras.layers.RandomContrast(0.15, seed=seed)])
    dataset = tf.data.Dataset.from_tensor_slices((split.images, split.labels)).shuffle(len(split.labels), seed=seed)
    return dataset.batch(batch_size).map(lambda x, y: (tf.clip_by_value(augment(x, training=True), 0.0, 1.0), y))


def _early_stop_on_auroc(val: Split, patience: int) -> Any:
    """A Keras callback (defined here to keep keras imports lazy) that keeps the weights of the best
    validation AUROC and stops after ``patience`` epochs without improvement."""
    import keras

    class EarlyStopOnAuroc(keras.callbacks.Callback):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.best, self.best_weights, self.best_epoch, self.epochs_run, self.wait = -1.0, None, 0, 0, 0

        def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
            self.epochs_run = epoch + 1
            score = auroc(val.labels, self.model.predict(val.images, verbose=0))
            print(f"epoch {epoch + 1}: validation AUROC {score:.4f}", file=sys.stderr)
            if score > self.best:
                self.best, self.best_weights, self.best_epoch, self.wait = score, self.model.get_weights(), epoch + 1, 0
                return
            self.wait += 1
            if self.wait >= patience:
                self.model.stop_training = True

    return EarlyStopOnAuroc()


def auroc(labels: npt.NDArray[np.int64], probabilities: npt.NDArray[np.float32]) -> float:
    """Binary: of the last class; more classes: one-vs-rest, macro-averaged."""
    from sklearn.metrics import roc_auc_score

    if len(np.unique(labels)) < 2:
        return float("nan")
    if probabilities.shape[1] == 2:
        return float(roc_auc_score(labels, probabilities[:, 1]))
    return float(roc_auc_score(labels, probabilities, multi_class="ovr"))


def evaluate(model: Any, split: Split, classes: tuple[str, ...]) -> dict[str, Any]:
    """Held-out metrics, as measured: AUROC, accuracy, sensitivity, specificity, confusion matrix."""
    from sklearn.metrics import confusion_matrix

    probabilities = model.predict(split.images, verbose=0)
    predicted = probabilities.argmax(axis=1)
    matrix = confusion_matrix(split.labels, predicted, labels=list(range(len(classes))))
    metrics: dict[str, Any] = {"n": len(split.labels), "auroc": round(auroc(split.labels, probabilities), 4),
                               "accuracy": round(float((predicted == split.labels).mean()), 4),
                               "confusion_matrix": {"classes": list(classes), "rows_true_cols_predicted":
                                                    matrix.tolist()}}
    if len(classes) == 2:
        tn, fp, fn, tp = (int(v) for v in matrix.ravel())
        metrics |= {"positive_class": classes[1], "sensitivity": round(tp / max(tp + fn, 1), 4),
                    "specificity": round(tn / max(tn + fp, 1), 4)}
    return metrics
