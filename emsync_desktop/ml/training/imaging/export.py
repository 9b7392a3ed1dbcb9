"""Export a trained imaging network with tf2onnx: two outputs (probabilities, last feature maps), the
final dense weights beside it for the heat map, parity with Keras checked, and the manifest written.

The entry states its contract explicitly (``contract_for``: what these networks are trained with) and
``check_export`` holds the exported graph to it, and the heat-map weights to the feature maps, before
anything is written: the same checks as the app's import, so an export never fails there later."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from emsync_desktop.ml.contract import ContractError, check_graph, parse_contract
from emsync_desktop.ml.imaging import FEATURES_OUTPUT, IMAGE_INPUT, PROBABILITIES_OUTPUT
from emsync_desktop.ml.registry import MANIFEST_NAME
from emsync_desktop.ml.training.export import update_manifest
from emsync_desktop.ml.training.imaging.networks import CLASSIFIER_LAYER, FEATURES_LAYER

OPSET = 17
PARITY_TOLERANCE = 1e-4


class ExportRefused(ValueError):
    """Nothing was written; ``str()`` says what does not fit and what to fix."""


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


def to_onnx(model: Any) -> bytes:
    """The ONNX bytes of ``model`` with input ``image`` and outputs ``probabilities``, ``feature_maps``."""
    import keras
    import tensorflow as tf
    import tf2onnx

    size = int(model.input_shape[1])
    both = keras.Model(model.inputs, [model.output, model.get_layer(FEATURES_LAYER).output])
    spec = (tf.TensorSpec((None, size, size, 1), tf.float32, name=IMAGE_INPUT),)

    @tf.function(input_signature=spec)  # type: ignore[untyped-decorator]
    def serve(image: Any) -> dict[str, Any]:
        probabilities, features = both(image, training=False)
        return {PROBABILITIES_OUTPUT: probabilities, FEATURES_OUTPUT: features}

    proto, _ = tf2onnx.convert.from_function(serve, input_signature=spec, opset=OPSET)
    return bytes(proto.SerializeToString())


def dense_weights(model: Any) -> npt.NDArray[np.float32]:
    """The classifier's kernel (channels × classes): what turns feature maps into a class activation map."""
    kernel = model.get_layer(CLASSIFIER_LAYER).get_weights()[0]
    return np.asarray(kernel, dtype=np.float32)


def parity(model: Any, onnx_bytes: bytes, images: npt.NDArray[np.float32]) -> float:
    """Largest absolute difference in probabilities, Keras vs onnxruntime, on ``images``."""
    import onnxruntime as ort

    session = ort.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
    onnx_probabilities = session.run([PROBABILITIES_OUTPUT], {IMAGE_INPUT: images})[0]
    keras_probabilities = model.predict(images, verbose=0)
    return float(np.abs(onnx_probabilities - keras_probabilities).max())


def write_model(model: Any, out_dir: Path, *, name: str, entry: dict[str, Any], parity_images: npt.NDArray[np.float32]
                ) -> dict[str, Any]:
    """Write ``<name>.onnx`` and ``<name>.cam.npy`` and put the entry first in the manifest's imaging
    section (older entries with other names are kept). Refuses to write (``ExportRefused``) if the model
    does not fit its contract or parity fails."""
    onnx_bytes = to_onnx(model)
    weights = dense_weights(model)
    entry = {"contract": contract_for(int(model.input_shape[1])), **entry}
    check_export({"name": name, **entry}, onnx_bytes, weights)
    difference = parity(model, onnx_bytes, parity_images)
    if difference > PARITY_TOLERANCE:
        raise ExportRefused(f"ONNX and Keras disagree by {difference:.2e} (> {PARITY_TOLERANCE}); not exported.")
    buffer = io.BytesIO()
    np.save(buffer, weights)
    weights_bytes = buffer.getvalue()
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"{name}.onnx").write_bytes(onnx_bytes)
    (out_dir / f"{name}.cam.npy").write_bytes(weights_bytes)
    model.save(out_dir / f"{name}.keras")  # the source of the export: benchmarks, re-export, retraining
    entry = {"name": name, "file": f"{name}.onnx", "sha256": hashlib.sha256(onnx_bytes).hexdigest(), **entry,
             "cam_weights": {"file": f"{name}.cam.npy", "sha256": hashlib.sha256(weights_bytes).hexdigest(),
                             "layer": CLASSIFIER_LAYER, "shape": list(weights.shape)},
             "keras_file": f"{name}.keras",
             "outputs": {PROBABILITIES_OUTPUT: "class probabilities (n, classes)",
                         FEATURES_OUTPUT: f"output of {FEATURES_LAYER} (n, h, w, channels)"},
             "parity": {"max_abs_difference": difference, "images": len(parity_images)}}
    section = _imaging_section(out_dir)
    section["models"] = [entry] + [m for m in section.get("models", []) if m.get("name") != name]
    update_manifest(out_dir / MANIFEST_NAME, "imaging", section)
    return entry


def _imaging_section(out_dir: Path) -> dict[str, Any]:
    import json

    path = out_dir / MANIFEST_NAME
    manifest = json.loads(path.read_text()) if path.exists() else {}
    section = manifest.get("imaging")
    return dict(section) if isinstance(section, dict) else {}
