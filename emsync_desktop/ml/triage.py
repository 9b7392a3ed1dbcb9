"""Triage on the device with onnxruntime: seven models, calibrated probabilities, top factors.

Threading: ``TriageModels`` may be shared between threads. Sessions are built once, under a lock,
on first use (or by ``warm_up`` on a background thread) and reused; ``predict`` is meant for a
worker thread (the app calls it on the DB thread), never the GUI thread. Nothing here imports xgboost.
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from emsync_desktop.domain.triage import (
    FEATURE_NAMES,
    FEATURES,
    GROUP_NAMES,
    NEEDS,
    SEVERITY_CLASSES,
    Factor,
    NeedEstimate,
    TriageInput,
    TriagePrediction,
    balanced_class,
    check_triage_input,
    feature_vector,
    missing_inputs,
    ordinal_class,
    triage_readiness,
)
from emsync_desktop.ml.registry import (
    INPUT_NAME,
    PROBABILITIES_OUTPUT,
    ModelUnavailable,
    default_models_dir,
    load_manifest,
    verified_model_bytes,
)
from emsync_desktop.ml.signing import TrustedKeys, check_signature, project_keys
from emsync_desktop.ml.weights import undo_class_weights

MODEL_NAMES = ("severity", *NEEDS)
TOP_FACTORS = 3
MIN_FACTOR_LOG_ODDS = 0.1  # odds ratios within about ±10 % are not worth a line
_P_CLIP = 1e-6
_NOT_FACTORS = {"arrival_ambulance", "sex_female"}  # constant in the ambulance, or not actionable


class TriageRefused(ValueError):
    """The input holds an impossible value; ``str()`` names the field."""


class NotEnoughData(ValueError):
    """Too few inputs for the models to say anything they learned (``domain.triage.triage_readiness``);
    ``str()`` says what to add."""


@dataclass(frozen=True)
class _Loaded:
    version: str
    sessions: dict[str, Any]
    entries: dict[str, dict[str, Any]]
    typical: NDArray[np.float32]


class TriageModels:
    def __init__(self, models_dir: Path | None = None, trusted: TrustedKeys | None = None) -> None:
        """``trusted``: keys whose signature on the triage section is accepted (default: the project's)."""
        self._dir = models_dir or default_models_dir()
        self._trusted = trusted
        self._lock = threading.Lock()
        self._loaded: _Loaded | None = None

    def warm_up(self) -> None:
        """Start loading on a background thread; errors surface on the first ``predict``."""
        threading.Thread(target=self._try_load, name="emsync-model-load", daemon=True).start()

    def _try_load(self) -> None:
        with contextlib.suppress(ModelUnavailable):
            self.load()

    @property
    def version(self) -> str:
        return self.load().version

    def load(self) -> _Loaded:
        with self._lock:
            if self._loaded is None:
                self._loaded = _load(self._dir, self._trusted)
            return self._loaded

    def probabilities(self, rows: NDArray[np.float32]) -> dict[str, NDArray[np.float64]]:
        """Calibrated probabilities (class weights undone) of every model for every row."""
        loaded = self.load()
        out = {}
        for name in MODEL_NAMES:
            raw = loaded.sessions[name].run([PROBABILITIES_OUTPUT], {INPUT_NAME: rows})[0]
            out[name] = undo_class_weights(raw, loaded.entries[name]["class_weights"])
        return out

    def predict(self, data: TriageInput) -> TriagePrediction:
        refusal = check_triage_input(data)
        if refusal:
            raise TriageRefused(refusal)
        loaded = self.load()  # an unusable model is reported before anything else
        readiness = triage_readiness(data)
        if not readiness.enough:
            raise NotEnoughData(readiness.message())
        base = np.asarray(feature_vector(data), dtype=np.float32)
        variants, factor_names = _occlusions(base, loaded.typical)
        probs = self.probabilities(np.vstack([base, *variants]) if variants else base[None, :])
        severity_p = probs["severity"]
        called = urgency_call(list(severity_p[0]), loaded.entries["severity"])
        needs = tuple(NeedEstimate(n, float(probs[n][0, 1]), float(loaded.entries[n]["threshold"])) for n in NEEDS)
        log_odds = _log_odds(_call_probability(severity_p, called, loaded.entries["severity"]))
        deltas = log_odds[0] - log_odds[1:]
        return TriagePrediction(
            severity=SEVERITY_CLASSES[called],
            severity_probabilities={str(c): float(severity_p[0, k]) for k, c in enumerate(SEVERITY_CLASSES)},
            needs=needs,
            factors=_top_factors(factor_names, deltas, base),
            model_version=loaded.version,
            missing=missing_inputs(data),
        )


def urgency_call(probabilities: list[float], entry: dict[str, Any]) -> int:
    """The urgency called: by the model's cumulative thresholds (ordinal models, which never call a worse
    patient less urgent), else by the balanced rule (models from before those)."""
    thresholds = entry.get("ordinal_thresholds")
    if thresholds is not None:
        return ordinal_class(probabilities, thresholds)
    return balanced_class(probabilities, entry["prevalence"])


def _call_probability(p: NDArray[np.float64], called: int, entry: dict[str, Any]) -> NDArray[np.float64]:
    """What the call was decided on, per row, so that the factors explain the decision: with cumulative thresholds,
    P(Critical) for a Critical call, P(Critical or Moderate) for Moderate, P(Low) for Low; else the called class."""
    if entry.get("ordinal_thresholds") is None or called == 2:
        return np.asarray(p[:, called])
    return np.asarray(p[:, 0] if called == 0 else p[:, 0] + p[:, 1])


def _load(models_dir: Path, trusted: TrustedKeys | None) -> _Loaded:
    import onnxruntime as ort  # heavy: imported on first use only

    manifest = load_manifest(models_dir)
    triage = manifest.get("triage")
    if not isinstance(triage, dict) or [f.get("name") for f in triage.get("features", [])] != list(FEATURE_NAMES):
        raise ModelUnavailable("The installed triage models expect other inputs than this version of EMsync "
                               "provides. Install the models that came with this version.")
    check_signature(triage, trusted or TrustedKeys(project_keys()), name=f"triage {triage.get('version', '?')}")
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    sessions, entries = {}, {}
    for name in MODEL_NAMES:
        entry = triage["models"].get(name)
        if entry is None:
            raise ModelUnavailable(f"The model manifest lists no '{name}' triage model. Reinstall the models.")
        try:
            sessions[name] = ort.InferenceSession(verified_model_bytes(models_dir, entry), options,
                                                  providers=["CPUExecutionProvider"])
        except ModelUnavailable:
            raise
        except Exception as exc:  # onnxruntime raises its own types for a damaged graph
            raise ModelUnavailable(f"Model file {entry.get('file')} cannot be loaded ({exc}). "
                                   "Reinstall the models.") from exc
        entries[name] = entry
    typical = np.asarray([triage["typical_values"][n] for n in FEATURE_NAMES], dtype=np.float32)
    return _Loaded(str(triage["version"]), sessions, entries, typical)


def _occlusions(base: NDArray[np.float32], typical: NDArray[np.float32]
                ) -> tuple[list[NDArray[np.float32]], list[str]]:
    """One row per recorded input, with that input replaced by its typical value."""
    rows, names = [], []
    for i, name in enumerate(FEATURE_NAMES):
        if name.startswith("complaint_") or name in _NOT_FACTORS or math.isnan(base[i]) or base[i] == typical[i]:
            continue
        row = base.copy()
        row[i] = typical[i]
        rows.append(row)
        names.append(name)
    group = _group_of(base)
    if group != "other":
        row = base.copy()
        for g in GROUP_NAMES:
            row[FEATURE_NAMES.index(f"complaint_{g}")] = 1.0 if g == "other" else 0.0
        rows.append(row)
        names.append("complaint")
    return rows, names


def _group_of(row: NDArray[np.float32]) -> str:
    for g in GROUP_NAMES:
        if row[FEATURE_NAMES.index(f"complaint_{g}")] == 1.0:
            return g
    return "other"


def _top_factors(names: Sequence[str], deltas: NDArray[np.float64], base: NDArray[np.float32]
                 ) -> tuple[Factor, ...]:
    """``deltas``: log-odds of the called class with the input as recorded minus with it typical."""
    ranked = sorted(zip(names, deltas, strict=True), key=lambda item: -abs(item[1]))
    return tuple(Factor(name, _label(name), _shown(name, base), round(float(np.exp(delta)), 2))
                 for name, delta in ranked[:TOP_FACTORS] if abs(delta) >= MIN_FACTOR_LOG_ODDS)


def _log_odds(p: NDArray[np.float64]) -> NDArray[np.float64]:
    """Log-odds, clipped so that a saturated 1.0 still ranks inputs (log-odds do not saturate)."""
    clipped = np.clip(p, _P_CLIP, 1.0 - _P_CLIP)
    return np.asarray(np.log(clipped) - np.log1p(-clipped))


def _label(name: str) -> str:
    if name == "complaint":
        return "Chief complaint"
    return next(f.label for f in FEATURES if f.name == name)


def _shown(name: str, base: NDArray[np.float32]) -> str:
    if name == "complaint":
        return _group_of(base).replace("_", " ")
    value = float(base[FEATURE_NAMES.index(name)])
    if name == "consciousness_acvpu":
        return "ACVPU"[int(value)]
    if name == "on_oxygen":
        return "given" if value else "not given (air)"
    unit = next(f.unit for f in FEATURES if f.name == name)
    shown = f"{value:.1f}" if name == "temp_c" else f"{value:.0f}"
    return f"{shown} {unit}".strip()
