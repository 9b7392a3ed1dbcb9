"""An admin imports an imaging model: a folder holding ``manifest.json`` (with an ``imaging`` section,
as the training command writes it, or written by hand for an ONNX model exported elsewhere) and the
files it names: the ``.onnx`` file and, for class activation maps, the ``.cam.npy`` heat-map weights.

Checked before anything is copied: the entry's required keys, its contract (``ml/contract.py``), every
file's sha256 against the manifest, the model loads in onnxruntime, its graph's input and output shapes
fit the contract (channels, size, layout, number of labels), and a blank image of its input size gives
one probability per label (and feature maps the heat-map weights fit, if it has them). Then the files go
into ``<data dir>/models`` (atomic writes) and that folder's manifest gains the entry, first; the app
uses imported models before the shipped one.

Threading: a background worker (file I/O and onnxruntime). Raises ``ModelImportRefused`` with a reason.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from emsync_desktop.ml.contract import ContractError, parse_contract
from emsync_desktop.ml.imaging import ImagingModel
from emsync_desktop.ml.registry import MANIFEST_NAME, ModelUnavailable, default_models_dir, load_manifest
from emsync_desktop.services.exports import write_atomically

IMPORTED_MODELS_DIR = "models"


class ModelImportRefused(ValueError):
    """The model was not imported; ``str()`` says why. Nothing was copied."""


def imaging_models_dir(data_dir: Path) -> Path:
    """Where the app takes its imaging model from: imported models first, else the shipped ones."""
    imported = data_dir / IMPORTED_MODELS_DIR
    try:
        if load_manifest(imported).get("imaging", {}).get("models"):
            return imported
    except ModelUnavailable:
        pass
    return default_models_dir()


def import_imaging_model(source: Path, data_dir: Path) -> dict[str, Any]:
    """Import the first imaging model of ``source``'s manifest; returns its manifest entry."""
    try:
        section = load_manifest(source).get("imaging")
    except ModelUnavailable as exc:
        raise ModelImportRefused(str(exc)) from exc
    if not isinstance(section, dict) or not section.get("models"):
        raise ModelImportRefused(f"{source / MANIFEST_NAME} has no imaging model in it.")
    entry = dict(section["models"][0])
    try:
        files = _files(entry)
        model = ImagingModel(source, entry)  # checks the contract, the files' sha256, the graph's shapes
        _dry_run(model)
    except ModelImportRefused:
        raise
    except ModelUnavailable as exc:  # already a sentence naming the model and what to fix
        raise ModelImportRefused(str(exc)) from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelImportRefused(f"Model {entry.get('name', '?')} refused: {exc}") from exc
    target = data_dir / IMPORTED_MODELS_DIR
    for name in files:
        write_atomically(target / name, (source / name).read_bytes())
    _add_to_manifest(target, entry)
    return entry


def _dry_run(model: ImagingModel) -> None:
    from emsync_desktop.ml.image_io import LoadedImage

    size = (model.contract.height, model.contract.width)
    blank = LoadedImage(np.full(size, 0.5, dtype=np.float32), "0" * 64, "PNG", "blank")
    result = model.analyse(blank)
    if len(result.probabilities) != len(model.classes) or result.heat_map.ndim != 2:
        raise ModelUnavailable("its outputs do not match its manifest (classes, feature maps)")
    _check_probabilities(model, list(result.probabilities.values()))


def _check_probabilities(model: ImagingModel, values: list[float]) -> None:
    """A model declared to give probabilities that gives logits would show nonsense: refuse it."""
    activation = model.contract.activation
    if any(not -1e-4 <= v <= 1 + 1e-4 for v in values):
        raise ModelUnavailable(f"Model {model.name}: its output gives values outside 0..1 (e.g. "
                               f"{next(v for v in values if not 0 <= v <= 1):.3g}) but the manifest declares "
                               f"{activation!r}: if the model ends without an activation, declare "
                               f"'logits-{'sigmoid' if activation == 'sigmoid' else 'softmax'}'.")
    if activation == "softmax" and abs(sum(values) - 1.0) > 1e-3:
        raise ModelUnavailable(f"Model {model.name}: its outputs add up to {sum(values):.3g}, not 1, but the manifest "
                               "declares 'softmax': declare 'sigmoid' (multi-label) or 'logits-softmax'.")


REQUIRED_KEYS = ("name", "version", "file", "sha256", "classes")


def _files(entry: dict[str, Any]) -> list[str]:
    for key in REQUIRED_KEYS:
        if key not in entry:
            raise ModelImportRefused(f"The manifest's imaging entry needs {key!r}: add it (required are "
                                     f"{', '.join(REQUIRED_KEYS)}).")
    names = [str(entry["file"])] + ([str(entry["cam_weights"]["file"])] if "cam_weights" in entry else [])
    if any(Path(n).name != n for n in names):
        raise ModelImportRefused("The manifest names files outside its folder; refused.")
    return names


def _add_to_manifest(target: Path, entry: dict[str, Any]) -> None:
    path = target / MANIFEST_NAME
    manifest: dict[str, Any] = json.loads(path.read_text("utf-8")) if path.exists() else {"schema": 1}
    earlier = manifest.get("imaging", {}).get("models", [])
    models = [entry] + [m for m in earlier if m.get("name") != entry["name"]]
    manifest["imaging"] = {"models": models}
    write_atomically(path, (json.dumps(manifest, indent=1) + "\n").encode("utf-8"))



def active_imaging_model(data_dir: Path) -> str:
    """For people: which imaging model the app uses, where from, what it was trained on, and how it is fed
    (its contract)."""
    folder = imaging_models_dir(data_dir)
    section = load_manifest(folder).get("imaging", {})
    if not section.get("models"):
        return "No imaging model installed: import one below."
    entry = section["models"][0]
    test = entry.get("metrics", {}).get("test") or {}
    where = "imported" if folder != default_models_dir() else "shipped"
    kind = ("DEMONSTRATION (synthetic images)" if entry.get("demonstration")
            else entry.get("training_data", {}).get("source", "training data not described"))
    try:
        fed = f"\nInput and output: {parse_contract(entry).describe()}."
    except ContractError as exc:
        fed = f"\nIts contract cannot be used: {exc}"
    if not test:
        return f"{entry['name']} {entry['version']} ({where}; {kind}); not evaluated on held-out data{fed}"
    return (f"{entry['name']} {entry['version']} ({where}; {kind}); held-out AUROC {test.get('auroc', '?')}, "
            f"accuracy {test.get('accuracy', '?')}, n = {test.get('n', '?')}{fed}")
