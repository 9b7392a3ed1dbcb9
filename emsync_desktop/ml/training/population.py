"""Who comes in: the synthetic population's inputs (SYNTHETIC: no patient is behind any row).

A row is drawn as: chief-complaint group; age given the group; sex; arrival mode given the group; each vital sign
from a two-part mixture given the group (usual values, or deranged with a group-specific probability), the vital
signs independent of each other given the group (real ones are correlated: a simplification the docs state);
supplemental oxygen given the true SpO2; GCS given ACVPU. Then inputs are hidden completely at random
(``MISSING_RATE``). The outcomes are drawn from these inputs in ``evidence``.

The group mix, age and vital-sign distributions are assumptions chosen to look like adult ED triage (no source is
claimed for them); what matters for the models' behaviour is in ``evidence``, where every effect is given with its
source or marked as an assumption.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit

from emsync_desktop.domain.triage import FEATURE_NAMES, GROUP_NAMES

Columns = dict[str, NDArray[np.float64]]
GROUP_INDEX = {g: i for i, g in enumerate(GROUP_NAMES)}
# per group: share of visits, age mean and sd, P(ambulance), P(deranged) of HR, RR, SpO2, low SBP, fever,
# P(ACVPU = C, V, P, U)
GROUPS: dict[str, tuple[float, float, float, float, tuple[float, ...], tuple[float, ...]]] = {
    "cardiac": (0.14, 63, 15, 0.45, (0.22, 0.12, 0.10, 0.06, 0.02), (0.02, 0.01, 0.005, 0.003)),
    "respiratory": (0.12, 58, 20, 0.40, (0.30, 0.45, 0.40, 0.05, 0.15), (0.03, 0.01, 0.005, 0.003)),
    "neurological": (0.08, 62, 18, 0.50, (0.10, 0.08, 0.05, 0.03, 0.02), (0.10, 0.05, 0.02, 0.01)),
    "trauma": (0.16, 45, 21, 0.35, (0.18, 0.10, 0.04, 0.06, 0.01), (0.03, 0.02, 0.01, 0.005)),
    "abdominal": (0.14, 47, 19, 0.25, (0.20, 0.08, 0.03, 0.06, 0.10), (0.01, 0.005, 0.002, 0.001)),
    "infection": (0.09, 58, 21, 0.40, (0.40, 0.30, 0.15, 0.12, 0.55), (0.08, 0.03, 0.01, 0.005)),
    "altered_consciousness": (0.06, 62, 21, 0.70, (0.20, 0.15, 0.10, 0.10, 0.08), (0.30, 0.15, 0.08, 0.05)),
    "intoxication_psych": (0.06, 38, 14, 0.50, (0.25, 0.08, 0.05, 0.04, 0.02), (0.20, 0.10, 0.04, 0.02)),
    "pain_musculoskeletal": (0.09, 46, 17, 0.10, (0.05, 0.03, 0.01, 0.01, 0.01), (0.002, 0.001, 0.0, 0.0)),
    "other": (0.06, 48, 20, 0.20, (0.08, 0.05, 0.03, 0.02, 0.04), (0.01, 0.005, 0.002, 0.001)),
}
MIX = np.array([GROUPS[g][0] for g in GROUP_NAMES])
P_ACVPU = np.array([[1.0 - sum(GROUPS[g][5]), *GROUPS[g][5]] for g in GROUP_NAMES])
DERANGED = np.array([GROUPS[g][4] for g in GROUP_NAMES])
AGE_RANGE = (16.0, 105.0)  # adults: the models abstain for children (domain.triage.triage_readiness)
# Pain: a visit is "for pain" with a group-specific chance, scored ~ Binomial(10, 0.6) (mean 6, 38 % scoring 7+),
# else ~ Binomial(10, 0.1). Overall about 48 % of visits for pain and 18 % with severe pain, near NHAMCS (pain in
# about 45 % of adult ED visits, severe in 40 % of those: Chang H-Y et al., Am J Emerg Med 2014,
# doi:10.1016/j.ajem.2014.01.015).
PAIN_SHARE = np.array([0.60, 0.20, 0.35, 0.70, 0.70, 0.30, 0.10, 0.15, 0.85, 0.30])
PAIN_P_PAINFUL, PAIN_P_OTHER = 0.6, 0.1
GLUCOSE_LOG_MEDIAN, GLUCOSE_LOG_SD = np.log(115.0), 0.30
HYPO_SHARE = 0.015  # a hypoglycaemic reading (median 40 mg/dL) in any group
GCS_BY_ACVPU = (((15, 14), (0.93, 0.07)), ((14, 13), (0.6, 0.4)), ((13, 12, 11, 10, 9), (0.2,) * 5),
                ((8, 7, 6), (0.4, 0.35, 0.25)), ((5, 4, 3), (0.2, 0.3, 0.5)))
MISSING_RATE = {"age_years": 0.01, "sex_female": 0.01, "hr_bpm": 0.02, "rr_per_min": 0.04, "spo2_pct": 0.04,
                "on_oxygen": 0.05, "bp": 0.04, "temp_c": 0.15, "consciousness_acvpu": 0.03, "gcs": 0.30,
                "pain_0_10": 0.25, "glucose_mg_dl": 0.60}


def draw_population(n: int, rng: np.random.Generator) -> Columns:
    """``n`` rows of TRUE inputs (nothing hidden yet), ``group`` as its index in ``GROUP_NAMES``."""
    group = rng.choice(len(GROUP_NAMES), size=n, p=MIX / MIX.sum())
    cols: Columns = {"group": group.astype(float)}
    cols["age_years"] = draw_age(group, rng)
    cols["sex_female"] = (rng.random(n) < 0.52).astype(float)
    cols["arrival_ambulance"] = (rng.random(n) < np.array([GROUPS[g][3] for g in GROUP_NAMES])[group]).astype(float)
    cols |= draw_vitals(group, rng)
    cols["on_oxygen"] = draw_oxygen(cols["spo2_pct"], rng)
    cols["consciousness_acvpu"] = _categorical(P_ACVPU[group], rng).astype(float)
    cols["gcs"] = draw_gcs(cols["consciousness_acvpu"].astype(int), rng)
    painful = rng.random(n) < PAIN_SHARE[group]
    cols["pain_0_10"] = rng.binomial(10, np.where(painful, PAIN_P_PAINFUL, PAIN_P_OTHER)).astype(float)
    cols["glucose_mg_dl"] = draw_glucose(n, rng)
    return cols


def draw_age(group: NDArray[np.int64], rng: np.random.Generator) -> NDArray[np.float64]:
    mean = np.array([GROUPS[g][1] for g in GROUP_NAMES])[group]
    sd = np.array([GROUPS[g][2] for g in GROUP_NAMES])[group]
    return np.asarray(np.clip(np.round(rng.normal(mean, sd)), *AGE_RANGE), dtype=np.float64)


def draw_vitals(group: NDArray[np.int64], rng: np.random.Generator) -> Columns:
    """Heart rate, respiratory rate, SpO2, blood pressure and temperature, each usual or deranged."""
    n = len(group)
    d = DERANGED[group]

    def mixed(usual: NDArray[np.floating], deranged: NDArray[np.floating], share: NDArray[np.float64]
              ) -> NDArray[np.float64]:
        return np.asarray(np.where(rng.random(n) < share, deranged, usual), dtype=np.float64)

    hr = mixed(rng.normal(80, 12, n), rng.normal(118, 18, n), d[:, 0])
    hr = np.where(rng.random(n) < 0.02, rng.normal(46, 7, n), hr)  # bradycardia
    rr = mixed(rng.normal(16, 2.2, n), rng.normal(26, 5, n), d[:, 1])
    spo2 = 100.0 - mixed(rng.geometric(1 / 2.5, n) - 1.0, 5.0 + rng.geometric(1 / 6.0, n), d[:, 2])
    sbp = mixed(rng.normal(130, 18, n), rng.normal(88, 12, n), d[:, 3])
    sbp = np.where(rng.random(n) < 0.06, rng.normal(178, 18, n), sbp)  # hypertensive
    temp = mixed(rng.normal(36.9, 0.35, n), rng.normal(38.7, 0.6, n), d[:, 4])
    temp = np.where(rng.random(n) < 0.01, rng.normal(35.0, 0.6, n), temp)  # hypothermic
    sbp = np.clip(np.round(sbp), 50.0, 260.0)
    dbp = np.clip(np.round(0.45 * sbp + 17.0 + rng.normal(0, 8, n)), 20.0, sbp - 10.0)
    return {"hr_bpm": np.clip(np.round(hr), 25.0, 220.0), "rr_per_min": np.clip(np.round(rr), 5.0, 50.0),
            "spo2_pct": np.clip(spo2, 70.0, 100.0), "sbp_mmhg": sbp, "dbp_mmhg": dbp,
            "temp_c": np.clip(np.round(temp, 1), 32.0, 42.0)}


def oxygen_probability(spo2: NDArray[np.float64]) -> NDArray[np.float64]:
    """P(on supplemental oxygen at triage | true SpO2): crews give oxygen to hypoxic patients."""
    return np.asarray(expit(-3.4 + 0.5 * (94.0 - spo2)))


def draw_oxygen(spo2: NDArray[np.float64], rng: np.random.Generator) -> NDArray[np.float64]:
    return (rng.random(len(spo2)) < oxygen_probability(spo2)).astype(float)


def draw_gcs(acvpu: NDArray[np.int64], rng: np.random.Generator) -> NDArray[np.float64]:
    out = np.empty(len(acvpu))
    for level, (values, probs) in enumerate(GCS_BY_ACVPU):
        rows = acvpu == level
        out[rows] = rng.choice(values, size=int(rows.sum()), p=probs)
    return out


def gcs_probability(gcs: NDArray[np.float64], acvpu: NDArray[np.int64]) -> NDArray[np.float64]:
    """P(this GCS | ACVPU level), for weighting hidden ACVPU draws by a recorded GCS."""
    out = np.zeros(len(gcs))
    for level, (values, probs) in enumerate(GCS_BY_ACVPU):
        for value, prob in zip(values, probs, strict=True):
            out[(acvpu == level) & (gcs == value)] = prob
    return out


def draw_glucose(n: int, rng: np.random.Generator) -> NDArray[np.float64]:
    usual = np.exp(rng.normal(GLUCOSE_LOG_MEDIAN, GLUCOSE_LOG_SD, n))
    glucose = np.where(rng.random(n) < HYPO_SHARE, rng.normal(40, 8, n), usual)
    return np.clip(np.round(glucose), 20.0, 1000.0)


def _categorical(p: NDArray[np.float64], rng: np.random.Generator) -> NDArray[np.int64]:
    u = rng.random((len(p), 1))
    return np.asarray(np.minimum((np.cumsum(p, axis=1) < u).sum(axis=1), p.shape[1] - 1), dtype=np.int64)


def hide(full: Columns, rng: np.random.Generator) -> Columns:
    """The inputs as recorded: each hidden completely at random at its rate (both blood pressures together)."""
    visible = {k: v.copy() for k, v in full.items()}
    n = len(full["hr_bpm"])
    for name, rate in MISSING_RATE.items():
        hidden = rng.random(n) < rate
        for column in (("sbp_mmhg", "dbp_mmhg") if name == "bp" else (name,)):
            visible[column][hidden] = np.nan
    return visible


def to_matrix(cols: Columns) -> NDArray[np.float64]:
    group = cols["group"].astype(int)
    columns = {**cols, **{f"complaint_{g}": (group == i).astype(float) for i, g in enumerate(GROUP_NAMES)}}
    return np.column_stack([columns[name] for name in FEATURE_NAMES])
