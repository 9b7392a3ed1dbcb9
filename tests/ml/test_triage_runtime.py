from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from emsync_desktop.domain.patient import Sex
from emsync_desktop.domain.triage import FEATURE_NAMES, NEEDS, Severity, TriageInput
from emsync_desktop.domain.vitals import Consciousness, Vitals
from emsync_desktop.ml.registry import ModelUnavailable, default_models_dir, load_manifest, verified_model_bytes
from emsync_desktop.ml.triage import MODEL_NAMES, NotEnoughData, TriageModels, TriageRefused

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
SICK = TriageInput(71.0, Sex.MALE, Vitals(NOW, hr_bpm=128, rr_per_min=30, spo2_pct=86, on_oxygen=True, sbp_mmhg=88,
                                          dbp_mmhg=50, temp_c=38.9, consciousness=Consciousness.VOICE), "SOB, fever")
WELL = TriageInput(30.0, Sex.FEMALE, Vitals(NOW, hr_bpm=76, rr_per_min=14, spo2_pct=99, on_oxygen=False,
                                            sbp_mmhg=124, dbp_mmhg=78, temp_c=36.8,
                                            consciousness=Consciousness.ALERT, pain_0_10=3), "ankle sprain")


@pytest.fixture(scope="module")
def models() -> TriageModels:
    return TriageModels()


def test_every_shipped_model_matches_its_manifest_hash() -> None:
    triage = load_manifest(default_models_dir())["triage"]
    assert set(triage["models"]) == set(MODEL_NAMES)
    for entry in triage["models"].values():
        verified_model_bytes(default_models_dir(), entry)


def test_manifest_records_features_metrics_and_parity() -> None:
    triage = load_manifest(default_models_dir())["triage"]
    assert [f["name"] for f in triage["features"]] == list(FEATURE_NAMES)
    for name, entry in triage["models"].items():
        assert entry["parity"]["rows"] >= 10_000 and entry["parity"]["max_abs_diff"] <= 1e-5, name
        assert {"model", "news2", "bayes_optimal"} <= set(entry["metrics"]), name
        assert (entry["threshold"] is None) == (name == "severity")


def test_very_sick_patient_is_called_critical_with_icu_suggested(models: TriageModels) -> None:
    prediction = models.predict(SICK)
    assert prediction.severity is Severity.CRITICAL and prediction.suggested_unit == "ICU"
    assert abs(sum(prediction.severity_probabilities.values()) - 1.0) < 1e-6


def test_well_patient_has_lower_risk_than_sick_on_every_model(models: TriageModels) -> None:
    sick, well = models.predict(SICK), models.predict(WELL)
    assert well.severity_probabilities["Critical"] < sick.severity_probabilities["Critical"]
    for sick_need, well_need in zip(sick.needs, well.needs, strict=True):
        if sick_need.name != "opioids":
            assert well_need.probability < sick_need.probability, sick_need.name


def test_top_factors_name_recorded_inputs_that_raise_the_call(models: TriageModels) -> None:
    factors = models.predict(SICK).factors
    assert 1 <= len(factors) <= 3 and factors[0].odds_ratio > 1
    assert {f.feature for f in factors} <= {*FEATURE_NAMES, "complaint"}


def test_missing_non_core_inputs_are_allowed_and_reported(models: TriageModels) -> None:
    vitals = Vitals(NOW, hr_bpm=100, rr_per_min=20, spo2_pct=96, sbp_mmhg=130)
    prediction = models.predict(TriageInput(60.0, Sex.UNKNOWN, vitals, "fall"))
    assert {"Temperature", "Consciousness", "Sex"} <= set(prediction.missing)
    assert len(prediction.needs) == len(NEEDS)


def test_models_abstain_with_one_vital_and_say_what_to_add(models: TriageModels) -> None:
    with pytest.raises(NotEnoughData, match="add age, chief complaint, heart rate, SpO2, systolic BP and"):
        models.predict(TriageInput(None, Sex.UNKNOWN, Vitals(NOW, rr_per_min=22), ""))


def test_impossible_value_is_refused_before_inference(models: TriageModels) -> None:
    with pytest.raises(TriageRefused, match="Respiratory rate 95"):
        models.predict(TriageInput(60.0, Sex.MALE, Vitals(NOW, rr_per_min=95), "SOB"))


def test_batch_probabilities_equal_single_row_ones(models: TriageModels) -> None:
    rows = np.random.default_rng(1).normal(80, 30, size=(64, len(FEATURE_NAMES))).astype(np.float32)
    batch = models.probabilities(rows)
    single = models.probabilities(rows[5:6])
    for name in MODEL_NAMES:
        np.testing.assert_allclose(batch[name][5], single[name][0], atol=1e-6)


def test_tampered_model_file_is_refused_with_a_clear_message(models_copy: Path) -> None:
    path = models_copy / "triage_icu.onnx"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelUnavailable, match=r"triage_icu\.onnx does not match its manifest"):
        TriageModels(models_copy).predict(SICK)


def test_missing_model_file_is_refused_with_a_clear_message(models_copy: Path) -> None:
    (models_copy / "triage_opioids.onnx").unlink()
    with pytest.raises(ModelUnavailable, match=r"triage_opioids\.onnx is missing"):
        TriageModels(models_copy).load()


def test_corrupt_manifest_is_refused_with_a_clear_message(models_copy: Path) -> None:
    (models_copy / "manifest.json").write_text("{not json")
    with pytest.raises(ModelUnavailable, match="cannot be read"):
        TriageModels(models_copy).load()


def test_manifest_with_other_feature_order_is_refused(models_copy: Path) -> None:
    manifest = json.loads((models_copy / "manifest.json").read_text())
    manifest["triage"]["features"].reverse()
    (models_copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelUnavailable, match="expect other inputs"):
        TriageModels(models_copy).load()


def test_triage_section_edited_after_signing_is_refused(models_copy: Path) -> None:
    """A changed threshold or weight in the manifest would change every call: the section is signed."""
    manifest = json.loads((models_copy / "manifest.json").read_text())
    manifest["triage"]["version"] = "triage-edited"
    (models_copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelUnavailable, match="changed after it was signed"):
        TriageModels(models_copy).load()


def test_runtime_never_imports_xgboost() -> None:
    code = ("import sys; from emsync_desktop.ml.triage import TriageModels; from tests.ml.test_triage_runtime "
            "import SICK; TriageModels().predict(SICK); assert 'xgboost' not in sys.modules, 'xgboost imported'; "
            "assert 'onnxruntime' in sys.modules")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            cwd=Path(__file__).parents[2])
    assert result.returncode == 0, result.stderr[-2000:]


def test_factors_explain_what_an_ordinal_call_was_decided_on() -> None:
    from emsync_desktop.ml.triage import _call_probability

    p = np.array([[0.2, 0.7, 0.1]])
    ordinal = {"ordinal_thresholds": [0.4, 0.85], "prevalence": [0.4, 0.52, 0.08]}
    assert _call_probability(p, 1, ordinal)[0] == pytest.approx(0.9)  # P(Critical or Moderate)
    assert _call_probability(p, 0, ordinal)[0] == pytest.approx(0.2)
    assert _call_probability(p, 1, {"prevalence": [0.4, 0.52, 0.08]})[0] == pytest.approx(0.7)  # balanced rule
