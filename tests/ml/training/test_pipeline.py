"""The whole training pipeline on a small cohort: train, export, parity on 10,000 rows, load, predict."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from emsync_desktop.ml.registry import load_manifest
from emsync_desktop.ml.training.__main__ import main
from emsync_desktop.ml.training.dataset import stratified_split
from emsync_desktop.ml.training.export import PARITY_ROWS, check_parity, parity_rows, to_onnx
from emsync_desktop.ml.training.synthetic import generate_cohort
from emsync_desktop.ml.training.triage_training import train_need
from emsync_desktop.ml.triage import MODEL_NAMES, TriageModels
from tests.ml.signing_keys import TEST_KEY_PEM, TEST_TRUST
from tests.ml.test_triage_runtime import SICK, WELL


@pytest.fixture(scope="module")
def trained_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("models")
    key = out.parent / "maker.pem"
    key.write_bytes(TEST_KEY_PEM)
    assert main(["triage", "--rows", "3000", "--seed", "5", "--out", str(out), "--report", str(out / "r.md"),
                 "--version", "triage-test-synthetic", "--sign-key", str(key)]) == 0
    return out


def test_one_command_writes_seven_models_manifest_and_report(trained_dir: Path) -> None:
    triage = load_manifest(trained_dir)["triage"]
    assert set(triage["models"]) == set(MODEL_NAMES)
    assert all((trained_dir / e["file"]).exists() for e in triage["models"].values())
    report = (trained_dir / "r.md").read_text()
    assert "Bayes-optimal" in report and "NEWS2" in report and "test rows" in report


def test_exported_onnx_equals_xgboost_within_1e5_on_10000_rows() -> None:
    cohort = generate_cohort(2000, seed=8, with_truth=False)
    split = stratified_split(cohort, seed=8)
    trained = train_need(split, 0, seed=8)
    rows = parity_rows(split.test.features, seed=8)
    assert len(rows) == PARITY_ROWS and np.isnan(rows).any()
    assert check_parity(trained, to_onnx(trained), rows) <= 1e-5


def test_held_out_metrics_are_measured_and_plausible(trained_dir: Path) -> None:
    severity = load_manifest(trained_dir)["triage"]["models"]["severity"]["metrics"]
    model, bayes = severity["model"], severity["bayes_optimal"]
    assert model["n"] == 600  # the 20 % test split of 3000 rows
    assert 0.5 < model["auroc_macro_ovr"] <= bayes["auroc_macro_ovr"] + 0.02


def test_the_app_runtime_uses_freshly_trained_models(trained_dir: Path) -> None:
    models = TriageModels(trained_dir, TEST_TRUST)
    assert models.version == "triage-test-synthetic"
    assert models.predict(SICK).severity_probabilities["Critical"] > models.predict(WELL).severity_probabilities[
        "Critical"]


def test_training_is_reproducible(trained_dir: Path, tmp_path: Path) -> None:
    main(["triage", "--rows", "3000", "--seed", "5", "--out", str(tmp_path), "--version", "triage-test-synthetic"])
    first, again = load_manifest(trained_dir)["triage"], load_manifest(tmp_path)["triage"]
    for name in MODEL_NAMES:
        assert first["models"][name]["sha256"] == again["models"][name]["sha256"], name
