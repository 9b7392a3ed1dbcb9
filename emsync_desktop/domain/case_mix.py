"""Case mix (issue 25): who the transfers were for, by age band, sex, complaint group and severity, and whether two
of these go together, stated plainly with the test's caveats.

Each transfer request carries its case's age band, sex and complaint group (never the age itself or the complaint's
text); the server counts them per day and the desks read the counts. The test of independence itself (scipy) runs
in ``services.case_mix``; what it means and when it cannot be trusted is decided here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from emsync_desktop.domain.triage import GROUP_NAMES

AGE_BANDS = ("0-17", "18-39", "40-64", "65-79", "80+")
SEXES = ("female", "male", "other")
SEVERITIES = ("Critical", "Moderate", "Low urgency")
NOT_RECORDED = "not recorded"
_LABELS = {"altered_consciousness": "altered consciousness", "intoxication_psych": "intoxication / psychiatric",
           "pain_musculoskeletal": "musculoskeletal pain"}


def label(value: str) -> str:
    """A value as a coordinator reads it ("intoxication / psychiatric", not "intoxication_psych")."""
    return _LABELS.get(value, value.replace("_", " "))


class Dimension(StrEnum):
    AGE_BAND = "age band"
    SEX = "sex"
    COMPLAINT_GROUP = "complaint group"
    SEVERITY = "severity"


ORDER: dict[Dimension, tuple[str, ...]] = {Dimension.AGE_BAND: AGE_BANDS, Dimension.SEX: SEXES,
                                           Dimension.COMPLAINT_GROUP: GROUP_NAMES, Dimension.SEVERITY: SEVERITIES}
_POSITION = {Dimension.AGE_BAND: 0, Dimension.SEX: 1, Dimension.COMPLAINT_GROUP: 2, Dimension.SEVERITY: 3}


def age_band(age_years: int | None) -> str | None:
    if age_years is None or age_years < 0:
        return None
    for band, upper in zip(AGE_BANDS, (17, 39, 64, 79), strict=False):
        if age_years <= upper:
            return band
    return AGE_BANDS[-1]


@dataclass(frozen=True)
class CaseCount:
    """How many transfers had this combination; None: not recorded (an older app, or not known)."""

    age_band: str | None
    sex: str | None
    complaint_group: str | None
    severity: str | None
    n: int

    def value(self, dimension: Dimension) -> str | None:
        return (self.age_band, self.sex, self.complaint_group, self.severity)[_POSITION[dimension]]


@dataclass(frozen=True)
class Crosstab:
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    left_out: int  # transfers with either value not recorded

    @property
    def total(self) -> int:
        return sum(map(sum, self.counts))


def crosstab(counts: Iterable[CaseCount], rows: Dimension, columns: Dimension) -> Crosstab:
    """``rows`` × ``columns``, in their usual order, without empty rows or columns."""
    cells: dict[tuple[str, str], int] = {}
    left_out = 0
    for c in counts:
        r, k = c.value(rows), c.value(columns)
        if r is None or k is None:
            left_out += c.n
            continue
        cells[(r, k)] = cells.get((r, k), 0) + c.n
    row_names = tuple(v for v in ORDER[rows] if any(cells.get((v, k), 0) for k in ORDER[columns]))
    column_names = tuple(k for k in ORDER[columns] if any(cells.get((v, k), 0) for v in row_names))
    table = tuple(tuple(cells.get((r, k), 0) for k in column_names) for r in row_names)
    return Crosstab(row_names, column_names, table, left_out)


def expected_counts(table: Sequence[Sequence[int]]) -> list[list[float]]:
    """Each cell's count if rows and columns were independent: row total × column total / grand total."""
    rows = [sum(r) for r in table]
    columns = [sum(c) for c in zip(*table, strict=True)]
    total = sum(rows)
    return [[r * c / total for c in columns] for r in rows]


def cramers_v(chi2: float, n: int, shape: tuple[int, int]) -> float:
    """Cramér's V: 0 (no association) to 1, from the chi-square statistic of an r × c table of n counts."""
    smaller = min(shape) - 1
    return math.sqrt(chi2 / (n * smaller)) if n and smaller > 0 else 0.0


def strength(v: float) -> str:
    """Cohen's (1988) reading for a table with two or more degrees of freedom on its smaller side."""
    if v < 0.1:
        return "negligible"
    if v < 0.3:
        return "weak"
    return "moderate" if v < 0.5 else "strong"


def unreliable(expected: Sequence[Sequence[float]]) -> bool:
    """Cochran's (1954) rule broken: an expected count below 1, or more than a fifth of them below 5."""
    cells = [e for row in expected for e in row]
    return any(e < 1 for e in cells) or sum(1 for e in cells if e < 5) > len(cells) / 5


def caveats(crosstab: Crosstab, expected: Sequence[Sequence[float]]) -> list[str]:
    """What limits the chi-square approximation, and what the table leaves out."""
    out: list[str] = []
    cells = [e for row in expected for e in row]
    low = sum(1 for e in cells if e < 5)
    if unreliable(expected):
        out.append(f"{low} of {len(cells)} cells have fewer than 5 expected transfers: the p-value is unreliable. "
                   "Choose a longer period, or compare fewer groups.")
    elif low:
        out.append(f"{low} of {len(cells)} cells have fewer than 5 expected transfers (within Cochran's rule).")
    if crosstab.left_out:
        out.append(f"{crosstab.left_out} transfers without both values recorded are left out.")
    out.append("An association is not a cause, and these are transfers, not all patients.")
    return out


def finding(outcome: Dimension, groups: Dimension, p_value: float, v: float, *, reliable: bool = True) -> str:
    """The answer to "does <outcome> differ by <groups>?" in words: no "yes" the test cannot carry (too few
    expected counts) and none a coordinator could not use (a negligible association, however small its p)."""
    test = f"chi-square {_p(p_value)}, Cramér's V = {v:.2f}"
    if not reliable:
        return f"Cannot tell: too few transfers in some cells for the test to be trusted ({test})."
    if p_value >= 0.05:
        return f"No clear difference: {outcome} by {groups} is consistent with chance ({test})."
    if strength(v) == "negligible":
        return (f"A difference too small to matter: {outcome} differs by {groups} beyond chance, but the "
                f"association is negligible ({test}).")
    return f"Yes: {outcome} differs by {groups}; the association is {strength(v)} ({test})."


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
