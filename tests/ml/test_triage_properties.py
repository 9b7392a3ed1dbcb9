"""The shipped triage models behave the way medicine says they should (issue 28), tried on random patients
(hypothesis) through onnxruntime, exactly as the app runs them:

- making one clinically monotone input worse (older, lower SpO2, on oxygen, worse ACVPU, lower GCS) never lowers
  P(Critical) or the ICU need, and never makes the urgency call less urgent;
- the same patient ten years older is never rated less urgent;
- a patient with every vital sign normal and no complaint is never called Critical, at any adult age.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emsync_desktop.domain.triage import FEATURE_NAMES, GROUP_NAMES
from emsync_desktop.ml.training.triage_training import MONOTONE
from emsync_desktop.ml.triage import TriageModels, urgency_call

TOLERANCE = 1e-6  # float32 sums in the graph
SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# Worse is larger (+1) or smaller (-1); the bounds are what the case form accepts for an adult.
RANGES = {"age_years": (16, 105), "spo2_pct": (70, 100), "on_oxygen": (0, 1), "consciousness_acvpu": (0, 4),
          "gcs": (3, 15)}
GCS_OF_ACVPU = (15, 14, 12, 8, 3)


@pytest.fixture(scope="module")
def models() -> TriageModels:
    return TriageModels()


@st.composite
def patients(draw: st.DrawFn) -> dict[str, float]:
    acvpu = draw(st.integers(0, 4))
    sbp = draw(st.integers(70, 220))
    return {
        "age_years": draw(st.integers(16, 95)), "sex_female": draw(st.sampled_from([0.0, 1.0])),
        "hr_bpm": draw(st.integers(35, 180)), "rr_per_min": draw(st.integers(6, 40)),
        "spo2_pct": draw(st.integers(75, 100)), "sbp_mmhg": sbp, "dbp_mmhg": max(30, int(sbp * 0.55)),
        "on_oxygen": draw(st.sampled_from([0.0, 1.0])), "temp_c": draw(st.integers(345, 410)) / 10,
        "consciousness_acvpu": acvpu, "gcs": GCS_OF_ACVPU[acvpu], "pain_0_10": draw(st.integers(0, 10)),
        "glucose_mg_dl": draw(st.integers(60, 400)), "arrival_ambulance": 1.0,
        "group": draw(st.sampled_from(GROUP_NAMES)),
    }


def row(patient: dict[str, float | str]) -> np.ndarray:
    values = {name: float(v) for name, v in patient.items() if name != "group"}
    values |= {f"complaint_{g}": float(g == patient["group"]) for g in GROUP_NAMES}
    return np.asarray([values[name] for name in FEATURE_NAMES], dtype=np.float32)


def judged(models: TriageModels, *patients_: dict[str, float | str]) -> list[tuple[float, float, int]]:
    """P(Critical), P(ICU) and the urgency called (0 Critical, 1 Moderate, 2 Low) of each patient."""
    probabilities = models.probabilities(np.vstack([row(p) for p in patients_]))
    entry = models.load().entries["severity"]
    severity, icu = probabilities["severity"], probabilities["icu"]
    return [(float(severity[i, 0]), float(icu[i, 1]), urgency_call(list(severity[i]), entry)) for i in range(len(icu))]


@SETTINGS
@given(patient=patients(), feature=st.sampled_from(sorted(MONOTONE)), data=st.data())
def test_a_worse_monotone_input_never_lowers_the_risk(models: TriageModels, patient: dict[str, float], feature: str,
                                                      data: st.DataObject) -> None:
    low, high = RANGES[feature]
    value = patient[feature]
    worse_value = (data.draw(st.integers(int(value), high)) if MONOTONE[feature] > 0
                   else data.draw(st.integers(low, int(value))))
    (critical, icu, call), (critical_worse, icu_worse, call_worse) = judged(models, patient,
                                                                           patient | {feature: worse_value})
    assert critical_worse >= critical - TOLERANCE
    assert icu_worse >= icu - TOLERANCE
    assert call_worse <= call


@SETTINGS
@given(patient=patients())
def test_the_same_patient_ten_years_older_is_never_rated_less_urgent(models: TriageModels,
                                                                     patient: dict[str, float]) -> None:
    (_, _, call), (_, _, older) = judged(models, patient, patient | {"age_years": patient["age_years"] + 10})
    assert older <= call


@SETTINGS
@given(age=st.integers(16, 95), hr=st.integers(60, 90), rr=st.integers(12, 20), spo2=st.integers(96, 100),
       sbp=st.integers(110, 140), temp=st.integers(365, 375), pain=st.integers(0, 3), female=st.booleans())
def test_all_normal_vitals_and_no_complaint_is_never_critical(models: TriageModels, age: int, hr: int, rr: int,
                                                              spo2: int, sbp: int, temp: int, pain: int,
                                                              female: bool) -> None:
    patient = {"age_years": age, "sex_female": float(female), "hr_bpm": hr, "rr_per_min": rr, "spo2_pct": spo2,
               "sbp_mmhg": sbp, "dbp_mmhg": int(sbp * 0.6), "on_oxygen": 0.0, "temp_c": temp / 10,
               "consciousness_acvpu": 0, "gcs": 15, "pain_0_10": pain, "glucose_mg_dl": 100, "arrival_ambulance": 1.0,
               "group": "other"}
    [(_, _, call)] = judged(models, patient)
    assert call != 0
