"""``python -m emsync_desktop.ml.training imaging``: train, evaluate on held-out data, export, register.

    ... imaging                              # the shipped demonstration model (synthetic images)
    ... imaging --folder /data/chest_xray    # a hospital's own images, train/val/test/<class>/
    ... imaging --medmnist pneumoniamnist.npz --classes normal,pneumonia
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from emsync_desktop.ml.training.imaging.networks import ARCHITECTURES

DEFAULT_SIZE = 128
DEFAULT_SEED = 20261123
PREPROCESSING = {"colour": "grey (ITU-R 601 luma)", "range": "0..1, 0 = black",
                 "dicom": "rescale slope/intercept, first window of the file (else 0.5-99.5 percentiles), "
                          "MONOCHROME1 inverted", "resize": "bilinear to size × size, aspect not kept",
                 "layout": "NHWC (n, size, size, 1) float32"}


def add_parser(sub: Any, models_dir: Path) -> None:
    imaging = sub.add_parser("imaging", help="train, evaluate and export a chest X-ray model")
    source = imaging.add_mutually_exclusive_group()
    source.add_argument("--folder", type=Path, help="ROOT with train/, val/, test/ and a folder per class")
    source.add_argument("--medmnist", type=Path, help="a MedMNIST .npz file")
    imaging.add_argument("--classes", help="class names for --medmnist, comma-separated, in label order")
    imaging.add_argument("--positive", help="class the heat map shows (default: the last class)")
    imaging.add_argument("--arch", choices=ARCHITECTURES, default="resnet")
    imaging.add_argument("--size", type=int, default=DEFAULT_SIZE, help="input size in pixels (square)")
    imaging.add_argument("--images", type=int, default=4000, help="synthetic set size")
    imaging.add_argument("--epochs", type=int, default=25, help="at most; early stopping on validation AUROC")
    imaging.add_argument("--seed", type=int, default=DEFAULT_SEED)
    imaging.add_argument("--name", default="cxr_demo", help="model name (file name in the models folder)")
    imaging.add_argument("--version", help="model version (default: <name>-<date>-<source>)")
    imaging.add_argument("--out", type=Path, default=models_dir, help="where the .onnx and manifest go")


def add_export_parser(sub: Any, models_dir: Path) -> None:
    export = sub.add_parser("imaging-export", help="export an existing Keras chest X-ray model for the app")
    export.add_argument("keras_file", type=Path, help="a .keras model ending in cam_features -> pooling -> "
                        "classifier (as the three networks here do)")
    export.add_argument("--classes", required=True, help="class names in output order, comma-separated")
    export.add_argument("--positive", help="class the heat map shows (default: the last class)")
    export.add_argument("--folder", type=Path, help="a train/val/test folder: its test split is evaluated and "
                        "the metrics recorded (without it the manifest says the model was not evaluated here)")
    export.add_argument("--name", required=True, help="model name (file name in the models folder)")
    export.add_argument("--version", help="model version (default: <name>-<date>-keras)")
    export.add_argument("--out", type=Path, default=models_dir, help="where the .onnx and manifest go")


def run_export(args: argparse.Namespace) -> int:
    """Export a Keras file: the same checks and manifest entry as after training, metrics only if measured."""
    import keras
    import numpy as np

    from emsync_desktop.ml.training.imaging.data import DataError, load_folder
    from emsync_desktop.ml.training.imaging.export import ExportRefused, write_model
    from emsync_desktop.ml.training.imaging.networks import CLASSIFIER_LAYER, FEATURES_LAYER
    from emsync_desktop.ml.training.imaging.train import evaluate

    model = keras.models.load_model(args.keras_file)
    classes = tuple(c.strip() for c in args.classes.split(","))
    names = {layer.name for layer in model.layers}
    if not {FEATURES_LAYER, CLASSIFIER_LAYER} <= names or model.output_shape[-1] != len(classes):
        print(f"error: {args.keras_file} needs layers '{FEATURES_LAYER}' and '{CLASSIFIER_LAYER}' and "
              f"{len(classes)} outputs (one per class)", file=sys.stderr)
        return 2
    size = int(model.input_shape[1])
    metrics: dict[str, Any] = {"test": None, "note": "not evaluated here: export with --folder to measure"}
    probe = np.random.default_rng(0).random((16, size, size, 1), dtype=np.float32)
    source: dict[str, Any] = {"source": "keras-file",
                              "description": f"Exported from {args.keras_file.name}; trained elsewhere"}
    if args.folder:
        try:
            data = load_folder(args.folder, size)
        except DataError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        metrics, probe = {"test": evaluate(model, data.test, classes)}, data.test.images[:64]
        source |= {"counts": data.counts()}
    today = datetime.now(UTC)
    entry = {"version": args.version or f"{args.name}-{today:%Y.%m.%d}-keras", "created": f"{today:%Y-%m-%d}",
             "demonstration": False, "architecture": model.name, "classes": list(classes),
             "positive_class": args.positive or classes[-1], "input": {"name": "image", "size": size, "channels": 1},
             "preprocessing": PREPROCESSING, "training_data": source, "metrics": metrics}
    try:
        written = write_model(model, args.out, name=args.name, entry=entry, parity_images=probe)
    except ExportRefused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.out / written['file']}: parity {written['parity']['max_abs_difference']:.1e}")
    return 0


def run(args: argparse.Namespace) -> int:
    from emsync_desktop.ml.training.imaging.data import DataError

    try:
        data = _load(args)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return _train_and_export(args, data)


def _load(args: argparse.Namespace) -> Any:
    from emsync_desktop.ml.training.imaging.data import load_folder, load_medmnist, synthetic_set

    if args.folder:
        return load_folder(args.folder, args.size)
    if args.medmnist:
        classes = tuple(c.strip() for c in args.classes.split(",")) if args.classes else None
        return load_medmnist(args.medmnist, args.size, classes)
    return synthetic_set(args.size, args.images, args.seed)


def _train_and_export(args: argparse.Namespace, data: Any) -> int:
    from emsync_desktop.ml.training.imaging.export import write_model
    from emsync_desktop.ml.training.imaging.train import evaluate, train

    print(f"training {args.arch} on {data.counts()}", file=sys.stderr)
    for problem in data.skipped:
        print(f"skipped {problem}", file=sys.stderr)
    run = train(data, args.arch, epochs=args.epochs, seed=args.seed)
    metrics = evaluate(run.model, data.test, data.classes)
    today = datetime.now(UTC)
    entry = {"version": args.version or f"{args.name}-{today:%Y.%m.%d}-{data.source}",
             "created": f"{today:%Y-%m-%d}", "demonstration": data.source == "synthetic",
             "architecture": args.arch, "classes": list(data.classes),
             "positive_class": args.positive or data.classes[-1],
             "input": {"name": "image", "size": args.size, "channels": 1}, "preprocessing": PREPROCESSING,
             "training_data": {"source": data.source, "description": data.description, "counts": data.counts(),
                               "seed": args.seed},
             "training": {"epochs_run": run.epochs_run, "best_epoch": run.best_epoch,
                          "class_weights": run.class_weights},
             "metrics": {"test": metrics}}
    written = write_model(run.model, args.out, name=args.name, entry=entry, parity_images=data.test.images[:64])
    print(f"wrote {args.out / written['file']}: test AUROC {metrics['auroc']}, accuracy {metrics['accuracy']}, "
          f"parity {written['parity']['max_abs_difference']:.1e}")
    return 0
