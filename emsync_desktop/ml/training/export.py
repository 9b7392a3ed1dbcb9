"""Export trained triage models to ONNX (onnxmltools), check parity, write the manifest.

Parity: the ONNX graph run by onnxruntime must give XGBoost's probabilities within ``PARITY_TOL``
on ``PARITY_ROWS`` rows (held-out rows, repeated with fresh missing values if there are fewer).
A model that fails parity is not written.
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxmltools
import onnxruntime as ort
import xgboost as xgb
from numpy.typing import NDArray
from onnx import TensorProto, compose, helper
from onnxmltools.convert.common.data_types import FloatTensorType

from emsync_desktop.domain.triage import FEATURE_NAMES, FEATURES
from emsync_desktop.ml.registry import INPUT_NAME, MANIFEST_NAME, PROBABILITIES_OUTPUT
from emsync_desktop.ml.training.triage_training import MONOTONE, OrdinalSeverity, TrainedModel, monotone_constraints

PARITY_ROWS = 10_000
PARITY_TOL = 1e-5
OPSET = 15


class ParityError(AssertionError):
    pass


def to_onnx(trained: TrainedModel) -> bytes:
    if isinstance(trained.model, OrdinalSeverity):
        return bytes(ordinal_graph(trained.model, f"triage_{trained.name}").SerializeToString())
    return bytes(_converted(trained.model, f"triage_{trained.name}").SerializeToString())


def _converted(model: Any, name: str) -> onnx.ModelProto:
    converted: onnx.ModelProto = onnxmltools.convert_xgboost(
        _finite_splits(model), initial_types=[(INPUT_NAME, FloatTensorType([None, len(FEATURE_NAMES)]))],
        target_opset=OPSET, name=name)
    return converted


def _finite_splits(model: xgb.XGBClassifier) -> xgb.XGBClassifier:
    """``model`` with split thresholds of ±infinity replaced by the largest finite float32 of that sign (same
    decisions for every finite input). With monotone constraints, hist trees may split "missing or not" at -inf,
    which XGBoost's JSON tree dump (what onnxmltools reads) writes as a bare ``-inf`` that no JSON parser takes."""
    raw = json.loads(model.get_booster().save_raw(raw_format="json"))
    trees = raw["learner"]["gradient_booster"]["model"]["trees"]
    bound = float(np.finfo(np.float32).max)
    changed = False
    for tree in trees:
        conditions = tree["split_conditions"]
        for i, value in enumerate(conditions):
            if not math.isfinite(value):
                conditions[i], changed = math.copysign(bound, value), True
    if not changed:
        return model
    copy = xgb.XGBClassifier()
    copy.load_model(bytearray(json.dumps(raw).encode()))
    return copy


def ordinal_graph(model: OrdinalSeverity, name: str) -> onnx.ModelProto:
    """One graph with the runtime's contract (``features`` in, ``probabilities`` [N, 3] out) computing what
    ``OrdinalSeverity.predict_proba`` does: both tree ensembles on the same input, then
    [c, max(u, c) - c, 1 - max(u, c)] from their positive-class columns."""
    parts = [compose.add_prefix(_converted(m, f"{name}_{tag}"), f"{tag}_", rename_inputs=False)
             for tag, m in (("critical", model.critical), ("urgent", model.urgent))]
    nodes = [node for part in parts for node in part.graph.node]
    initializers = [init for part in parts for init in part.graph.initializer]
    one = helper.make_tensor("ordinal_one", TensorProto.FLOAT, [1], [1.0])
    starts, ends, axes = (helper.make_tensor(n, TensorProto.INT64, [1], [v])
                          for n, v in (("ordinal_start", 1), ("ordinal_end", 2), ("ordinal_axis", 1)))
    nodes += [
        helper.make_node("Slice", ["critical_probabilities", "ordinal_start", "ordinal_end", "ordinal_axis"],
                         ["p_critical"]),
        helper.make_node("Slice", ["urgent_probabilities", "ordinal_start", "ordinal_end", "ordinal_axis"],
                         ["p_urgent_raw"]),
        helper.make_node("Max", ["p_urgent_raw", "p_critical"], ["p_urgent"]),
        helper.make_node("Sub", ["p_urgent", "p_critical"], ["p_moderate"]),
        helper.make_node("Sub", ["ordinal_one", "p_urgent"], ["p_low"]),
        helper.make_node("Concat", ["p_critical", "p_moderate", "p_low"], [PROBABILITIES_OUTPUT], axis=1),
    ]
    graph = helper.make_graph(nodes, name, [parts[0].graph.input[0]],
                              [helper.make_tensor_value_info(PROBABILITIES_OUTPUT, TensorProto.FLOAT, [None, 3])],
                              [*initializers, one, starts, ends, axes])
    opsets = {o.domain: o.version for part in parts for o in part.opset_import} | {"": OPSET}
    combined = helper.make_model(graph, opset_imports=[helper.make_opsetid(d, v) for d, v in sorted(opsets.items())],
                                 producer_name="emsync")
    combined.ir_version = parts[0].ir_version
    onnx.checker.check_model(combined)
    return combined


