"""Export a trained imaging network with tf2onnx: two outputs (probabilities, last feature maps), the
final dense weights beside it for the heat map, parity with Keras checked, and the manifest written."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from emsync_desktop.ml.imaging import FEATURES_OUTPUT, IMAGE_INPUT, PROBABILITIES_OUTPUT
from emsync_desktop.ml.registry import MANIFEST_NAME
from emsync_desktop.ml.training.export import update_manifest
from emsync_desktop.ml.training.imaging.networks import CLASSIFIER_LAYER, FEATURES_LAYER

OPSET = 17
PARITY_TOLERANCE = 1e-4


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
    section (older entries with other names are kept). Refuses to write if parity fails."""
    onnx_bytes = to_onnx(model)
    difference = parity(model, onnx_bytes, parity_images)
    if difference > PARITY_TOLERANCE:
        raise RuntimeError(f"ONNX and Keras disagree by {difference:.2e} (> {PARITY_TOLERANCE}); not exported.")
    buffer = io.BytesIO()
    np.save(buffer, dense_weights(model))
    weights_bytes = buffer.getvalue()
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"{name}.onnx").write_bytes(onnx_bytes)
    (out_dir / f"{name}.cam.npy").write_bytes(weights_bytes)
    model.save(out_dir / f"{name}.keras")  # the source of the export: benchmarks, re-export, retraining
    entry = {"name": name, "file": f"{name}.onnx", "sha256": hashlib.sha256(onnx_bytes).hexdigest(), **entry,
             "cam_weights": {"file": f"{name}.cam.npy", "sha256": hashlib.sha256(weights_bytes).hexdigest(),
                             "layer": CLASSIFIER_LAYER, "shape": list(dense_weights(model).shape)},
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
