"""``python -m emsync_desktop.ml.training imaging``: train, evaluate on held-out data, export, register.

    ... imaging                              # the shipped demonstration model (synthetic images)
    ... imaging --folder /data/chest_xray    # a hospital's own images, train/val/test/<class>/
    ... imaging --medmnist pneumoniamnist.npz --classes normal,pneumonia
"""

from __future__ import annotations

import argparse
import os
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


def signing_key_option(parser: Any) -> None:
    parser.add_argument("--sign-key", type=Path, default=os.environ.get("EMSYNC_MODEL_SIGNING_KEY") or None,
                        help="sign the model with this private key (PEM; default $EMSYNC_MODEL_SIGNING_KEY); "
                             "the app refuses unsigned models")


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
    signing_key_option(imaging)


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
    from emsync_desktop.ml.training.imaging.export import read_signing_key, write_model
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
    written = write_model(run.model, args.out, name=args.name, entry=entry, parity_images=data.test.images[:64],
                          sign_key=read_signing_key(args.sign_key))
    print(f"wrote {args.out / written['file']}: test AUROC {metrics['auroc']}, accuracy {metrics['accuracy']}, "
          f"parity {written['parity']['max_abs_difference']:.1e}")
    return 0
