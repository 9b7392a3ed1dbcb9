from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from emsync_desktop.domain.triage import FEATURE_NAMES
from emsync_desktop.ml.training.synthetic import PRIORS, describe_marginals, generate_cohort


@pytest.fixture(scope="module")
def cohort():  # type: ignore[no-untyped-def]
    return generate_cohort(6000, seed=3)


def test_same_seed_gives_the_same_rows() -> None:
    a, b = generate_cohort(500, seed=11, with_truth=False), generate_cohort(500, seed=11, with_truth=False)
    np.testing.assert_array_equal(a.features, b.features)
    np.testing.assert_array_equal(a.needs, b.needs)


def test_rows_are_in_feature_order_with_some_inputs_missing(cohort) -> None:  # type: ignore[no-untyped-def]
    assert cohort.features.shape == (6000, len(FEATURE_NAMES))
    assert 0.02 < np.isnan(cohort.features).mean() < 0.15
    spo2 = cohort.features[:, FEATURE_NAMES.index("spo2_pct")]
    assert np.nanmax(spo2) <= 100 and np.nanmin(spo2) >= 70


def test_urgency_mix_follows_the_priors(cohort) -> None:  # type: ignore[no-untyped-def]
    mix = describe_marginals(cohort)["severity_mix"]
    assert np.allclose(mix, PRIORS, atol=0.02)


def test_exact_posterior_is_calibrated(cohort) -> None:  # type: ignore[no-untyped-def]
    """If the posterior is right, its average equals the observed frequency, per class and per need."""
    assert cohort.truth_severity is not None and cohort.truth_needs is not None
    np.testing.assert_allclose(cohort.truth_severity.sum(axis=1), 1.0, atol=1e-9)
    observed = np.eye(3)[cohort.severity].mean(axis=0)
    np.testing.assert_allclose(cohort.truth_severity.mean(axis=0), observed, atol=0.015)
    np.testing.assert_allclose(cohort.truth_needs.mean(axis=0), cohort.needs.mean(axis=0), atol=0.012)


def test_posterior_separates_the_classes_as_designed(cohort) -> None:  # type: ignore[no-untyped-def]
    assert cohort.truth_severity is not None
    auroc = roc_auc_score(cohort.severity, cohort.truth_severity, multi_class="ovr")
    assert 0.85 < auroc < 0.99  # informative, but not trivially separable
