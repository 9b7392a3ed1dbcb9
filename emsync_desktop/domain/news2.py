"""NEWS2 (Royal College of Physicians, 2017) and shock index.

Scoring follows the RCP NEWS2 chart exactly, including SpO2 scale 2 (for patients
with hypercapnic respiratory failure and a prescribed target of 88-92 %) where
scores above 92 % count only on supplemental oxygen.

Thresholds are written as inclusive upper bounds so that fractional inputs fall
on the same side of a boundary as the chart's integer rows
(e.g. temperature 36.05 °C is in the 35.1-36.0 row).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from emsync_desktop.domain.vitals import Consciousness, Vitals

# (inclusive upper bound, points); the last row has bound None = "and above".
_RR_ROWS = ((8, 3), (11, 1), (20, 0), (24, 2), (None, 3))
_SPO2_SCALE1_ROWS = ((91, 3), (93, 2), (95, 1), (None, 0))
_SPO2_SCALE2_AIR_ROWS = ((83, 3), (85, 2), (87, 1), (None, 0))
_SPO2_SCALE2_O2_ROWS = ((83, 3), (85, 2), (87, 1), (92, 0), (94, 1), (96, 2), (None, 3))
_SBP_ROWS = ((90, 3), (100, 2), (110, 1), (219, 0), (None, 3))
_HR_ROWS = ((40, 3), (50, 1), (90, 0), (110, 1), (130, 2), (None, 3))
_TEMP_ROWS = ((35.0, 3), (36.0, 1), (38.0, 0), (39.0, 1), (None, 2))

SCALE1_ROWS = {"rr": _RR_ROWS, "spo2": _SPO2_SCALE1_ROWS, "sbp": _SBP_ROWS, "hr": _HR_ROWS, "temp": _TEMP_ROWS}
"""The chart's rows of each measured parameter on SpO2 scale 1 (oxygen scores 2, new confusion or worse 3)."""

PARAMETERS = ("rr", "spo2", "air_or_oxygen", "sbp", "hr", "consciousness", "temp")
PARAMETER_LABELS = {
    "rr": "Respiration rate",
    "spo2": "SpO2",
    "air_or_oxygen": "Air or oxygen",
    "sbp": "Systolic BP",
    "hr": "Pulse",
    "consciousness": "Consciousness",
    "temp": "Temperature",
}


class News2Band(StrEnum):
    """Clinical risk bands of the aggregate score."""

    ZERO = "zero"
    LOW = "low"
    LOW_MEDIUM = "low-medium"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def label(self) -> str:
        return _BAND_LABELS[self]


_BAND_LABELS = {
    News2Band.ZERO: "No risk flagged (0)",
    News2Band.LOW: "Low (1-4)",
    News2Band.LOW_MEDIUM: "Low-medium (single parameter 3)",
    News2Band.MEDIUM: "Medium (5-6)",
    News2Band.HIGH: "High (7+)",
}


@dataclass(frozen=True)
class News2Result:
    """Aggregate score, its band, the points of each parameter and what was missing.

    ``complete`` is False when a parameter could not be scored; ``total`` then
    counts only the scored parameters and is a lower bound.
    """

    total: int
    band: News2Band
    parts: dict[str, int]
    missing: tuple[str, ...]
    spo2_scale: int

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def any_single_three(self) -> bool:
        return any(points == 3 for points in self.parts.values())


def _points(value: float, rows: tuple[tuple[float | None, int], ...]) -> int:
    for bound, points in rows:
        if bound is None or value <= bound:
            return points
    raise AssertionError("score rows must end with an open bound")


def score_spo2(spo2_pct: float, on_oxygen: bool, scale: int) -> int:
    if scale == 1:
        return _points(spo2_pct, _SPO2_SCALE1_ROWS)
    rows = _SPO2_SCALE2_O2_ROWS if on_oxygen else _SPO2_SCALE2_AIR_ROWS
    return _points(spo2_pct, rows)


def band_for(total: int, any_single_three: bool) -> News2Band:
    if total >= 7:
        return News2Band.HIGH
    if total >= 5:
        return News2Band.MEDIUM
    if any_single_three:
        return News2Band.LOW_MEDIUM
    if total >= 1:
        return News2Band.LOW
    return News2Band.ZERO


