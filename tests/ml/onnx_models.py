"""Small ONNX image classifiers built in the test (onnx.helper), with a numpy reference of the same
graph: conv 3×3 (valid) → ReLU → global average pool → matmul + bias → logits."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float32]


def classifier_weights(channels: int = 3, filters: int = 4, labels: int = 2, seed: int = 21) -> dict[str, Floats]:
    rng = np.random.default_rng(seed)
    return {"kernel": rng.normal(0, 0.5, (filters, channels, 3, 3)).astype(np.float32),
            "kernel_bias": rng.normal(0, 0.1, filters).astype(np.float32),
            "dense": rng.normal(0, 1.0, (filters, labels)).astype(np.float32),
            "dense_bias": rng.normal(0, 0.1, labels).astype(np.float32)}


def classifier_onnx(weights: dict[str, Floats], height: int = 150, width: int = 150,
                    feature_maps: bool = False) -> bytes:
    """NCHW input ``image`` (n, channels, height, width), output ``logits`` (n, labels) and, if asked,
    ``feature_maps`` (n, h, w, filters): the ReLU output channels-last, as the app's heat map reads it."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    channels, labels = weights["kernel"].shape[1], weights["dense"].shape[1]
    nodes = [helper.make_node("Conv", ["image", "kernel", "kernel_bias"], ["conv"], kernel_shape=[3, 3]),
             helper.make_node("Relu", ["conv"], ["relu"]),
             helper.make_node("GlobalAveragePool", ["relu"], ["pooled"]),
             helper.make_node("Flatten", ["pooled"], ["flat"]),
             helper.make_node("MatMul", ["flat", "dense"], ["product"]),
             helper.make_node("Add", ["product", "dense_bias"], ["logits"])]
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["n", labels])]
    if feature_maps:
        nodes.append(helper.make_node("Transpose", ["relu"], ["feature_maps"], perm=[0, 2, 3, 1]))
        filters = weights["kernel"].shape[0]
        outputs.append(helper.make_tensor_value_info("feature_maps", TensorProto.FLOAT,
                                                     ["n", height - 2, width - 2, filters]))
    graph = helper.make_graph(
        nodes, "tiny_cxr",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["n", channels, height, width])],
        outputs,
        [numpy_helper.from_array(v, k) for k, v in weights.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return bytes(model.SerializeToString())


def reference_logits(batch_nchw: Floats, weights: dict[str, Floats]) -> Floats:
    """The same graph in numpy, float64."""
    windows = np.lib.stride_tricks.sliding_window_view(batch_nchw.astype(np.float64), (3, 3), axis=(2, 3))
    conv = np.einsum("nchwij,fcij->nfhw", windows, weights["kernel"].astype(np.float64))
    conv += weights["kernel_bias"][None, :, None, None]
    pooled = np.maximum(conv, 0).mean(axis=(2, 3))
    return (pooled @ weights["dense"] + weights["dense_bias"]).astype(np.float64)


def write_model_folder(folder: Path, onnx_bytes: bytes, *, classes: list[str], contract: dict[str, Any],
                       name: str = "tiny_cxr", signed: bool = True) -> Path:
    """A folder as an admin brings it: ``<name>.onnx`` and a manifest with one imaging entry, signed
    with the test session's key unless ``signed`` is false."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.onnx").write_bytes(onnx_bytes)
    entry = {"name": name, "version": f"{name}-1", "file": f"{name}.onnx",
             "sha256": hashlib.sha256(onnx_bytes).hexdigest(), "classes": classes, "contract": contract,
             "training_data": {"source": "test", "description": "random weights"}}
    (folder / "manifest.json").write_text(json.dumps({"schema": 1, "imaging": {"models": [entry]}}))
    if signed:
        from tests.ml.signing_keys import sign_with_test_key

        sign_with_test_key(folder)
    return folder


def reference_batch(pixels: np.ndarray, height: int, width: int) -> np.ndarray:
    """Nearest resize (pixel centres), [-1, 1], grey replicated to 3 channels, NCHW: in numpy, float64."""
    rows = np.floor((np.arange(height) + 0.5) * pixels.shape[0] / height).astype(int)
    cols = np.floor((np.arange(width) + 0.5) * pixels.shape[1] / width).astype(int)
    scaled = pixels[np.ix_(rows, cols)].astype(np.float64) * 2.0 - 1.0
    return np.repeat(scaled[None, None], 3, axis=1)
