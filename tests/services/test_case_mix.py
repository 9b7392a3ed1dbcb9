"""The desk's case mix: the chi-square test checked against a known table, and the period's counts read from the
days the server counted and synced."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from emsync_desktop.domain.case_mix import Crosstab, Dimension
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.case_mix import independence, load_case_mix
from emsync_desktop.sync.local import store_changes
from emsync_desktop.sync.protocol import CASE_MIX_ENTITY, Change

DAY = date(2026, 11, 20)


def test_the_chi_square_matches_the_known_table() -> None:
    # scipy.stats.chi2_contingency's documented example: chi2 = 2.7778, p = 0.2494, dof = 2 (expected 12 12 16 / 18
    # 18 24, worked by hand: sum of (o - e)^2 / e = 4/12 + 4/12 + 16/16 + 4/18 + 4/18 + 16/24 = 2.7778).
    table = Crosstab(("a", "b"), ("x", "y", "z"), ((10, 10, 20), (20, 20, 20)), 0)
    test = independence(table, Dimension.SEVERITY, Dimension.COMPLAINT_GROUP)
    assert test.chi2 == pytest.approx(2.777778, abs=1e-6) and test.dof == 2
    assert test.p_value == pytest.approx(0.249352, abs=1e-6)
    assert test.cramers_v == pytest.approx((2.777778 / 100) ** 0.5, abs=1e-6)
    assert test.finding.startswith("No clear difference")


def day(seq: int, when: date, counts: list[list[object]], version: int = 1) -> Change:
    data = {"id": when.isoformat(), "day": when.isoformat(), "counts": counts, "synthetic": False, "version": version}
    return Change(seq=seq, entity=CASE_MIX_ENTITY, entity_id=when.isoformat(), version=version, data=data)


def test_the_period_adds_up_its_days_and_leaves_out_the_others(app_context: AppContext) -> None:
    store_changes(app_context.store, [
        day(1, DAY, [["18-39", "male", "trauma", "Critical", 20], ["65-79", "female", "cardiac", "Moderate", 30]]),
        day(2, DAY + timedelta(days=1), [["18-39", "male", "trauma", "Moderate", 25],
                                         ["65-79", "female", "cardiac", "Critical", 25], [None, None, None, None, 3]]),
        day(3, DAY - timedelta(days=1), [["80+", "male", "cardiac", "Critical", 99]])], 3)
    mix = load_case_mix(app_context.store, DAY, DAY + timedelta(days=1), Dimension.SEVERITY, Dimension.COMPLAINT_GROUP)
    assert mix.days_counted == 2 and mix.transfers == 103 and mix.table.left_out == 3
    assert mix.table.counts == ((25, 30), (20, 25))  # rows cardiac, trauma; columns Critical, Moderate
    assert mix.marginals[Dimension.SEX] == [("female", 55), ("male", 45), ("not recorded", 3)]
    assert mix.test is not None and "3 transfers without both values recorded are left out." in mix.caveats


def test_a_dimension_against_itself_is_not_tested(app_context: AppContext) -> None:
    store_changes(app_context.store, [day(1, DAY, [["18-39", "male", "trauma", "Critical", 20],
                                                   ["65-79", "female", "cardiac", "Moderate", 30]])], 1)
    mix = load_case_mix(app_context.store, DAY, DAY, Dimension.SEVERITY, Dimension.SEVERITY)
    assert mix.test is None and mix.caveats[0].startswith("Choose two different things")