def parity_rows(features: NDArray[np.float64], seed: int) -> NDArray[np.float32]:
    """At least ``PARITY_ROWS`` rows; extra rows are copies with 10 % of values hidden."""
    rows = features
    rng = np.random.default_rng(seed)
    while len(rows) < PARITY_ROWS:
        extra = features.copy()
        extra[rng.random(extra.shape) < 0.1] = np.nan
        rows = np.vstack([rows, extra])
    return rows[:PARITY_ROWS].astype(np.float32)


def check_parity(trained: TrainedModel, onnx_bytes: bytes, rows: NDArray[np.float32]) -> float:
    session = ort.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
    onnx_p = session.run([PROBABILITIES_OUTPUT], {INPUT_NAME: rows})[0]
    native = trained.model.predict_proba(rows)
    worst = float(np.max(np.abs(np.asarray(onnx_p) - native)))
    if not worst <= PARITY_TOL:
        raise ParityError(f"{trained.name}: ONNX differs from XGBoost by {worst:.2e} (> {PARITY_TOL:.0e})")
    return worst


def typical_values(features: NDArray[np.float64]) -> dict[str, float]:
    """Per feature, the training median (the value an input is replaced by to measure its effect)."""
    medians = np.nanmedian(features, axis=0)
    return {name: float(round(m, 2)) for name, m in zip(FEATURE_NAMES, medians, strict=True)}


def write_models(models: list[TrainedModel], out_dir: Path, *, version: str, training_data: dict[str, Any],
                 parity_source: NDArray[np.float64], train_features: NDArray[np.float64],
                 seed: int) -> dict[str, Any]:
    """Write ``triage_<name>.onnx`` files and the triage part of the manifest; returns that part."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = parity_rows(parity_source, seed)
    created = datetime.now(UTC).date().isoformat()
    entries = {}
    for trained in models:
        onnx_bytes = to_onnx(trained)
        worst = check_parity(trained, onnx_bytes, rows)
        path = out_dir / f"triage_{trained.name}.onnx"
        path.write_bytes(onnx_bytes)
        entries[trained.name] = _entry(trained, path, onnx_bytes, worst, len(rows))
    triage = {
        "version": version,
        "created": created,
        "features": [{"name": f.name, "label": f.label, "unit": f.unit} for f in FEATURES],
        "input": INPUT_NAME,
        "missing_values": "NaN: routed down each tree's learned default branch; nothing is imputed.",
        "typical_values": typical_values(train_features),
        "training_data": training_data,
        "models": entries,
    }
    update_manifest(out_dir / MANIFEST_NAME, "triage", triage)
    return triage


def _entry(trained: TrainedModel, path: Path, onnx_bytes: bytes, worst: float, n_rows: int) -> dict[str, Any]:
    return {
        "file": path.name,
        "sha256": hashlib.sha256(onnx_bytes).hexdigest(),
        "classes": trained.classes,
        "class_weights": [round(w, 6) for w in trained.class_weights],
        "prevalence": [round(p, 6) for p in trained.prevalence],
        "threshold": None if trained.threshold is None else round(trained.threshold, 6),
        "output": PROBABILITIES_OUTPUT,
        "trees": trained.trees,
        "parity": {"rows": n_rows, "max_abs_diff": worst, "tolerance": PARITY_TOL},
        "metrics": trained.metrics,
        **({} if trained.ordinal_thresholds is None else {"ordinal_thresholds": list(trained.ordinal_thresholds)}),
        "monotone": {f: d for f, d in MONOTONE.items()} if monotone_constraints(trained.name) else {},
    }


def update_manifest(path: Path, key: str, value: dict[str, Any]) -> None:
    """Replace one top-level section of the manifest, keeping the others (imaging, ...)."""
    manifest = json.loads(path.read_text()) if path.exists() else {"schema": 1}
    manifest[key] = value
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=False) + "\n")
    tmp.replace(path)
