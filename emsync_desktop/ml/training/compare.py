"""Two sets of triage models on the same held-out rows: what a hospital runs after retraining on its own data
(its models against the shipped ones), and how the shipped models changed between versions.

    python -m emsync_desktop.ml.training compare --baseline models_onnx --candidate /srv/our_models \\
        --mimic /data/mimic --seed 20261122

The rows are the test split of the same data and seed the candidate was trained with (``stratified_split`` is
deterministic), so the candidate never saw them; the baseline may have, if it was trained on the same data. Each
model is run by onnxruntime from its folder, its file checked against the manifest's hash (signatures are not
needed for a report: nothing here reaches a patient). The report measures; it promises nothing: a better number on
one hospital's rows is evidence for that hospital, not a validation.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import balanced_accuracy_score, roc_auc_score

from emsync_desktop.domain.triage import FEATURE_NAMES, NEEDS
from emsync_desktop.ml.registry import INPUT_NAME, PROBABILITIES_OUTPUT, load_manifest, verified_model_bytes
from emsync_desktop.ml.training.dataset import Cohort
from emsync_desktop.ml.triage import urgency_call
from emsync_desktop.ml.weights import undo_class_weights

BOOTSTRAP_RESAMPLES = 500
MONOTONE_CHECK = {"age_years": 10.0, "spo2_pct": -4.0, "on_oxygen": 1.0, "consciousness_acvpu": 1.0, "gcs": -2.0}
BOUNDS = {"age_years": (16.0, 105.0), "spo2_pct": (70.0, 100.0), "on_oxygen": (0.0, 1.0),
          "consciousness_acvpu": (0.0, 4.0), "gcs": (3.0, 15.0)}


@dataclass(frozen=True)
class ModelSet:
    """A folder's triage models, ready to run (hash-checked, not signature-checked: report use only)."""

    name: str
    version: str
    sessions: dict[str, Any]
    entries: dict[str, dict[str, Any]]

    @classmethod
    def load(cls, folder: Path, name: str) -> ModelSet:
        import onnxruntime as ort

        triage = load_manifest(folder)["triage"]
        if [f["name"] for f in triage["features"]] != list(FEATURE_NAMES):
            raise ValueError(f"{folder}: the models expect other inputs than this version provides")
        sessions = {m: ort.InferenceSession(verified_model_bytes(folder, e), providers=["CPUExecutionProvider"])
                    for m, e in triage["models"].items()}
        return cls(name, str(triage["version"]), sessions, dict(triage["models"]))

    def probabilities(self, x: NDArray[np.float32]) -> dict[str, NDArray[np.float64]]:
        return {m: undo_class_weights(s.run([PROBABILITIES_OUTPUT], {INPUT_NAME: x})[0],
                                      self.entries[m]["class_weights"]) for m, s in self.sessions.items()}

    def calls(self, severity: NDArray[np.float64]) -> NDArray[np.int64]:
        """The urgency each row is called, by the rule the app uses for these models (``ml.triage.urgency_call``)."""
        return np.asarray([urgency_call(list(p), self.entries["severity"]) for p in severity], dtype=np.int64)


def compare(models: list[ModelSet], rows: Cohort) -> dict[str, dict[str, Any]]:
    """Per model set: urgency balanced accuracy and Critical AUROC, each need's AUROC, the share of rows where
    worsening one monotone input lowered P(Critical) or the ICU need or made the call less urgent, and, where
    the rows know who died (synthetic), how well P(Critical) and the ICU need rank deaths against age alone."""
    x = rows.features.astype(np.float32)
    return {m.name: _measure(m, x, rows) for m in models}


def _measure(models: ModelSet, x: NDArray[np.float32], rows: Cohort) -> dict[str, Any]:
    p = models.probabilities(x)
    calls = models.calls(p["severity"])
    out: dict[str, Any] = {
        "version": models.version,
        "urgency_balanced_accuracy": _r(balanced_accuracy_score(rows.severity, calls)),
        "critical_auroc": _r(roc_auc_score(rows.severity == 0, p["severity"][:, 0])),
        "need_auroc": {n: _r(roc_auc_score(rows.needs[:, i], p[n][:, 1])) for i, n in enumerate(NEEDS)
                       if 0 < rows.needs[:, i].sum() < len(rows)},
        "monotone_violations": _violations(models, x, p, calls),
    }
    if rows.death is not None:
        out["death_auroc"] = _death_ranking(rows, p)
    return out


