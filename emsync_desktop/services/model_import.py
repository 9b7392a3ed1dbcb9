"""An admin imports an imaging model: a folder holding ``manifest.json`` (with an ``imaging`` section,
as the training command writes it, or written by hand for an ONNX model exported elsewhere) and the
files it names: the ``.onnx`` file and, for class activation maps, the ``.cam.npy`` heat-map weights.

Checked before anything is copied: the entry's required keys, its signature and that this PC trusts
its key (``ml/signing.py``, ``model_trust``), its contract (``ml/contract.py``), every file's sha256
against the manifest, the model loads in onnxruntime, its graph's input and output shapes fit the
contract (channels, size, layout, number of labels), a blank image of its input size gives one
probability per label (and feature maps the heat-map weights fit, if it has them), and, if the maker
sent reference outputs (``reference``: sample images and what their framework answered with the
declared preprocessing), the app gives the same answers within ``PARITY_TOLERANCE``. Then the files go
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
from emsync_desktop.ml.image_io import load_image
from emsync_desktop.ml.imaging import ImagingModel
from emsync_desktop.ml.registry import (
    MANIFEST_NAME,
    ModelUnavailable,
    default_models_dir,
    load_manifest,
    verified_model_bytes,
)
from emsync_desktop.ml.signing import UntrustedModel, check_signature, files_named, fingerprint, project_keys
from emsync_desktop.services.exports import write_atomically
from emsync_desktop.services.model_trust import admin_trusted_keys, trusted_keys

IMPORTED_MODELS_DIR = "models"


class ModelImportRefused(ValueError):
    """The model was not imported; ``str()`` says why. Nothing was copied. ``untrusted_key``: the model
    is validly signed by this key, which this PC does not trust (an admin may choose to)."""

    def __init__(self, message: str, untrusted_key: bytes | None = None) -> None:
        super().__init__(message)
        self.untrusted_key = untrusted_key


PARITY_TOLERANCE = 1e-3
NO_MANIFEST = ("This folder has no manifest.json: choose the folder the export wrote (it holds manifest.json and "
               "the .onnx file).")
NOT_EVALUATED = "not evaluated on held-out data"
NOT_EVALUATED_NOTE = "It was not evaluated on held-out data: how often it is right is not known."
NO_PARITY_NOTE = ("Its answers were not checked against its maker's reference outputs: this PC may feed it images "
                  "differently from how it was trained.")


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
    if not (source / MANIFEST_NAME).is_file():
        raise ModelImportRefused(NO_MANIFEST)
    try:
        section = load_manifest(source).get("imaging")
    except ModelUnavailable as exc:
        raise ModelImportRefused(str(exc)) from exc
    if not isinstance(section, dict) or not section.get("models"):
        raise ModelImportRefused(f"{source / MANIFEST_NAME} has no imaging model in it.")
    entry = dict(section["models"][0])
    try:
        files = _files(entry, source)
        # checks the signature and its key, the contract, the files' sha256, the graph's shapes
        model = ImagingModel(source, entry, trusted_keys(data_dir))
        _dry_run(model)
        parity = check_reference(model, source)
    except ModelImportRefused:
        raise
    except UntrustedModel as exc:
        raise ModelImportRefused(str(exc), exc.public_key) from exc
    except ModelUnavailable as exc:  # already a sentence naming the model and what to fix
        raise ModelImportRefused(str(exc)) from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelImportRefused(f"Model {entry.get('name', '?')} refused: {exc}") from exc
    target = data_dir / IMPORTED_MODELS_DIR
    for name in files:
        write_atomically(target / name, (source / name).read_bytes())
    _add_to_manifest(target, entry, parity)
    return entry


def import_again_aware(source: Path, data_dir: Path) -> tuple[dict[str, Any], bool]:
    """``import_imaging_model``, and whether this name and version was already installed (it is checked
    and copied again all the same)."""
    before = installed_versions(data_dir)
    entry = import_imaging_model(source, data_dir)
    return entry, (str(entry["name"]), str(entry["version"])) in before


def installed_versions(data_dir: Path) -> set[tuple[str, str]]:
    """(name, version) of every imaging model imported into ``data_dir``."""
    try:
        models = load_manifest(data_dir / IMPORTED_MODELS_DIR).get("imaging", {}).get("models", [])
    except ModelUnavailable:
        return set()
    return {(str(m.get("name")), str(m.get("version"))) for m in models if isinstance(m, dict)}


def check_reference(model: ImagingModel, folder: Path) -> dict[str, Any] | None:
    """The app's answers on the maker's reference images against the maker's own (source framework,
    declared preprocessing): ``{max_abs_difference, images, against}``, or None if the entry has no
    reference outputs. Raises ``ModelImportRefused`` when they differ by more than ``PARITY_TOLERANCE``."""
    named = model.entry.get("reference")
    if not isinstance(named, dict):
        return None
    reference = json.loads(verified_model_bytes(folder, named))
    worst, worst_file = 0.0, ""
    for sample in reference["samples"]:
        verified_model_bytes(folder, sample)
        result = model.analyse(load_image(folder / sample["file"]), heat_map_budget_s=0.0)
        got = [result.probabilities[label] for label in model.classes]
        difference = max(abs(a - float(b)) for a, b in zip(got, sample["probabilities"], strict=True))
        if difference >= worst:
            worst, worst_file = difference, str(sample["file"])
    if worst > PARITY_TOLERANCE:
        raise ModelImportRefused(
            f"Model {model.name}: on {worst_file} the app's answer differs from its maker's reference output by "
            f"{worst:.3f} (more than {PARITY_TOLERANCE}). The preprocessing declared in its contract is probably "
            "not the one the model was trained with (resize method, aspect, value range, mean/std): ask its "
            "maker which they used and correct the contract.")
    return {"max_abs_difference": worst, "images": len(reference["samples"]),
            "against": str(reference.get("framework", "the maker's reference outputs"))}


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


def _files(entry: dict[str, Any], source: Path) -> list[str]:
    """Every file the entry names (reference images included), checked to lie in ``source``."""
    for key in REQUIRED_KEYS:
        if key not in entry:
            raise ModelImportRefused(f"The manifest's imaging entry needs {key!r}: add it (required are "
                                     f"{', '.join(REQUIRED_KEYS)}).")
    names = [str(f["file"]) for f in files_named(entry)]
    if isinstance(entry.get("reference"), dict):
        reference = json.loads(verified_model_bytes(source, entry["reference"]))
        names += [str(s["file"]) for s in reference["samples"]]
    if any(Path(n).name != n for n in names):
        raise ModelImportRefused("The manifest names files outside its folder; refused.")
    return names


def _add_to_manifest(target: Path, entry: dict[str, Any], parity: dict[str, Any] | None) -> None:
    """The entry exactly as signed; what this PC measured goes beside it (``checks``), never into it."""
    path = target / MANIFEST_NAME
    manifest: dict[str, Any] = json.loads(path.read_text("utf-8")) if path.exists() else {"schema": 1}
    earlier = manifest.get("imaging", {}).get("models", [])
    models = [entry] + [m for m in earlier if m.get("name") != entry["name"]]
    checks = {k: v for k, v in manifest.get("imaging", {}).get("checks", {}).items() if k != entry["name"]}
    if parity is not None:
        checks[entry["name"]] = {"parity": parity}
    manifest["imaging"] = {"models": models, "checks": checks}
    write_atomically(path, (json.dumps(manifest, indent=1) + "\n").encode("utf-8"))


def recorded_parity(section: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any] | None:
    """The parity this PC measured at import (``checks``), else the one its maker recorded in the entry."""
    measured = section.get("checks", {}).get(entry.get("name"), {}).get("parity")
    return measured or entry.get("parity") or None


def model_evidence(entry: dict[str, Any], parity: dict[str, Any] | None) -> str:
    """For the nurse, '' when the model was evaluated on held-out data and its answers checked against
    its maker's: else what is missing, in one sentence."""
    missing = [note for note, absent in ((NOT_EVALUATED_NOTE, not entry.get("metrics", {}).get("test")),
                                         (NO_PARITY_NOTE, not parity)) if absent]
    return " ".join(missing)


