"""The synthetic world against the papers (issue 28): GRACE's published curve, the published association of
qSOFA with death and ICU admission, NEWS2's discrimination of death; and the directions medicine knows hold in the
world itself (so that constraining the models to them costs nothing)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from emsync_desktop.ml.training.evidence import grace_probability, news2_totals, outcome_probabilities
from emsync_desktop.ml.training.population import Columns, draw_population
from emsync_desktop.ml.training.synthetic import draw_needs


@pytest.fixture(scope="module")
def world() -> tuple[Columns, np.ndarray, np.ndarray]:
    cols = draw_population(100_000, np.random.default_rng(7))
    outcomes = outcome_probabilities(cols)
    draw = np.random.default_rng(8).random((2, len(outcomes.death)))
    return cols, draw[0] < outcomes.death, draw[1] < outcomes.needs[:, 0]


def odds_ratio(outcome: np.ndarray, exposed: np.ndarray) -> float:
    a, b = outcome[exposed].mean(), outcome[~exposed].mean()
    return float((a / (1 - a)) / (b / (1 - b)))


def test_grace_curve_is_the_published_one() -> None:
    p = grace_probability(np.array([100.0, 140.0, 200.0, 250.0]))
    np.testing.assert_allclose(p * 100, [0.86, 2.62, 17.8, 52.57], atol=0.01)  # the paper's formula at those scores
    assert np.all(np.diff(grace_probability(np.arange(40.0, 320.0))) >= 0)


def test_qsofa_raises_death_and_icu_as_published(world) -> None:  # type: ignore[no-untyped-def]
    cols, death, icu = world
    qsofa = (cols["rr_per_min"] >= 22).astype(int) + (cols["sbp_mmhg"] <= 100) + (cols["consciousness_acvpu"] >= 1)
    positive = qsofa >= 2
    assert 3.6 <= odds_ratio(death, positive) <= 12  # published 3.6 (low-income settings) to 8.9 (US hospitals)
    assert 4.0 <= odds_ratio(icu, positive) <= 8.0  # published 5.7


def test_news2_ranks_deaths_like_published_cohorts(world) -> None:  # type: ignore[no-untyped-def]
    cols, death, _ = world
    assert 0.77 <= roc_auc_score(death, news2_totals(cols)) <= 0.90  # published 0.770 (ED sepsis) to 0.894


def test_older_age_never_lowers_urgency_icu_or_death_in_the_world(world) -> None:  # type: ignore[no-untyped-def]
    cols, _, _ = world
    young = outcome_probabilities(cols)
    older = outcome_probabilities(cols | {"age_years": np.minimum(cols["age_years"] + 10, 105)})
    assert np.all(older.urgency[:, 0] >= young.urgency[:, 0] - 1e-12)
    assert np.all(older.urgency[:, 2] <= young.urgency[:, 2] + 1e-12)
    assert np.all(older.needs[:, :4] >= young.needs[:, :4] - 1e-12)


def test_lower_spo2_never_lowers_urgency_or_icu_in_the_world(world) -> None:  # type: ignore[no-untyped-def]
    cols, _, _ = world
    usual = outcome_probabilities(cols)
    hypoxic = outcome_probabilities(cols | {"spo2_pct": np.maximum(cols["spo2_pct"] - 4, 70)})
    assert np.all(hypoxic.urgency[:, 0] >= usual.urgency[:, 0] - 1e-12)
    assert np.all(hypoxic.needs[:, 0] >= usual.needs[:, 0] - 1e-12)


def test_pain_and_opioids_are_as_often_as_in_us_emergency_departments(world) -> None:  # type: ignore[no-untyped-def]
    cols, _, _ = world
    severe = float((cols["pain_0_10"] >= 7).mean())
    assert 0.14 <= severe <= 0.22  # severe pain in about 40 % of the ~45 % of visits for pain (Chang 2014)
    opioids = float(outcome_probabilities(cols).needs[:, 5].mean())
    assert 0.075 <= opioids <= 0.105  # opioids given in the ED at 8.9 % of adult visits (NCHS Data Brief 338)


def test_shock_index_raises_death_as_published(world) -> None:  # type: ignore[no-untyped-def]
    cols, death, _ = world
    shock_index = cols["hr_bpm"] / cols["sbp_mmhg"]
    low, high = shock_index < 0.7, shock_index >= 1.0
    both = low | high
    assert 6.0 <= odds_ratio(death[both], high[both]) <= 14.0  # published 10.5 (PubMed 26144893)


@pytest.fixture(scope="module")
def drawn_needs(world) -> np.ndarray:  # type: ignore[no-untyped-def]
    cols, _, _ = world
    return draw_needs(cols, outcome_probabilities(cols), np.random.default_rng(9))


def test_icu_patients_are_ventilated_dialysed_and_sedated_as_published(world, drawn_needs) -> None:  # type: ignore[no-untyped-def]
    cols, _, _ = world
    icu, ventilated = drawn_needs[:, 0] == 1, drawn_needs[:, 1] == 1
    assert 0.30 <= drawn_needs[icu, 1].mean() <= 0.36  # 33 % of ICU admissions ventilated (Esteban 2002)
    assert 0.035 <= drawn_needs[icu, 3].mean() <= 0.052  # 4.3 % given renal replacement (Uchino 2005)
    assert 0.68 <= drawn_needs[ventilated, 4].mean() <= 0.76  # 72 % of the ventilated sedated (Payen 2007)
    assert 0.45 <= (cols["age_years"][ventilated] < 65).mean() <= 0.62  # 52.2 % of them under 65 (Wunsch 2010)


def test_the_needs_drawn_are_the_needs_modelled(world, drawn_needs) -> None:  # type: ignore[no-untyped-def]
    """Sedation is drawn given the drawn ventilation; its rate must still be the probability the yardstick uses."""
    cols, _, _ = world
    modelled = outcome_probabilities(cols).needs.mean(axis=0)
    np.testing.assert_allclose(drawn_needs.mean(axis=0), modelled, rtol=0.05)
