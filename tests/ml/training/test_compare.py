"""The retraining kit's comparison: two model sets on the same held-out rows, the shipped models keeping every
monotone direction, and a Markdown table naming both."""

from __future__ import annotations

from emsync_desktop.ml.registry import default_models_dir
from emsync_desktop.ml.training.compare import MONOTONE_CHECK, ModelSet, compare, comparison_markdown
from emsync_desktop.ml.training.dataset import stratified_split
from emsync_desktop.ml.training.synthetic import generate_cohort


def test_shipped_models_compared_with_themselves_agree_and_keep_every_direction() -> None:
    rows = stratified_split(generate_cohort(3000, seed=9, with_truth=False), seed=9).test
    shipped = ModelSet.load(default_models_dir(), "baseline")
    results = compare([shipped, ModelSet.load(default_models_dir(), "candidate")], rows)
    assert results["baseline"] == results["candidate"]
    assert results["baseline"]["monotone_violations"] == dict.fromkeys(MONOTONE_CHECK, 0.0)
    assert 0.5 < results["baseline"]["critical_auroc"] <= 1.0 and "cardiac" in results["baseline"]["death_auroc"]
    table = comparison_markdown(results, len(rows))
    assert f"Same {len(rows)} held-out rows" in table and "baseline (triage-" in table