def active_model_evidence(models_dir: Path) -> str:
    """``model_evidence`` of the first imaging model in ``models_dir`` ('' if there is none). Any thread."""
    section = load_manifest(models_dir).get("imaging", {})
    if not isinstance(section, dict) or not section.get("models"):
        return ""
    entry = section["models"][0]
    return model_evidence(entry, recorded_parity(section, entry))


def signer_text(data_dir: Path, entry: dict[str, Any]) -> str:
    """Who signed the entry, as the admin named them when trusting the key; or why it is refused."""
    try:
        key = check_signature(entry, trusted_keys(data_dir))
    except UntrustedModel as exc:
        return f"REFUSED: {exc}"
    if key in project_keys():
        return "Signed by the EMsync project key."
    row = next((r for r in admin_trusted_keys(data_dir) if r.get("fingerprint") == fingerprint(key)), {})
    when = str(row.get("at", ""))[:10]
    return (f"Signed by {row.get('name', 'an unnamed maker')} (key {fingerprint(key)}), trusted by "
            f"{row.get('trusted_by', '?')} on {when or '?'}.")


def _parity_text(parity: dict[str, Any] | None) -> str:
    if not parity:
        return "No parity check against its maker's reference outputs is recorded."
    against = parity.get("against", "its source framework")
    return (f"Parity with {against}: largest difference {parity['max_abs_difference']:.1e} on "
            f"{parity['images']} images.")