def _violations(models: ModelSet, x: NDArray[np.float32], p: dict[str, NDArray[np.float64]],
                calls: NDArray[np.int64]) -> dict[str, float]:
    """Share of rows (with the input recorded) where a worse value lowered a risk or the call's urgency."""
    shares = {}
    for feature, step in MONOTONE_CHECK.items():
        i = FEATURE_NAMES.index(feature)
        known = ~np.isnan(x[:, i])
        worse = x.copy()
        worse[:, i] = np.clip(x[:, i] + step, *BOUNDS[feature])
        q = models.probabilities(worse)
        wrong = ((q["severity"][:, 0] < p["severity"][:, 0] - 1e-6) | (q["icu"][:, 1] < p["icu"][:, 1] - 1e-6)
                 | (models.calls(q["severity"]) > calls))
        shares[feature] = _r(float(wrong[known].mean()) if known.any() else 0.0)
    return shares


def _death_ranking(rows: Cohort, p: dict[str, NDArray[np.float64]]) -> dict[str, Any]:
    """AUROC for in-hospital death, all rows and chest-pain (cardiac) rows with age recorded."""
    age = rows.features[:, FEATURE_NAMES.index("age_years")]
    cardiac = (rows.features[:, FEATURE_NAMES.index("complaint_cardiac")] == 1) & ~np.isnan(age)
    assert rows.death is not None
    out: dict[str, Any] = {}
    for label, mask in (("all", ~np.isnan(age)), ("cardiac", cardiac)):
        died = rows.death[mask]
        if 0 < died.sum() < len(died):
            critical, icu, years = p["severity"][mask, 0], p["icu"][mask, 1], age[mask]
            out[label] = {"deaths": int(died.sum()), "rows": int(mask.sum()),
                          "p_critical": _r(roc_auc_score(died, critical)),
                          "p_icu": _r(roc_auc_score(died, icu)),
                          "age_alone": _r(roc_auc_score(died, years)),
                          "p_critical_minus_age": paired_auroc_difference(died, critical, years),
                          "p_icu_minus_age": paired_auroc_difference(died, icu, years)}
    return out


def paired_auroc_difference(outcome: NDArray[np.int64], a: NDArray[np.float64], b: NDArray[np.float64],
                            resamples: int = BOOTSTRAP_RESAMPLES, seed: int = 0) -> tuple[float, float, float]:
    """AUROC(a) - AUROC(b) on the same rows, with its 95 % percentile bootstrap interval (rows resampled with
    replacement, both scores together): how sure the comparison is, given how few deaths there are."""
    rng = np.random.default_rng(seed)
    differences = []
    for _ in range(resamples):
        pick = rng.integers(0, len(outcome), len(outcome))
        if 0 < outcome[pick].sum() < len(pick):
            differences.append(roc_auc_score(outcome[pick], a[pick]) - roc_auc_score(outcome[pick], b[pick]))
    low, high = np.percentile(differences, [2.5, 97.5])
    return _r(roc_auc_score(outcome, a) - roc_auc_score(outcome, b)), _r(low), _r(high)


def _deaths(ranking: dict[str, Any] | None) -> str:
    return "–" if ranking is None else f"{ranking['deaths']} / {ranking['rows']}"


def _interval(difference: tuple[float, float, float] | list[float] | None) -> str:
    if difference is None:
        return "–"
    value, low, high = difference
    return f"{value:+.3f} ({low:+.3f} to {high:+.3f})"


def _r(value: float) -> float:
    return round(float(value), 4)


def comparison_markdown(results: dict[str, dict[str, Any]], rows: int) -> str:
    names = list(results)
    lines = [f"Same {rows} held-out rows for every model set.", "",
             "| | " + " | ".join(f"{n} ({results[n]['version']})" for n in names) + " |",
             "|---|" + "---|" * len(names)]

    def row(label: str, pick: Any) -> None:
        lines.append(f"| {label} | " + " | ".join(str(pick(results[n])) for n in names) + " |")

    row("urgency balanced accuracy", lambda r: r["urgency_balanced_accuracy"])
    row("Critical vs rest AUROC", lambda r: r["critical_auroc"])
    for need in NEEDS:
        row(f"{need} AUROC", lambda r, need=need: r["need_auroc"].get(need, "–"))
    for feature in MONOTONE_CHECK:
        row(f"worse {feature}: rows with a lower risk or a less urgent call",
            lambda r, feature=feature: f"{r['monotone_violations'][feature]:.2%}")
    for group in ("all", "cardiac"):
        row(f"deaths / rows, {group} rows", lambda r, group=group: _deaths(r.get("death_auroc", {}).get(group)))
        for key, label in (("p_critical", "P(Critical)"), ("p_icu", "P(ICU)"), ("age_alone", "age alone")):
            row(f"death AUROC, {group} rows: {label}",
                lambda r, group=group, key=key: r.get("death_auroc", {}).get(group, {}).get(key, "–"))
        for key, label in (("p_critical_minus_age", "P(Critical)"), ("p_icu_minus_age", "P(ICU)")):
            row(f"death AUROC, {group} rows: {label} minus age alone (95 % bootstrap interval)",
                lambda r, group=group, key=key: _interval(r.get("death_auroc", {}).get(group, {}).get(key)))
    return "\n".join(lines) + "\n"
