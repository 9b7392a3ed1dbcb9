"""A synthetic triage cohort whose outcome probabilities are known exactly: the Bayes-optimal yardstick.

SYNTHETIC DATA: no patient is behind any row. Inputs come from ``population`` (who comes in), outcomes from
``evidence`` (what happens to them: urgency by the ESI handbook's rules, death by GRACE and NEWS2, the needs by
logistic models), each effect with its source or marked as an assumption in docs/TRIAGE_MODELS.md.

Because every distribution is known, the probability of each outcome given what a model sees (the visible inputs)
is computed for every row: exactly where nothing that matters is hidden; hidden pain and glucose are summed out
exactly; other hidden inputs are integrated by Monte Carlo (``MC_DRAWS`` draws from their distribution given the
complaint group, and for consciousness given the recorded GCS; weighted by the recorded oxygen where SpO2 is
drawn), so those rows' yardstick carries a small sampling error. The models' metrics on held-out rows are compared
with this yardstick's.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.stats import binom, lognorm, norm

from emsync_desktop.domain.triage import FEATURE_NAMES, NEEDS
from emsync_desktop.ml.training.dataset import Cohort
from emsync_desktop.ml.training.evidence import SEDATED_IF_VENTILATED, Outcomes, need_parts, outcome_probabilities
from emsync_desktop.ml.training.population import (
    GLUCOSE_LOG_MEDIAN,
    GLUCOSE_LOG_SD,
    HYPO_SHARE,
    P_ACVPU,
    PAIN_P_OTHER,
    PAIN_P_PAINFUL,
    PAIN_SHARE,
    Columns,
    _categorical,
    draw_age,
    draw_oxygen,
    draw_population,
    draw_vitals,
    gcs_probability,
    hide,
    oxygen_probability,
    to_matrix,
)

DESCRIPTION = ("SYNTHETIC cohort (no real patients) from emsync_desktop/ml/training/synthetic.py: adult ED "
               "population, urgency by the ESI handbook's rules (Critical = ESI 1-2), in-hospital death by GRACE "
               "(coronary syndromes) and NEWS2, needs by logistic models; effects and their sources in "
               "docs/TRIAGE_MODELS.md; inputs hidden completely at random. Not clinical evidence: retrain on local "
               "data before clinical use.")
MC_DRAWS = 200
MC_INPUTS = ("age_years", "hr_bpm", "rr_per_min", "spo2_pct", "sbp_mmhg", "on_oxygen", "temp_c",
             "consciousness_acvpu")
_VITALS = ("hr_bpm", "rr_per_min", "spo2_pct", "sbp_mmhg", "dbp_mmhg", "temp_c")
_CHUNK = 2000  # rows per Monte Carlo batch (memory)


def generate_cohort(n: int, seed: int, with_truth: bool = True) -> Cohort:
    """``n`` synthetic rows from ``seed`` (same seed, same rows, on any machine)."""
    rng = np.random.default_rng(seed)
    full = draw_population(n, rng)
    outcomes = outcome_probabilities(full)
    severity = _categorical(outcomes.urgency, rng)
    needs = draw_needs(full, outcomes, rng)
    death = (rng.random(n) < outcomes.death).astype(np.int64)
    visible = hide(full, rng)
    truth = posterior(visible, np.random.default_rng(seed + 1)) if with_truth else None
    return Cohort(to_matrix(visible), severity, needs, None if truth is None else truth.urgency,
                  None if truth is None else truth.needs, death)


def draw_needs(full: Columns, outcomes: Outcomes, rng: np.random.Generator) -> NDArray[np.int64]:
    """ICU first; ventilation, vasopressors and dialysis given the drawn ICU outcome; sedation given the drawn
    ventilation; opioids."""
    n = len(outcomes.death)
    icu = rng.random(n) < outcomes.needs[:, 0]
    parts = need_parts(full, np.eye(11)[full["pain_0_10"].astype(int)])
    follow = np.where(icu[:, None], parts.in_icu, parts.out_icu)
    out = np.zeros((n, len(NEEDS)), dtype=np.int64)
    out[:, 0] = icu
    out[:, 1:4] = rng.random((n, 3)) < follow[:, :3]
    out[:, 4] = rng.random(n) < np.where(out[:, 1] == 1, SEDATED_IF_VENTILATED, follow[:, 3])
    out[:, 5] = rng.random(n) < parts.opioids
    return out


def posterior(visible: Columns, rng: np.random.Generator, draws: int = MC_DRAWS) -> Outcomes:
    """P(each outcome | the visible inputs), per row (see the module docstring)."""
    pain, hypo = _pain_distribution(visible), _hypo_probability(visible)
    exact = outcome_probabilities(_filled_for_exact(visible), pain, hypo)
    urgency, needs, death = exact.urgency.copy(), exact.needs.copy(), exact.death.copy()
    uncertain = np.flatnonzero(np.any([np.isnan(visible[name]) for name in MC_INPUTS], axis=0))
    for start in range(0, len(uncertain), _CHUNK):
        rows = uncertain[start:start + _CHUNK]
        mean = _integrated(visible, rows, pain[rows], hypo[rows], rng, draws)
        urgency[rows], needs[rows], death[rows] = mean.urgency, mean.needs, mean.death
    return Outcomes(urgency, needs, death)


_PLACEHOLDER = {"age_years": 50.0, "hr_bpm": 80.0, "rr_per_min": 16.0, "spo2_pct": 98.0, "sbp_mmhg": 130.0,
                "dbp_mmhg": 75.0, "temp_c": 36.9}


def _filled_for_exact(visible: Columns) -> Columns:
    """The rows whose outcome inputs are all known need no filling; the others get placeholders here, and their
    result is replaced by the Monte Carlo one."""
    return {name: np.where(np.isnan(column), _PLACEHOLDER.get(name, 0.0), column) for name, column in visible.items()}


def _integrated(visible: Columns, rows: NDArray[np.int64], pain: NDArray[np.float64], hypo: NDArray[np.float64],
                rng: np.random.Generator, draws: int) -> Outcomes:
    sub = {name: np.repeat(column[rows], draws) for name, column in visible.items()}
    group = sub["group"].astype(int)
    drawn = draw_vitals(group, rng) | {"age_years": draw_age(group, rng)}
    drawn["consciousness_acvpu"] = _acvpu_given_gcs(group, sub["gcs"], rng)
    weight = np.ones(len(group))
    for name in ("age_years", *_VITALS, "consciousness_acvpu"):
        hidden = np.isnan(sub[name])
        sub[name] = np.where(hidden, drawn[name], sub[name])
    oxygen_hidden = np.isnan(sub["on_oxygen"])
    recorded_oxygen = np.nan_to_num(sub["on_oxygen"])
    p_oxygen = oxygen_probability(sub["spo2_pct"])
    weight *= np.where(oxygen_hidden, 1.0, np.where(recorded_oxygen > 0, p_oxygen, 1.0 - p_oxygen))
    sub["on_oxygen"] = np.where(oxygen_hidden, draw_oxygen(sub["spo2_pct"], rng), recorded_oxygen)
    outcomes = outcome_probabilities(sub, np.repeat(pain, draws, axis=0), np.repeat(hypo, draws))
    w = weight.reshape(len(rows), draws)
    w = w / np.maximum(w.sum(axis=1, keepdims=True), 1e-300)

    def mean(values: NDArray[np.float64]) -> NDArray[np.float64]:
        shaped = values.reshape(len(rows), draws, *values.shape[1:])
        return np.asarray(np.einsum("rd,rd...->r...", w, shaped))

    return Outcomes(mean(outcomes.urgency), mean(outcomes.needs), mean(outcomes.death))


def _acvpu_given_gcs(group: NDArray[np.int64], gcs: NDArray[np.float64], rng: np.random.Generator
                     ) -> NDArray[np.float64]:
    """ACVPU drawn from its distribution in the group, given the GCS where one is recorded (Bayes' rule)."""
    prior = P_ACVPU[group]
    likelihood = np.column_stack([np.where(np.isnan(gcs), 1.0, gcs_probability(np.nan_to_num(gcs),
                                                                                 np.full(len(gcs), k)))
                                  for k in range(prior.shape[1])])
    joint = prior * likelihood
    return _categorical(joint / joint.sum(axis=1, keepdims=True), rng).astype(float)


def _pain_distribution(visible: Columns) -> NDArray[np.float64]:
    """One-hot where the pain score is recorded, else its distribution in the patient's group."""
    pain, group = visible["pain_0_10"], visible["group"].astype(int)
    scores, share = np.arange(11)[None, :], PAIN_SHARE[group][:, None]
    prior = share * binom.pmf(scores, 10, PAIN_P_PAINFUL) + (1 - share) * binom.pmf(scores, 10, PAIN_P_OTHER)
    return np.asarray(np.where(np.isnan(pain)[:, None], prior, np.eye(11)[np.nan_to_num(pain).astype(int)]))


def _hypo_probability(visible: Columns) -> NDArray[np.float64]:
    """1 or 0 where glucose is recorded (below 54 mg/dL or not), else the population's chance of it."""
    glucose = visible["glucose_mg_dl"]
    usual = lognorm.cdf(54.0, GLUCOSE_LOG_SD, scale=np.exp(GLUCOSE_LOG_MEDIAN))
    prior = HYPO_SHARE * norm.cdf(54.0, 40.0, 8.0) + (1 - HYPO_SHARE) * usual
    return np.where(np.isnan(glucose), prior, (np.nan_to_num(glucose) < 54).astype(float))


def describe_marginals(cohort: Cohort) -> dict[str, object]:
    """What was generated: class mix, need prevalence, deaths and vital-sign means (for the report)."""
    x = cohort.features
    means = {name: round(float(np.nanmean(x[:, FEATURE_NAMES.index(name)])), 2)
             for name in ("age_years", "hr_bpm", "rr_per_min", "spo2_pct", "sbp_mmhg", "dbp_mmhg", "temp_c")}
    out: dict[str, object] = {
        "rows": len(x),
        "severity_mix": [round(float(np.mean(cohort.severity == k)), 4) for k in range(3)],
        "need_prevalence": {name: round(float(cohort.needs[:, i].mean()), 4) for i, name in enumerate(NEEDS)},
        "vital_means": means,
        "missing_fraction": round(float(np.isnan(x).mean()), 4),
    }
    if cohort.death is not None:
        out["in_hospital_death"] = round(float(cohort.death.mean()), 4)
    return out
