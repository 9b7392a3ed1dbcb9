"""A CheXNet-sized model through the app's whole imaging path (issue 21): DenseNet-121, 224 × 224 × 3,
14 sigmoid outputs, random weights (timing only; its outputs mean nothing), exported with tf2onnx.

``ImagingAnalyser.analyse_file`` on the real chest CR (decode the DICOM, preprocess, infer, heat map),
two ways: (a) probabilities only, so the app makes the model-agnostic occlusion map within its default
budget; (b) with the last feature maps and the classifier's kernel, so it makes a class activation map.
Targets (issue 21): inference p95 < 250 ms; the whole path with the occlusion map p95 < 1 s, on 2 cores,
against the source documents' 1.2–1.5 s per image."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from emsync_desktop.ml.contract import parse_contract
from emsync_desktop.ml.image_io import load_image
from emsync_desktop.ml.imaging import FEATURES_OUTPUT, IMAGE_INPUT, PROBABILITIES_OUTPUT
from emsync_desktop.ml.occlusion import DEFAULT_BUDGET_S
from emsync_desktop.ml.preprocess import preprocess
from emsync_desktop.ml.registry import MANIFEST_NAME
from emsync_desktop.services.imaging import ImagingAnalyser
from tests.bench.test_imaging_bench import CHEST_CR
from tests.bench.timing import timed
from tests.ml.signing_keys import sign_with_test_key, trust_test_key

pytestmark = pytest.mark.tensorflow  # imports keras and tf2onnx: never beside QtWebEngine (see Makefile)

CHEXNET_LABELS = ("Atelectasis", "Cardiomegaly", "Effusion", "Infiltration", "Mass", "Nodule", "Pneumonia",
                  "Pneumothorax", "Consolidation", "Edema", "Emphysema", "Fibrosis", "Pleural_Thickening", "Hernia")
# Placeholders in (0, 1): random weights have no calibrated thresholds, and timing does not depend on them.
THRESHOLDS = (0.3, 0.2, 0.4, 0.35, 0.25, 0.25, 0.15, 0.3, 0.2, 0.2, 0.2, 0.15, 0.2, 0.1)
SIDE = 224
FEATURES_LAYER = "relu"  # DenseNet-121's last 4-D tensor in Keras: (7, 7, 1024), before global pooling
CLASSIFIER_LAYER = "predictions"
OPSET = 17
WARM_UP = 3
RUNS = 30
INFERENCE_P95_MS = 250.0
TOTAL_P95_MS = 1000.0


@dataclass(frozen=True)
class Runs:
    total_ms: list[float]
    inference_ms: list[float]
    heat_map_ms: list[float]
    cpu_ms: list[float]  # the process's CPU time (all threads) per analysis: the work, whatever the load
    methods: list[str]
    first_ms: float  # the first call: model file hashed, session built, then one analysis
    load: tuple[float, float]  # 1-minute load average before and after: the 2 cores are shared


def contract() -> dict[str, Any]:
    return {"input": {"name": IMAGE_INPUT, "channels": 3, "height": SIDE, "width": SIDE, "layout": "NHWC"},
            "preprocessing": {"resize": "bilinear", "aspect": "stretch", "range": "0..1",
                              "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "colour": "grey-to-rgb"},
            "output": {"name": PROBABILITIES_OUTPUT, "activation": "sigmoid", "multi_label": True,
                       "thresholds": list(THRESHOLDS)}}


def entry(onnx_bytes: bytes) -> dict[str, Any]:
    return {"name": "densenet121_chexnet_size", "version": "densenet121-224-random", "file": "densenet121.onnx",
            "sha256": hashlib.sha256(onnx_bytes).hexdigest(), "demonstration": True,
            "architecture": "densenet121", "classes": list(CHEXNET_LABELS), "contract": contract(),
            "training_data": {"source": "none", "description": "Random weights (keras weights=None), for timing "
                              "only: a CheXNet-sized network whose outputs mean nothing."}}


def export(model: Any, with_features: bool) -> bytes:
    """ONNX bytes: input ``image``; output ``probabilities``, and ``feature_maps`` if asked."""
    import keras
    import tensorflow as tf
    import tf2onnx

    outputs = [model.output] + ([model.get_layer(FEATURES_LAYER).output] if with_features else [])
    graph = keras.Model(model.inputs, outputs)
    spec = (tf.TensorSpec((None, SIDE, SIDE, 3), tf.float32, name=IMAGE_INPUT),)

    @tf.function(input_signature=spec)  # type: ignore[untyped-decorator]
    def serve(image: Any) -> dict[str, Any]:
        values = graph(image, training=False)
        if not with_features:
            return {PROBABILITIES_OUTPUT: values}
        return {PROBABILITIES_OUTPUT: values[0], FEATURES_OUTPUT: values[1]}

    proto, _ = tf2onnx.convert.from_function(serve, input_signature=spec, opset=OPSET)
    return bytes(proto.SerializeToString())


def write_install(data_dir: Path, onnx_bytes: bytes, kernel: np.ndarray | None) -> Path:
    """An install's data dir with the model imported (the .onnx, the manifest, the CAM weights if given),
    signed by the test key, which the install's admin trusts: what the app opens at a nurse's sign-in."""
    folder = data_dir / "models"
    folder.mkdir(parents=True, exist_ok=True)
    model_entry = entry(onnx_bytes)
    (folder / model_entry["file"]).write_bytes(onnx_bytes)
    if kernel is not None:
        buffer = io.BytesIO()
        np.save(buffer, kernel)
        (folder / "densenet121.cam.npy").write_bytes(buffer.getvalue())
        model_entry["cam_weights"] = {"file": "densenet121.cam.npy",
                                      "sha256": hashlib.sha256(buffer.getvalue()).hexdigest(),
                                      "layer": CLASSIFIER_LAYER, "shape": list(kernel.shape)}
    (folder / MANIFEST_NAME).write_text(json.dumps({"imaging": {"models": [model_entry]}}, indent=1))
    sign_with_test_key(folder)
    return trust_test_key(data_dir)


@pytest.fixture(scope="module")
def models_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Both variants, exported once per session into pytest's tmp dir (about 15 s each)."""
    import keras

    model = keras.applications.DenseNet121(weights=None, input_shape=(SIDE, SIDE, 3), classes=len(CHEXNET_LABELS),
                                           classifier_activation="sigmoid")
    kernel = np.asarray(model.get_layer(CLASSIFIER_LAYER).get_weights()[0], dtype=np.float32)
    root = tmp_path_factory.mktemp("densenet121")
    started = time.perf_counter()
    dirs = {"occlusion": write_install(root / "occlusion", export(model, with_features=False), None),
            "cam": write_install(root / "cam", export(model, with_features=True), kernel)}
    print(f"\nDenseNet-121 built and exported twice (tf2onnx, opset {OPSET}) in {time.perf_counter() - started:.1f} s")
    return dirs


