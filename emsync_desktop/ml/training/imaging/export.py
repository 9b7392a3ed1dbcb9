"""Export any Keras image classifier with tf2onnx: input ``image``, output ``probabilities`` and, when the
model ends in global average pooling → one dense layer (``structure.find_cam_parts``), ``feature_maps``
with that layer's kernel beside it for the heat map (a class activation map); otherwise the app uses a
model-agnostic heat map (occlusion) and the entry says so. Parity with Keras is checked on raw arrays, then
on reference image files through the app's own path (``reference.py``), and the manifest written.

The entry states its contract explicitly (``contract_for``: what this pipeline's networks are trained with,
or what ``imaging-export`` was told) and ``check_export`` holds the exported graph to it, and the heat-map
weights to the feature maps, before anything is written: the same checks as the app's import, so an export
never fails there later."""

from __future__ import annotations

import hashlib
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from emsync_desktop.ml.contract import ContractError, check_graph, parse_contract
from emsync_desktop.ml.imaging import FEATURES_OUTPUT, IMAGE_INPUT, PROBABILITIES_OUTPUT
from emsync_desktop.ml.registry import MANIFEST_NAME
from emsync_desktop.ml.signing import sign_entry
from emsync_desktop.ml.training.export import update_manifest
from emsync_desktop.ml.training.imaging.reference import write_reference
from emsync_desktop.ml.training.imaging.refused import ExportRefused
from emsync_desktop.ml.training.imaging.structure import CamParts, find_cam_parts

__all__ = ["ExportRefused", "check_export", "contract_for", "to_onnx", "write_model"]

OPSET = 17
PARITY_TOLERANCE = 1e-4


def contract_for(size: int) -> dict[str, Any]:
    """The contract of this pipeline's networks: grey, size × size, NHWC, bilinear, stretched, 0..1, softmax."""
    return {"input": {"name": IMAGE_INPUT, "channels": 1, "height": size, "width": size, "layout": "NHWC"},
            "preprocessing": {"resize": "bilinear", "aspect": "stretch", "range": "0..1", "colour": "grey"},
            "output": {"name": PROBABILITIES_OUTPUT, "activation": "softmax", "multi_label": False,
                       "thresholds": None}}


def check_export(entry: dict[str, Any], onnx_bytes: bytes, cam_weights: npt.NDArray[np.float32] | None) -> None:
    """Raises ``ExportRefused`` unless the contract is valid, the graph's shapes fit it and the heat-map
    weights (channels × labels) fit the feature maps."""
    import onnxruntime as ort

    try:
        contract = parse_contract(entry)
    except ContractError as exc:
        raise ExportRefused(str(exc)) from exc
    session = ort.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
    outputs = {o.name: o.shape for o in session.get_outputs()}
    faults = check_graph(contract, {i.name: i.shape for i in session.get_inputs()}, outputs)
    if cam_weights is not None:
        features = outputs.get(FEATURES_OUTPUT)
        if features is None or len(features) != 4:
            faults.append(f"The model has no {FEATURES_OUTPUT!r} output (n, h, w, channels) for its heat-map "
                          "weights: export the last convolution's output.")
        elif isinstance(features[3], int) and features[3] != cam_weights.shape[0]:
            faults.append(f"The feature maps have {features[3]} channels but the classifier's weights take "
                          f"{cam_weights.shape[0]}: the classifier must be the only layer after global pooling of "
                          "the feature maps (no dense layer in between).")
        if cam_weights.shape[1] != len(contract.labels):
            faults.append(f"The classifier's weights give {cam_weights.shape[1]} classes but the manifest lists "
                          f"{len(contract.labels)}: list one class per output.")
    if faults:
        raise ExportRefused(f"Model {entry.get('name', '?')} not exported: " + " ".join(faults))


def to_onnx(model: Any, features: Any = None, shape: tuple[int, int, int] | None = None) -> bytes:
    """The ONNX bytes of ``model`` with input ``image`` (n, h, w, channels) and output ``probabilities``
    (plus ``feature_maps`` when ``features``, a symbolic tensor of the model, is given). ``shape`` (h, w, c)
    fixes a model whose input size is open; by default the model's own."""
    import keras
    import tensorflow as tf
    import tf2onnx

    height, width, channels = shape or tuple(int(side) for side in model.inputs[0].shape[1:])
    both = keras.Model(model.inputs, [model.outputs[0]] + ([features] if features is not None else []))
    spec = (tf.TensorSpec((None, height, width, channels), tf.float32, name=IMAGE_INPUT),)

    @tf.function(input_signature=spec)  # type: ignore[untyped-decorator]
    def serve(image: Any) -> dict[str, Any]:
        values = both(image, training=False)
        values = values if isinstance(values, list | tuple) else [values]
        return dict(zip((PROBABILITIES_OUTPUT, FEATURES_OUTPUT), values, strict=False))

    proto, _ = tf2onnx.convert.from_function(serve, input_signature=spec, opset=OPSET)
    return bytes(proto.SerializeToString())


def raw_parity(model: Any, onnx_bytes: bytes, images: npt.NDArray[np.float32]) -> float:
    """Largest absolute difference in the raw outputs, Keras vs onnxruntime, on ``images`` (n, h, w, c)."""
    import onnxruntime as ort

    session = ort.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
    onnx_outputs = session.run([PROBABILITIES_OUTPUT], {IMAGE_INPUT: images})[0]
    keras_outputs = model.predict(images, verbose=0)
    return float(np.abs(onnx_outputs - keras_outputs).max())


