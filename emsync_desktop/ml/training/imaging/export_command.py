"""``python -m emsync_desktop.ml.training imaging-export``: any Keras image classifier → the app.

    ... imaging-export theirs.keras --classes normal,pneumonia --name their_cxr \\
        --resize nearest --range=-1..1 --activation logits-softmax

The contract (``ml/contract.py``) comes from the options; channels, height and width from the model's input.
All of it is checked before anything is converted; every fault is one sentence on stderr with exit
status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from emsync_desktop.ml.contract import (
    ACTIVATIONS,
    ASPECTS,
    RANGES,
    RESIZE_METHODS,
    ContractError,
    check_graph,
    parse_contract,
)
from emsync_desktop.ml.imaging import IMAGE_INPUT, PROBABILITIES_OUTPUT
from emsync_desktop.ml.training.imaging.command import PREPROCESSING, signing_key_option
from emsync_desktop.ml.training.imaging.refused import ExportRefused

DEFAULT_REFERENCES = 8


def add_export_parser(sub: Any, models_dir: Path) -> None:
    export = sub.add_parser("imaging-export", help="export an existing Keras image classifier for the app")
    export.add_argument("keras_file", type=Path, help="a .keras model: one image input (n, h, w, 1 or 3), one output")
    export.add_argument("--classes", required=True, help="class names in output order, comma-separated")
    export.add_argument("--positive", help="class the heat map shows (default: the last class)")
    export.add_argument("--folder", type=Path, help="a train/val/test folder: its test split is evaluated and "
                        "the metrics recorded (default preprocessing only)")
    export.add_argument("--name", required=True, help="model name (file name in the models folder)")
    export.add_argument("--version", help="model version (default: <name>-<date>-keras)")
    export.add_argument("--out", type=Path, default=models_dir, help="where the .onnx and manifest go")
    trained = export.add_argument_group("how the model was trained (the app feeds it the same way)")
    trained.add_argument("--resize", choices=RESIZE_METHODS, default="bilinear")
    trained.add_argument("--aspect", choices=ASPECTS, default="stretch")
    trained.add_argument("--range", choices=RANGES, default="0..1", help="pixel values; write --range=-1..1")
    trained.add_argument("--mean", help="per-channel mean subtracted after --range, comma-separated")
    trained.add_argument("--std", help="per-channel std divided by after --mean, comma-separated")
    trained.add_argument("--activation", choices=ACTIVATIONS, default="softmax",
                         help="what the output is: probabilities (softmax, sigmoid) or raw logits")
    trained.add_argument("--multi-label", action="store_true", help="labels do not exclude each other")
    trained.add_argument("--thresholds", help="multi-label: one threshold per class, comma-separated")
    trained.add_argument("--size", help="HEIGHTxWIDTH, only for a model whose input size is open")
    trained.add_argument("--reference-images", type=Path, help="a folder of PNG/JPEG images for the reference "
                         "outputs (default: synthetic images)")
    trained.add_argument("--references", type=int, default=DEFAULT_REFERENCES, help="how many reference images")
    signing_key_option(trained)


def run_export(args: argparse.Namespace) -> int:
    """Export a Keras file: the contract checked up front, then the same checks and manifest entry as after
    training, metrics only if measured. 0, or 2 with the reason on stderr."""
    try:
        entry, model, probe = _prepare(args)
        from emsync_desktop.ml.training.imaging.export import read_signing_key, write_model
        from emsync_desktop.ml.training.imaging.reference import folder_pngs, synthetic_pngs

        pngs = (folder_pngs(args.reference_images, args.references) if args.reference_images
                else synthetic_pngs(args.references))
        written = write_model(model, args.out, name=args.name, entry=entry, parity_images=probe, reference_pngs=pngs,
                              sign_key=read_signing_key(args.sign_key))
    except ExportRefused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if written["heat_map"] == "occlusion":
        print(f"note: {written['heat_map_note']}; the app will use a model-agnostic heat map (occlusion).")
    print(f"wrote {args.out / written['file']}: heat map {written['heat_map']}, parity with Keras on "
          f"{written['parity']['images']} reference images {written['parity']['max_abs_difference']:.1e}")
    return 0


def _prepare(args: argparse.Namespace) -> tuple[dict[str, Any], Any, Any]:
    """The entry, the model and the arrays for the raw parity check; ``ExportRefused`` for any fault."""
    model = _load(args.keras_file)
    classes = [c.strip() for c in args.classes.split(",")]
    height, width, channels = _input_shape(model, args.size)
    contract = contract_from_options(args, height, width, channels)
    entry: dict[str, Any] = {"name": args.name, "classes": classes, "contract": contract}
    try:
        parsed = parse_contract(entry)
    except ContractError as exc:
        raise ExportRefused(str(exc)) from exc
    faults = check_graph(parsed, {IMAGE_INPUT: (None, height, width, channels)},
                         {PROBABILITIES_OUTPUT: tuple(model.outputs[0].shape)})
    if faults:
        raise ExportRefused(f"{args.keras_file.name} does not fit the options: " + " ".join(faults))
    metrics, source, probe = _measure(args, model, parsed)
    today = datetime.now(UTC)
    entry |= {"version": args.version or f"{args.name}-{today:%Y.%m.%d}-keras", "created": f"{today:%Y-%m-%d}",
              "demonstration": False, "architecture": model.name, "positive_class": args.positive or classes[-1],
              "input": {"name": IMAGE_INPUT, "height": height, "width": width, "channels": channels}
              | ({"size": height} if height == width else {}),
              "preprocessing": {"summary": parsed.describe(), "dicom": PREPROCESSING["dicom"]},
              "training_data": source, "metrics": metrics}
    del entry["name"]
    return entry, model, probe


def _load(path: Path) -> Any:
    import keras

    try:
        model = keras.models.load_model(path)
    except Exception as exc:  # keras raises anything for a wrong file; the user gets one sentence
        raise ExportRefused(f"{path} cannot be read as a Keras model ({type(exc).__name__}: {str(exc)[:200]}): "
                            "give a .keras file saved with model.save().") from exc
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        raise ExportRefused(f"{path.name} has {len(model.inputs)} inputs and {len(model.outputs)} outputs: the app "
                            "needs one image input and one output of class scores.")
    return model


def _input_shape(model: Any, size: str | None) -> tuple[int, int, int]:
    shape = tuple(model.inputs[0].shape)
    if len(shape) != 4:
        raise ExportRefused(f"The model's input has shape {shape}: an image model takes (n, height, width, "
                            "channels).")
    channels = shape[3]
    if channels not in (1, 3):
        raise ExportRefused(f"The model's input has {channels} channels on its last axis (shape {shape}): the app "
                            "feeds 1 (grey) or 3 (grey as RGB), channels last, as Keras models take them.")
    height, width = shape[1], shape[2]
    if size:
        try:
            wanted_h, wanted_w = (int(side) for side in size.lower().split("x"))
        except ValueError:
            raise ExportRefused(f"--size {size!r} is not HEIGHTxWIDTH, e.g. 224x224.") from None
        if (height, width) not in ((None, None), (wanted_h, wanted_w)):
            raise ExportRefused(f"--size {size} does not match the model's input {height}x{width}: leave it out.")
        height, width = wanted_h, wanted_w
    if height is None or width is None:
        raise ExportRefused("The model's input size is open (any height and width): give the size it was trained "
                            "at with --size HEIGHTxWIDTH.")
    return int(height), int(width), int(channels)


def contract_from_options(args: argparse.Namespace, height: int, width: int, channels: int) -> dict[str, Any]:
    """The manifest's ``contract`` from the command's options (validated later by ``parse_contract``)."""
    preprocessing: dict[str, Any] = {"resize": args.resize, "aspect": args.aspect, "range": args.range,
                                     "colour": "grey" if channels == 1 else "grey-to-rgb"}
    if args.mean is not None:
        preprocessing["mean"] = _numbers(args.mean, "--mean")
    if args.std is not None:
        preprocessing["std"] = _numbers(args.std, "--std")
    thresholds = _numbers(args.thresholds, "--thresholds") if args.thresholds else None
    return {"input": {"name": IMAGE_INPUT, "channels": channels, "height": height, "width": width, "layout": "NHWC"},
            "preprocessing": preprocessing,
            "output": {"name": PROBABILITIES_OUTPUT, "activation": args.activation, "multi_label": args.multi_label,
                       "thresholds": thresholds}}


def _numbers(text: str, option: str) -> list[float]:
    try:
        return [float(part) for part in text.split(",")]
    except ValueError:
        raise ExportRefused(f"{option} {text!r} must be numbers separated by commas, e.g. 0.485,0.456,0.406.") from None


def _measure(args: argparse.Namespace, model: Any, contract: Any) -> tuple[dict[str, Any], dict[str, Any], Any]:
    """Held-out metrics if ``--folder`` gave a test split, the training-data note, and parity arrays."""
    import numpy as np

    from emsync_desktop.ml.training.imaging.data import DataError, load_folder
    from emsync_desktop.ml.training.imaging.export import contract_for
    from emsync_desktop.ml.training.imaging.train import evaluate

    source: dict[str, Any] = {"source": "keras-file",
                              "description": f"Exported from {args.keras_file.name}; trained elsewhere"}
    metrics: dict[str, Any] = {"test": None, "note": "not evaluated here: export with --folder to measure"}
    shape = (16, contract.height, contract.width, contract.channels)
    probe = np.random.default_rng(0).uniform(-1.0, 1.0, shape).astype(np.float32)
    if not args.folder:
        return metrics, source, probe
    if parse_contract({"classes": list(contract.labels), "contract": contract_for(contract.height)}) != contract:
        raise ExportRefused("--folder evaluates with the default preprocessing only (grey, square, bilinear, 0..1, "
                            "softmax): leave it out and evaluate the model where it was trained.")
    try:
        data = load_folder(args.folder, contract.height)
    except DataError as exc:
        raise ExportRefused(str(exc)) from exc
    metrics = {"test": evaluate(model, data.test, contract.labels)}
    return metrics, source | {"counts": data.counts()}, data.test.images[:64]
