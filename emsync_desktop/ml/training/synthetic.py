"""A synthetic triage cohort whose generating probabilities are known exactly.

SYNTHETIC DATA: no patient is behind any row. It exists so that the pipeline can be trained,
tested and shipped without credentialed data, and so that the trained models can be compared
with the best any model could do: because every distribution below is known, the posterior of
the outcome given what a model sees is computed exactly, and its balanced accuracy and AUROC
on the held-out rows are the Bayes-optimal ones.

How a row is made:
1. A latent urgency class z (Critical = ESI 1-2, Moderate = ESI 3, Low urgency = ESI 4-5) is drawn
   with prevalence close to the ESI mix of ED visits in MIMIC-IV-ED (about 39 / 54 / 7 %).
2. Given z, each input is drawn independently (diastolic BP given systolic, GCS given consciousness)
   from a class-specific distribution and rounded to the resolution a monitor shows. Class means
   were chosen so that the overall vital-sign means sit near typical ED triage values
   (HR ≈ 88 bpm, RR ≈ 18/min, SpO2 ≈ 97 %, SBP ≈ 133 mmHg, T ≈ 37.0 °C); the report prints the
   generated marginals, which are what was actually used.
3. Each input is then hidden completely at random with a fixed rate (``MISSING_RATE``), so
   missingness carries no information and the exact posterior ignores hidden inputs.
4. The six needs are drawn from logistic functions of z and the TRUE inputs (before hiding);
   ventilator, vasopressors, dialysis and sedatives mostly follow ICU admission.

The Bayes posterior of z is exact. For the needs it integrates over hidden inputs by Monte Carlo
(``MC_DRAWS`` draws per class), so the Bayes-optimal needs metrics carry a small sampling error.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit, logsumexp, ndtr

from emsync_desktop.domain.triage import FEATURE_NAMES, GROUP_NAMES, NEEDS
from emsync_desktop.ml.training.dataset import Cohort

DESCRIPTION = ("SYNTHETIC cohort (no real patients) from emsync_desktop/ml/training/synthetic.py: urgency mix near "
               "MIMIC-IV-ED's ESI mix, vital signs near typical ED triage values, inputs hidden completely at "
               "random, needs drawn from known logistic functions. Demonstrates the pipeline; it is not "
               "clinical evidence. Retrain on local data before clinical use.")
PRIORS = np.array([0.39, 0.54, 0.07])
MC_DRAWS = 256
# name: (means per class, sd per class, rounding step, lowest, highest)
GAUSSIAN = {
    "age_years": ((66.0, 52.0, 38.0), (17.0, 20.0, 17.0), 1.0, 0.0, 105.0),
    "hr_bpm": ((98.0, 84.0, 80.0), (24.0, 16.0, 13.0), 1.0, 20.0, 250.0),
    "rr_per_min": ((21.5, 17.0, 16.0), (5.5, 2.6, 1.8), 1.0, 4.0, 60.0),
    "sbp_mmhg": ((124.0, 138.0, 134.0), (33.0, 22.0, 18.0), 1.0, 50.0, 260.0),
    "temp_c": ((37.25, 36.95, 36.8), (1.0, 0.6, 0.4), 0.1, 32.0, 42.0),
}
SPO2_MEAN_DEFICIT = (5.0, 2.2, 1.4)  # truncated geometric deficit below 100 %, per class
SPO2_MAX_DEFICIT = 30
DBP_SLOPE, DBP_OFFSET, DBP_SD = 0.45, (14.0, 17.0, 19.0), 8.0
GLUCOSE_LOG_MEDIAN, GLUCOSE_LOG_SD = (np.log(150.0), np.log(120.0), np.log(105.0)), (0.45, 0.33, 0.22)
P_FEMALE = (0.45, 0.52, 0.55)
P_OXYGEN = (0.42, 0.12, 0.03)
P_AMBULANCE = (0.62, 0.30, 0.10)
P_ACVPU = np.array([[0.64, 0.12, 0.10, 0.08, 0.06],
                    [0.930, 0.050, 0.014, 0.004, 0.002],
                    [0.988, 0.008, 0.002, 0.001, 0.001]])
PAIN_P = (0.42, 0.40, 0.34)  # pain ~ Binomial(10, p)
# complaint groups in GROUP_NAMES order, per class
P_GROUP = np.array([
    [0.20, 0.18, 0.14, 0.12, 0.06, 0.08, 0.12, 0.05, 0.01, 0.04],
    [0.13, 0.10, 0.07, 0.14, 0.16, 0.10, 0.07, 0.07, 0.07, 0.09],
    [0.04, 0.05, 0.03, 0.22, 0.12, 0.06, 0.03, 0.05, 0.24, 0.16],
])
GCS_BY_ACVPU = (((15, 14), (0.93, 0.07)), ((14, 13), (0.6, 0.4)), ((13, 12, 11, 10, 9), (0.2,) * 5),
                ((8, 7, 6), (0.4, 0.35, 0.25)), ((5, 4, 3), (0.2, 0.3, 0.5)))
MISSING_RATE = {"age_years": 0.01, "sex_female": 0.01, "hr_bpm": 0.02, "rr_per_min": 0.04, "spo2_pct": 0.04,
                "on_oxygen": 0.05, "bp": 0.04, "temp_c": 0.15, "consciousness_acvpu": 0.03, "gcs": 0.30,
                "pain_0_10": 0.25, "glucose_mg_dl": 0.60}


def generate_cohort(n: int, seed: int, with_truth: bool = True) -> Cohort:
    """``n`` synthetic rows from ``seed`` (same seed, same rows, on any machine)."""
    rng = np.random.default_rng(seed)
    z = rng.choice(3, size=n, p=PRIORS)
    full = _draw_inputs(z, rng)
    needs = _draw_needs(full, z, rng)
    visible = _hide(full, rng)
    x = _to_matrix(visible)
    truth_sev = truth_needs = None
    if with_truth:
        truth_sev = severity_posterior(visible)
        truth_needs = needs_posterior(visible, truth_sev, np.random.default_rng(seed + 1))
    return Cohort(x, z.astype(np.int64), needs, truth_sev, truth_needs)


Columns = dict[str, NDArray[np.float64]]


def _draw_inputs(z: NDArray[np.int64], rng: np.random.Generator) -> Columns:
    n = len(z)
    out: Columns = {}
    for name, (means, sds, step, lo, hi) in GAUSSIAN.items():
        raw = rng.normal(np.take(means, z), np.take(sds, z))
        out[name] = np.clip(np.round(raw / step) * step, lo, hi)
    out["spo2_pct"] = 100.0 - _truncated_geometric(np.take(SPO2_MEAN_DEFICIT, z), rng)
    dbp_mu = DBP_SLOPE * out["sbp_mmhg"] + np.take(DBP_OFFSET, z)
    out["dbp_mmhg"] = np.clip(np.round(rng.normal(dbp_mu, DBP_SD)), 20.0, out["sbp_mmhg"] - 10.0)
    glucose = np.exp(rng.normal(np.take(GLUCOSE_LOG_MEDIAN, z), np.take(GLUCOSE_LOG_SD, z)))
    out["glucose_mg_dl"] = np.clip(np.round(glucose), 20.0, 1000.0)
    out["sex_female"] = (rng.random(n) < np.take(P_FEMALE, z)).astype(float)
    out["on_oxygen"] = (rng.random(n) < np.take(P_OXYGEN, z)).astype(float)
    out["arrival_ambulance"] = (rng.random(n) < np.take(P_AMBULANCE, z)).astype(float)
    out["consciousness_acvpu"] = _categorical(P_ACVPU[z], rng).astype(float)
    out["gcs"] = _gcs(out["consciousness_acvpu"].astype(int), rng)
    out["pain_0_10"] = rng.binomial(10, np.take(PAIN_P, z)).astype(float)
    out["group"] = _categorical(P_GROUP[z], rng).astype(float)
    return out


def _truncated_geometric(mean_deficit: NDArray[np.float64], rng: np.random.Generator) -> NDArray[np.float64]:
    q = mean_deficit / (1.0 + mean_deficit)  # P(deficit >= k+1 | deficit >= k)
    u = rng.random(len(q)) * (1.0 - q ** (SPO2_MAX_DEFICIT + 1))
    return np.floor(np.log1p(-u) / np.log(q))


def _geometric_logpmf(deficit: NDArray[np.float64], mean_deficit: float) -> NDArray[np.float64]:
    q = mean_deficit / (1.0 + mean_deficit)
    return np.asarray(deficit * np.log(q) + np.log1p(-q) - np.log1p(-(q ** (SPO2_MAX_DEFICIT + 1))))


def _categorical(p: NDArray[np.float64], rng: np.random.Generator) -> NDArray[np.int64]:
    u = rng.random((len(p), 1))
    return np.asarray(np.minimum((np.cumsum(p, axis=1) < u).sum(axis=1), p.shape[1] - 1), dtype=np.int64)


def _gcs(acvpu: NDArray[np.int64], rng: np.random.Generator) -> NDArray[np.float64]:
    out = np.empty(len(acvpu))
    for level, (values, probs) in enumerate(GCS_BY_ACVPU):
        rows = acvpu == level
        out[rows] = rng.choice(values, size=int(rows.sum()), p=probs)
    return out


def _hide(full: Columns, rng: np.random.Generator) -> Columns:
    visible = {k: v.copy() for k, v in full.items()}
    n = len(full["hr_bpm"])
    for name, rate in MISSING_RATE.items():
        hidden = rng.random(n) < rate
        for column in (("sbp_mmhg", "dbp_mmhg") if name == "bp" else (name,)):
            visible[column][hidden] = np.nan
    return visible


def _to_matrix(cols: Columns) -> NDArray[np.float64]:
    group = cols["group"].astype(int)
    columns = {**cols, **{f"complaint_{g}": (group == i).astype(float) for i, g in enumerate(GROUP_NAMES)}}
    return np.column_stack([columns[name] for name in FEATURE_NAMES])


# ---- exact posterior of the urgency class -------------------------------------------------

def _rounded_normal_logpmf(x: NDArray[np.float64], mu: float | NDArray[np.float64], sd: float, step: float,
                           lo: float | NDArray[np.float64], hi: float | NDArray[np.float64]) -> NDArray[np.float64]:
    upper = np.where(x >= hi - 1e-9, np.inf, x + step / 2)
    lower = np.where(x <= lo + 1e-9, -np.inf, x - step / 2)
    return np.asarray(np.log(np.maximum(ndtr((upper - mu) / sd) - ndtr((lower - mu) / sd), 1e-300)))


def class_loglik(cols: Columns, k: int) -> NDArray[np.float64]:
    """log p(visible inputs | z = k) per row; hidden inputs contribute nothing (MCAR)."""
    terms = []
    for name, (means, sds, step, lo, hi) in GAUSSIAN.items():
        terms.append(_rounded_normal_logpmf(cols[name], means[k], sds[k], step, lo, hi))
    terms.append(_geometric_logpmf(100.0 - cols["spo2_pct"], SPO2_MEAN_DEFICIT[k]))
    sbp = cols["sbp_mmhg"]
    terms.append(_rounded_normal_logpmf(cols["dbp_mmhg"], DBP_SLOPE * sbp + DBP_OFFSET[k], DBP_SD, 1.0, 20.0,
                                        sbp - 10.0))
    log_x = np.log(np.maximum(cols["glucose_mg_dl"], 1.0))
    upper = np.where(cols["glucose_mg_dl"] >= 1000, np.inf, np.log(cols["glucose_mg_dl"] + 0.5))
    lower = np.where(cols["glucose_mg_dl"] <= 20, -np.inf, np.log(np.maximum(cols["glucose_mg_dl"] - 0.5, 1e-9)))
    mu, sd = GLUCOSE_LOG_MEDIAN[k], GLUCOSE_LOG_SD[k]
    glucose = np.log(np.maximum(ndtr((upper - mu) / sd) - ndtr((lower - mu) / sd), 1e-300))
    terms.append(np.where(np.isnan(log_x), np.nan, glucose))
    for name, p in (("sex_female", P_FEMALE[k]), ("on_oxygen", P_OXYGEN[k]), ("arrival_ambulance", P_AMBULANCE[k])):
        terms.append(np.where(np.isnan(cols[name]), np.nan, np.where(cols[name] == 1.0, np.log(p), np.log1p(-p))))
    terms.append(_take_log(P_ACVPU[k], cols["consciousness_acvpu"]))
    pain = cols["pain_0_10"]
    terms.append(_binomial_logpmf(pain, PAIN_P[k]))
    terms.append(_take_log(P_GROUP[k], cols["group"]))
    return np.asarray(np.nansum(np.column_stack(terms), axis=1))


def _take_log(p: NDArray[np.float64], index: NDArray[np.float64]) -> NDArray[np.float64]:
    safe = np.nan_to_num(index, nan=0).astype(int)
    return np.where(np.isnan(index), np.nan, np.log(p[safe]))


def _binomial_logpmf(k: NDArray[np.float64], p: float) -> NDArray[np.float64]:
    from scipy.stats import binom

    return np.asarray(binom.logpmf(k, 10, p))


def severity_posterior(cols: Columns) -> NDArray[np.float64]:
    """P(z | visible inputs), one row per patient, columns Critical / Moderate / Low."""
    log_joint = np.column_stack([np.log(PRIORS[k]) + class_loglik(cols, k) for k in range(3)])
    return np.asarray(np.exp(log_joint - logsumexp(log_joint, axis=1, keepdims=True)))


# ---- needs -------------------------------------------------------------------------------

ICU_OFFSET = (-2.5, -5.0, -7.5)
OPIOID_OFFSET = (-1.6, -2.0, -2.6)
GROUP_INDEX = {g: i for i, g in enumerate(GROUP_NAMES)}


def _need_logits(cols: Columns, z: NDArray[np.int64]) -> tuple[NDArray[np.float64], ...]:
    """Logits of the generating model from the TRUE inputs: ICU; ventilator, vasopressors,
    dialysis and sedatives if admitted to ICU (n x 4) and if not (n x 4); opioids."""
    shock = (cols["hr_bpm"] / cols["sbp_mmhg"] - 0.7) / 0.25
    hypoxia = (100.0 - cols["spo2_pct"] - 3.0) / 4.0
    tachypnoea = (cols["rr_per_min"] - 18.0) / 5.0
    unconscious = cols["consciousness_acvpu"]
    older = (cols["age_years"] - 55.0) / 20.0
    group = cols["group"].astype(int)

    def is_group(*names: str) -> NDArray[np.float64]:
        return np.isin(group, [GROUP_INDEX[g] for g in names]).astype(float)

    infection, intox = is_group("infection"), is_group("intoxication_psych")
    icu = (np.take(ICU_OFFSET, z) + 0.55 * shock + 0.45 * hypoxia + 0.3 * tachypnoea + 0.45 * unconscious
           + 0.2 * older + 0.4 * is_group("cardiac", "neurological"))
    in_icu = np.column_stack([-1.0 + 0.7 * hypoxia + 0.6 * unconscious + 0.3 * tachypnoea,
                              -1.6 + 1.0 * shock + 0.5 * infection,
                              -3.0 + 0.4 * older + 0.5 * infection + 0.3 * shock,
                              -1.3 + 0.5 * unconscious + 0.5 * hypoxia + 0.8 * intox])
    out_icu = np.column_stack([-7.0 + 0.7 * hypoxia + 0.6 * unconscious, -7.5 + 1.0 * shock, -7.0 + 0.4 * older,
                               -5.5 + 1.2 * intox])
    opioids = (np.take(OPIOID_OFFSET, z) + 0.35 * (cols["pain_0_10"] - 5.0) - 0.4 * unconscious
               + 0.8 * is_group("trauma", "cardiac", "abdominal", "pain_musculoskeletal"))
    return icu, in_icu, out_icu, opioids


def need_probabilities(cols: Columns, z: NDArray[np.int64]) -> NDArray[np.float64]:
    """P(each need | all TRUE inputs, z), columns in ``NEEDS`` order, ICU outcome summed out."""
    icu, in_icu, out_icu, opioids = _need_logits(cols, z)
    p_icu = expit(icu)[:, None]
    follow = p_icu * expit(in_icu) + (1.0 - p_icu) * expit(out_icu)
    return np.column_stack([p_icu[:, 0], follow, expit(opioids)])


def _draw_needs(full: Columns, z: NDArray[np.int64], rng: np.random.Generator) -> NDArray[np.int64]:
    """ICU first; ventilator, vasopressors, dialysis and sedatives given the drawn ICU outcome."""
    icu_logit, in_icu, out_icu, opioids = _need_logits(full, z)
    icu = rng.random(len(z)) < expit(icu_logit)
    out = np.zeros((len(z), len(NEEDS)), dtype=np.int64)
    out[:, 0] = icu
    out[:, 1:5] = rng.random((len(z), 4)) < expit(np.where(icu[:, None], in_icu, out_icu))
    out[:, 5] = rng.random(len(z)) < expit(opioids)
    return out


NEED_INPUTS = ("hr_bpm", "sbp_mmhg", "spo2_pct", "rr_per_min", "consciousness_acvpu", "pain_0_10", "age_years")


def needs_posterior(visible: Columns, p_severity: NDArray[np.float64], rng: np.random.Generator,
                    draws: int = MC_DRAWS) -> NDArray[np.float64]:
    """P(each need | visible inputs): sum over z of P(z | visible) times the need probability
    averaged over hidden inputs drawn from their class-conditional distribution."""
    n = len(p_severity)
    total = np.zeros((n, len(NEEDS)))
    hidden_any = np.zeros(n, dtype=bool)
    for name in NEED_INPUTS:
        hidden_any |= np.isnan(visible[name])
    for k in range(3):
        z = np.full(n, k)
        expected = need_probabilities(_fill_hidden(visible, z, rng), z)
        rows = np.flatnonzero(hidden_any)
        if len(rows):
            sub = {name: np.repeat(col[rows], draws) for name, col in visible.items()}
            zk = np.full(len(rows) * draws, k)
            p = need_probabilities(_fill_hidden(sub, zk, rng), zk)
            expected[rows] = p.reshape(len(rows), draws, len(NEEDS)).mean(axis=1)
        total += p_severity[:, [k]] * expected
    return total


def _fill_hidden(cols: Columns, z: NDArray[np.int64], rng: np.random.Generator) -> Columns:
    draws = _draw_inputs(z, rng)
    filled = dict(cols)
    for name in NEED_INPUTS:
        column = cols[name]
        filled[name] = np.where(np.isnan(column), draws[name], column)
    return filled


def describe_marginals(cohort: Cohort) -> dict[str, object]:
    """What was generated: class mix, need prevalence and vital-sign means (for the report)."""
    x = cohort.features
    means = {name: round(float(np.nanmean(x[:, FEATURE_NAMES.index(name)])), 2)
             for name in ("age_years", "hr_bpm", "rr_per_min", "spo2_pct", "sbp_mmhg", "dbp_mmhg", "temp_c")}
    return {
        "rows": len(x),
        "severity_mix": [round(float(np.mean(cohort.severity == k)), 4) for k in range(3)],
        "need_prevalence": {name: round(float(cohort.needs[:, i].mean()), 4) for i, name in enumerate(NEEDS)},
        "vital_means": means,
        "missing_fraction": round(float(np.isnan(x).mean()), 4),
    }
