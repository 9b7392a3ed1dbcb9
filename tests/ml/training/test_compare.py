"""The retraining kit's comparison: two model sets on the same held-out rows, the shipped models keeping every
monotone direction, and a Markdown table naming both."""

from __future__ import annotations

import numpy as np

from emsync_desktop.ml.registry import default_models_dir
from emsync_desktop.ml.training.compare import (
    MONOTONE_CHECK,
    ModelSet,
    compare,
    comparison_markdown,
    paired_auroc_difference,
)
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


def test_the_death_ranking_difference_comes_with_an_interval_that_knows_how_sure_it_is() -> None:
    rng = np.random.default_rng(3)
    died = (rng.random(2000) < 0.05).astype(np.int64)
    informative, noise = died + rng.normal(0, 0.5, 2000), rng.random(2000)
    value, low, high = paired_auroc_difference(died, informative, noise, resamples=200)
    assert 0 < low <= value <= high  # clearly better: the whole interval above zero
    value, low, high = paired_auroc_difference(died, noise, noise, resamples=50)
    assert value == low == high == 0.0
    value, low, high = paired_auroc_difference(died[:200], noise[:200], rng.random(200), resamples=200)
    assert low < 0 < high  # two noise scores on ten deaths: nothing can be told apart