def compute_news2(vitals: Vitals, spo2_scale: int = 1) -> News2Result:
    """Score one set of observations. ``spo2_scale`` is 1 or 2 (clinician's choice)."""
    if spo2_scale not in (1, 2):
        raise ValueError("spo2_scale must be 1 or 2")
    parts: dict[str, int] = {}
    if vitals.rr_per_min is not None:
        parts["rr"] = _points(vitals.rr_per_min, _RR_ROWS)
    if vitals.spo2_pct is not None and (spo2_scale == 1 or vitals.on_oxygen is not None):
        parts["spo2"] = score_spo2(vitals.spo2_pct, bool(vitals.on_oxygen), spo2_scale)
    if vitals.on_oxygen is not None:
        parts["air_or_oxygen"] = 2 if vitals.on_oxygen else 0
    if vitals.sbp_mmhg is not None:
        parts["sbp"] = _points(vitals.sbp_mmhg, _SBP_ROWS)
    if vitals.hr_bpm is not None:
        parts["hr"] = _points(vitals.hr_bpm, _HR_ROWS)
    if vitals.consciousness is not None:
        parts["consciousness"] = 0 if vitals.consciousness is Consciousness.ALERT else 3
    if vitals.temp_c is not None:
        parts["temp"] = _points(vitals.temp_c, _TEMP_ROWS)
    total = sum(parts.values())
    missing = tuple(p for p in PARAMETERS if p not in parts)
    band = band_for(total, any(v == 3 for v in parts.values()))
    return News2Result(total=total, band=band, parts=parts, missing=missing, spo2_scale=spo2_scale)


@dataclass(frozen=True)
class TimedNews2:
    taken_at: datetime
    result: News2Result


@dataclass(frozen=True)
class News2Status:
    """What a case shows for NEWS2 (docs/decisions.md, "NEWS2 from incomplete sets").

    A score counts only when its set has all seven parameters: ``latest_complete`` is the newest such set.
    ``in_progress`` is the newest set when it is incomplete (e.g. a new set being typed in); its total
    covers only what was recorded, so it is a lower bound and is never shown as the score, never
    plotted beside complete ones. Nothing is carried forward from earlier sets."""

    latest_complete: TimedNews2 | None
    in_progress: TimedNews2 | None
    complete_sets: tuple[TimedNews2, ...] = ()  # every complete set, oldest first (the trend)

    @property
    def headline(self) -> TimedNews2 | None:
        """What the badge shows: the last complete score, unless the set in progress already guarantees
        a higher one (its lower bound); then that lower bound, marked incomplete. Never a falsely low score."""
        complete, partial = self.latest_complete, self.in_progress
        if partial is None or partial.result.total == 0:
            return complete
        if complete is None or _risk(partial.result) > _risk(complete.result):
            return partial
        return complete

    @property
    def recorded(self) -> int:
        """Parameters recorded in the set in progress (of 7)."""
        return len(PARAMETERS) - len(self.in_progress.result.missing) if self.in_progress else len(PARAMETERS)


_BAND_ORDER = (News2Band.ZERO, News2Band.LOW, News2Band.LOW_MEDIUM, News2Band.MEDIUM, News2Band.HIGH)


def _risk(result: News2Result) -> tuple[int, int]:
    """Band, then total: for a partial set both are lower bounds (more parameters only add points)."""
    return _BAND_ORDER.index(result.band), result.total


def news2_status(sets: Sequence[TimedNews2]) -> News2Status:
    """``sets``: every non-empty observation set of a case, oldest first."""
    complete_sets = tuple(s for s in sets if s.result.complete)
    newest = sets[-1] if sets else None
    in_progress = newest if newest is not None and not newest.result.complete else None
    return News2Status(latest_complete=complete_sets[-1] if complete_sets else None, in_progress=in_progress,
                       complete_sets=complete_sets)


def score_text(result: News2Result) -> str:
    """'15' for a complete set; '≥ 6' for an incomplete one (a lower bound)."""
    return str(result.total) if result.complete else f"≥ {result.total}"


def response_for(band: News2Band) -> str:
    """RCP recommended clinical response for a band (short form)."""
    return _RESPONSES[band]


_RESPONSES = {
    News2Band.ZERO: "Continue routine monitoring.",
    News2Band.LOW: "Assess; decide on frequency of monitoring.",
    News2Band.LOW_MEDIUM: "Urgent review by a clinician for the parameter scoring 3.",
    News2Band.MEDIUM: "Urgent response: review by a clinician with acute-illness competencies.",
    News2Band.HIGH: "Emergency response: critical-care team, consider ICU.",
}


@dataclass(frozen=True)
class ShockIndex:
    """Heart rate divided by systolic BP. >= 0.9 is raised, >= 1.3 is severe."""

    value: float

    @property
    def level(self) -> str:
        if self.value >= 1.3:
            return "severe"
        if self.value >= 0.9:
            return "raised"
        return "normal"


def compute_shock_index(vitals: Vitals) -> ShockIndex | None:
    if vitals.hr_bpm is None or not vitals.sbp_mmhg:
        return None
    return ShockIndex(round(vitals.hr_bpm / vitals.sbp_mmhg, 2))
