"""The synthetic cohort: reproducible, adult, urgency mix as designed, and its yardstick (the probability of each
outcome given the visible inputs) calibrated against the outcomes actually drawn."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from emsync_desktop.domain.triage import FEATURE_NAMES
from emsync_desktop.ml.training.synthetic import describe_marginals, generate_cohort


@pytest.fixture(scope="module")
def cohort():  # type: ignore[no-untyped-def]
    return generate_cohort(8000, seed=3)


def test_same_seed_gives_the_same_rows() -> None:
    a, b = generate_cohort(500, seed=11, with_truth=False), generate_cohort(500, seed=11, with_truth=False)
    np.testing.assert_array_equal(a.features, b.features)
    np.testing.assert_array_equal(a.needs, b.needs)


def test_rows_are_adults_in_feature_order_with_some_inputs_missing(cohort) -> None:  # type: ignore[no-untyped-def]
    assert cohort.features.shape == (8000, len(FEATURE_NAMES))
    assert 0.02 < np.isnan(cohort.features).mean() < 0.15
    spo2, age = (cohort.features[:, FEATURE_NAMES.index(n)] for n in ("spo2_pct", "age_years"))
    assert np.nanmax(spo2) <= 100 and np.nanmin(spo2) >= 70 and np.nanmin(age) >= 16


def test_urgency_mix_is_near_the_designed_one(cohort) -> None:  # type: ignore[no-untyped-def]
    assert np.allclose(describe_marginals(cohort)["severity_mix"], [0.40, 0.52, 0.08], atol=0.03)


def test_the_yardstick_is_calibrated(cohort) -> None:  # type: ignore[no-untyped-def]
    """If the probabilities are right, their average equals the observed frequency, per class and per need."""
    assert cohort.truth_severity is not None and cohort.truth_needs is not None
    np.testing.assert_allclose(cohort.truth_severity.sum(axis=1), 1.0, atol=1e-9)
    observed = np.eye(3)[cohort.severity].mean(axis=0)
    np.testing.assert_allclose(cohort.truth_severity.mean(axis=0), observed, atol=0.015)
    np.testing.assert_allclose(cohort.truth_needs.mean(axis=0), cohort.needs.mean(axis=0), atol=0.012)


def test_the_yardstick_separates_the_classes_but_not_perfectly(cohort) -> None:  # type: ignore[no-untyped-def]
    assert cohort.truth_severity is not None
    auroc = roc_auc_score(cohort.severity, cohort.truth_severity, multi_class="ovr")
    assert 0.8 < auroc < 0.97  # triage error and unseen high-risk situations keep it from certainty


def test_the_yardstick_uses_what_a_recorded_input_says_about_a_hidden_one() -> None:
    """SpO2 hidden for everyone: among patients recorded on oxygen the yardstick must still see them as sicker
    (the oxygen weighting); ACVPU hidden: a recorded GCS of 8 or less must make them sicker (drawn given GCS)."""
    from emsync_desktop.ml.training.evidence import outcome_probabilities
    from emsync_desktop.ml.training.population import draw_population
    from emsync_desktop.ml.training.synthetic import posterior

    full = draw_population(20_000, np.random.default_rng(21))
    truth = outcome_probabilities(full)
    for hidden, subset, column in (("spo2_pct", full["on_oxygen"] == 1, lambda o: o.needs[:, 0]),  # ICU
                                   ("consciousness_acvpu", full["gcs"] <= 8, lambda o: o.urgency[:, 0])):
        visible = full | {hidden: np.full(len(full["gcs"]), np.nan)}
        yardstick = column(posterior(visible, np.random.default_rng(22)))[subset].mean()
        expected, ignorant = column(truth)[subset].mean(), column(truth).mean()
        assert yardstick == pytest.approx(expected, rel=0.1), hidden
        assert abs(expected - ignorant) > 0.1 * expected  # the test would notice a yardstick that ignored it