def measure(models_dir: Path) -> Runs:
    analyser = ImagingAnalyser(models_dir, install=True)
    started = time.perf_counter()
    analyser.analyse_file(CHEST_CR)
    first_ms = (time.perf_counter() - started) * 1e3
    for _ in range(WARM_UP - 1):
        analyser.analyse_file(CHEST_CR)
    total, inference, heat, cpu, methods = [], [], [], [], []
    load_before = os.getloadavg()[0]
    for _ in range(RUNS):
        started, cpu_started = time.perf_counter(), time.process_time()
        result = analyser.analyse_file(CHEST_CR).result
        total.append((time.perf_counter() - started) * 1e3)
        cpu.append((time.process_time() - cpu_started) * 1e3)
        inference.append(result.inference_ms)
        heat.append(result.heat_map_ms)
        methods.append(result.heat_map_method)
    return Runs(total, inference, heat, cpu, methods, first_ms, (load_before, os.getloadavg()[0]))


def p50_p95(values: list[float]) -> str:
    return f"p50 {np.percentile(values, 50):7.1f} ms, p95 {np.percentile(values, 95):7.1f} ms"


def report(variant: str, runs: Runs) -> None:
    print(f"\n{variant}, {RUNS} runs after {WARM_UP} warm-up (first call {runs.first_ms:.0f} ms; load average "
          f"{runs.load[0]:.2f} before, {runs.load[1]:.2f} after):")
    print(f"  whole path (decode + preprocess + infer + heat map)  {p50_p95(runs.total_ms)}")
    print(f"  inference (result.inference_ms)                      {p50_p95(runs.inference_ms)}")
    print(f"  heat map (result.heat_map_ms)                        {p50_p95(runs.heat_map_ms)}")
    print(f"  process CPU time per analysis (both cores)           {p50_p95(runs.cpu_ms)}")
    grids = Counter(re.sub(r", \d+ passes in [\d.]+ s", "", m) for m in runs.methods)
    for method, count in grids.most_common():
        print(f"  heat map method ({count}/{RUNS}): {method}")


def misses(runs: Runs, method: str) -> list[str]:
    """The issue's targets this variant missed, each a sentence; a run without the heat map misses too."""
    found = []
    inference_p95, total_p95 = np.percentile(runs.inference_ms, 95), np.percentile(runs.total_ms, 95)
    if inference_p95 >= INFERENCE_P95_MS:
        found.append(f"inference p95 {inference_p95:.0f} ms (target < {INFERENCE_P95_MS:.0f})")
    if total_p95 >= TOTAL_P95_MS:
        found.append(f"whole path p95 {total_p95:.0f} ms (target < {TOTAL_P95_MS:.0f})")
    if without := sum(not m.startswith(method) for m in runs.methods):
        found.append(f"{without}/{RUNS} runs without the heat map ({method!r} expected)")
    return found


def test_decode_and_preprocess_the_chest_cr_for_densenet() -> None:
    image = load_image(CHEST_CR)
    densenet_contract = parse_contract({"name": "densenet", "classes": list(CHEXNET_LABELS), "contract": contract()})
    decode = [t * 1e3 for t in timed(lambda: load_image(CHEST_CR), RUNS)]
    prepare = [t * 1e3 for t in timed(lambda: preprocess(image.pixels, densenet_contract), RUNS)]
    print(f"\nchest CR {image.size[0]}×{image.size[1]} ({image.description}), {RUNS} runs:")
    print(f"  decode (load_image)                       {p50_p95(decode)}")
    print(f"  preprocess to 1×224×224×3 (ImageNet norm) {p50_p95(prepare)}")
    assert image.pixels.size


def test_densenet_with_occlusion_heat_map_meets_issue_targets(models_dirs: dict[str, Path]) -> None:
    runs = measure(models_dirs["occlusion"])
    report(f"DenseNet-121, occlusion heat map (default budget {DEFAULT_BUDGET_S} s)", runs)
    assert misses(runs, "Occlusion map") == []


def test_densenet_with_class_activation_map_meets_issue_targets(models_dirs: dict[str, Path]) -> None:
    runs = measure(models_dirs["cam"])
    report("DenseNet-121, class activation map (feature_maps 7×7×1024 + classifier kernel)", runs)
    assert misses(runs, "Class activation map") == []