def write_model(model: Any, out_dir: Path, *, name: str, entry: dict[str, Any],
                parity_images: npt.NDArray[np.float32], reference_pngs: list[bytes] | None = None,
                sign_key: bytes | None = None) -> dict[str, Any]:
    """Write ``<name>.onnx`` (and ``<name>.cam.npy`` when the model has a class activation map), the
    reference files and ``<name>.keras``, and put the entry first in the manifest's imaging section (older
    entries with other names are kept). ``entry["contract"]`` defaults to ``contract_for`` the model's size.
    Refuses to write anything (``ExportRefused``) if the model does not fit its contract or parity fails.
    ``sign_key`` (a PEM private key) signs the entry; without it the entry is unsigned and the app refuses it
    until it is signed (``python -m emsync_desktop.ml.sign``)."""
    from emsync_desktop.ml.training.imaging.reference import synthetic_pngs

    entry = {"contract": contract_for(int(model.inputs[0].shape[1])), **entry}
    try:
        contract = parse_contract({"name": name, **entry})
    except ContractError as exc:
        raise ExportRefused(str(exc)) from exc
    parts, why = find_cam_parts(model)
    onnx_bytes = _convert(model, parts, (contract.height, contract.width, contract.channels))
    weights = parts.kernel if parts is not None else None
    check_export({"name": name, **entry}, onnx_bytes, weights)
    difference = raw_parity(model, onnx_bytes, parity_images)
    if difference > PARITY_TOLERANCE:
        raise ExportRefused(f"ONNX and Keras disagree by {difference:.2e} (> {PARITY_TOLERANCE}) on the same arrays; "
                            "not exported: tf2onnx converted an operation differently, report the model's layers.")
    entry = {"name": name, "file": f"{name}.onnx", "sha256": hashlib.sha256(onnx_bytes).hexdigest(), **entry,
             **_heat_map_keys(name, parts, why), "keras_file": f"{name}.keras",
             "graph_parity": {"max_abs_difference": difference, "images": len(parity_images),
                              "against": "keras outputs on the same input arrays"}}
    with tempfile.TemporaryDirectory(dir=out_dir if out_dir.is_dir() else None) as staging:
        stage = Path(staging)
        (stage / entry["file"]).write_bytes(onnx_bytes)
        if weights is not None:
            (stage / entry["cam_weights"]["file"]).write_bytes(_npy(weights))
        entry = write_reference(model, stage, name, entry, reference_pngs or synthetic_pngs(8))
        out_dir.mkdir(parents=True, exist_ok=True)
        for stale in [out_dir / f"{name}.cam.npy", *out_dir.glob(f"{name}.ref-*.png")]:
            stale.unlink(missing_ok=True)  # a former export's: this one may have fewer, or no heat-map weights
        for path in stage.iterdir():
            shutil.copyfile(path, out_dir / path.name)
    model.save(out_dir / f"{name}.keras")  # the source of the export: benchmarks, re-export, retraining
    if sign_key is not None:
        entry = sign_entry(entry, sign_key)
    section = _imaging_section(out_dir)
    section["models"] = [entry] + [m for m in section.get("models", []) if m.get("name") != name]
    update_manifest(out_dir / MANIFEST_NAME, "imaging", section)
    return entry


def read_signing_key(path: Path | None) -> bytes | None:
    """The key's bytes, or None (printing how to sign later). ``ExportRefused`` if it cannot be read."""
    if path is None:
        print("note: the model is not signed and the app will refuse it until it is: "
              "python -m emsync_desktop.ml.sign sign --key KEY.pem --models FOLDER", file=sys.stderr)
        return None
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ExportRefused(f"The signing key {path} cannot be read ({exc.strerror}): give the path of a PEM "
                            "private key (python -m emsync_desktop.ml.sign keygen makes one).") from exc


def _convert(model: Any, parts: CamParts | None, shape: tuple[int, int, int]) -> bytes:
    try:
        return to_onnx(model, parts.features if parts is not None else None, shape)
    except Exception as exc:  # tf2onnx and TensorFlow raise anything: the user gets one sentence
        raise ExportRefused(f"tf2onnx could not convert the model ({type(exc).__name__}: {str(exc)[:300]}): an "
                            "operation of the model may have no ONNX equivalent at opset "
                            f"{OPSET}.") from exc


def _heat_map_keys(name: str, parts: CamParts | None, why: str) -> dict[str, Any]:
    if parts is None:
        return {"heat_map": "occlusion", "heat_map_note": f"no class activation map: {why}",
                "outputs": {PROBABILITIES_OUTPUT: "model output (n, classes)"}}
    return {"heat_map": "class-activation-map",
            "cam_weights": {"file": f"{name}.cam.npy", "sha256": hashlib.sha256(_npy(parts.kernel)).hexdigest(),
                            "layer": parts.dense_layer, "shape": list(parts.kernel.shape)},
            "outputs": {PROBABILITIES_OUTPUT: "model output (n, classes)",
                        FEATURES_OUTPUT: f"output of {parts.features_layer} (n, h, w, channels)"}}


def _npy(weights: npt.NDArray[np.float32]) -> bytes:
    import io

    buffer = io.BytesIO()
    np.save(buffer, weights)
    return buffer.getvalue()


def _imaging_section(out_dir: Path) -> dict[str, Any]:
    import json

    path = out_dir / MANIFEST_NAME
    manifest = json.loads(path.read_text()) if path.exists() else {}
    section = manifest.get("imaging")
    return dict(section) if isinstance(section, dict) else {}