def heat_map_text(entry: dict[str, Any]) -> str:
    """Which heat map nurses get with this model."""
    from emsync_desktop.ml.occlusion import DEFAULT_BUDGET_S

    if "cam_weights" in entry:
        return "Heat map for nurses: class activation map (from the model's own feature maps)."
    return f"Heat map for nurses: occlusion map, made within {DEFAULT_BUDGET_S:.1f} s."


def version_text(entry: dict[str, Any]) -> str:
    """'cxr_demo, version 2026.11.23-synthetic': the name once, even when the version repeats it."""
    name, version = str(entry["name"]), str(entry["version"])
    return f"{name}, version {version.removeprefix(name + '-') or version}"


def active_imaging_model(data_dir: Path) -> str:
    """For people: which imaging model the app uses, where from, what it was trained on and tested on,
    how it is fed (its contract), its heat map, who signed it and its parity, one fact a line."""
    folder = imaging_models_dir(data_dir)
    section = load_manifest(folder).get("imaging", {})
    if not section.get("models"):
        return "No imaging model installed: import one below."
    entry = section["models"][0]
    test = entry.get("metrics", {}).get("test") or {}
    where = "imported on this PC" if folder != default_models_dir() else "shipped with EMsync"
    data = ("DEMONSTRATION, synthetic images" if entry.get("demonstration")
            else entry.get("training_data", {}).get("source", "not described"))
    tested = (f"held-out AUROC {test.get('auroc', '?')}, accuracy {test.get('accuracy', '?')}, n = {test.get('n', '?')}"
              if test else NOT_EVALUATED)
    try:
        fed = f"Input and output: {parse_contract(entry).describe()}."
    except ContractError as exc:
        fed = f"Its contract cannot be used: {exc}"
    lines = [f"{version_text(entry)} — {where}", f"Training data: {data}. Tested: {tested}.", fed,
             heat_map_text(entry), signer_text(data_dir, entry), _parity_text(recorded_parity(section, entry))]
    return "\n".join(lines)
