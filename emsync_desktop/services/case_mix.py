"""The coordinator's case mix (issue 25): the network's transfers over a chosen period by age band, sex, complaint
group and severity, from the days the server counted (``CaseMixDayRecord``, synced), and the chi-square test of
independence (scipy) with Cramér's V for a question such as "does severity differ by complaint group?".

Threading: DB thread (reads only), then arithmetic. Days are UTC dates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from emsync_desktop.domain.case_mix import (
    ORDER,
    CaseCount,
    Crosstab,
    Dimension,
    caveats,
    cramers_v,
    crosstab,
    expected_counts,
    finding,
    unreliable,
)
from emsync_desktop.store.database import Store
from emsync_desktop.store.models_forecast import CaseMixDayRecord


@dataclass(frozen=True)
class Independence:
    chi2: float
    dof: int
    p_value: float
    cramers_v: float
    finding: str  # in words


@dataclass(frozen=True)
class CaseMix:
    first_day: date
    last_day: date
    days_counted: int  # days of the period the server has counted
    transfers: int
    synthetic: bool
    marginals: dict[Dimension, list[tuple[str, int]]]  # each dimension's values and counts, not recorded last
    table: Crosstab
    test: Independence | None  # None when the table is smaller than 2 × 2
    caveats: list[str]


def load_case_mix(store: Store, first_day: date, last_day: date, outcome: Dimension, groups: Dimension) -> CaseMix:
    """"Does ``outcome`` differ by ``groups``?": the table has a row per group and a column per outcome."""
    with store.sessions.begin() as session:
        days = list(session.scalars(select(CaseMixDayRecord).where(
            CaseMixDayRecord.id >= first_day.isoformat(), CaseMixDayRecord.id <= last_day.isoformat())))
        counts = [CaseCount(row[0], row[1], row[2], row[3], int(row[4]))
                  for day in days for row in json.loads(day.counts)]
        synthetic = any(day.synthetic for day in days)
    return summarise(counts, first_day, last_day, len(days), synthetic, outcome, groups)


def daily_totals(store: Store, first_day: date, last_day: date) -> list[tuple[str, int, int]]:
    """Per counted day of the period: (day, transfers, of which Critical)."""
    with store.sessions.begin() as session:
        days = list(session.scalars(select(CaseMixDayRecord).where(
            CaseMixDayRecord.id >= first_day.isoformat(), CaseMixDayRecord.id <= last_day.isoformat())
            .order_by(CaseMixDayRecord.id)))
        rows = [(day.id, json.loads(day.counts)) for day in days]
    return [(day, sum(int(r[4]) for r in counts), sum(int(r[4]) for r in counts if r[3] == "Critical"))
            for day, counts in rows]


def summarise(counts: list[CaseCount], first_day: date, last_day: date, days_counted: int, synthetic: bool,
              outcome: Dimension, groups: Dimension) -> CaseMix:
    table = crosstab(counts, groups, outcome)
    test, notes = None, []
    if outcome is groups:
        notes = [f"Choose two different things to compare: {outcome} against itself says nothing."]
    elif len(table.rows) >= 2 and len(table.columns) >= 2:
        test = independence(table, outcome, groups)
        notes = caveats(table, expected_counts(table.counts))
    elif table.total:
        notes = [f"Only one {groups if len(table.rows) < 2 else outcome} in this period: nothing to compare."]
    return CaseMix(first_day, last_day, days_counted, sum(c.n for c in counts), synthetic, marginals(counts), table,
                   test, notes)


def independence(table: Crosstab, outcome: Dimension, groups: Dimension) -> Independence:
    """Pearson's chi-square test without continuity correction (scipy), and Cramér's V (symmetric in the two)."""
    from scipy.stats import chi2_contingency

    result = chi2_contingency([list(r) for r in table.counts], correction=False)
    chi2, p_value, dof = float(result.statistic), float(result.pvalue), int(result.dof)
    v = cramers_v(chi2, table.total, (len(table.rows), len(table.columns)))
    reliable = not unreliable(expected_counts(table.counts))
    return Independence(chi2, dof, p_value, v, finding(outcome, groups, p_value, v, reliable=reliable))


def marginals(counts: list[CaseCount]) -> dict[Dimension, list[tuple[str, int]]]:
    out: dict[Dimension, list[tuple[str, int]]] = {}
    for dimension in Dimension:
        totals: dict[str | None, int] = {}
        for c in counts:
            totals[c.value(dimension)] = totals.get(c.value(dimension), 0) + c.n
        listed = [(value, totals[value]) for value in ORDER[dimension] if totals.get(value)]
        out[dimension] = listed + ([("not recorded", totals[None])] if totals.get(None) else [])
    return out
