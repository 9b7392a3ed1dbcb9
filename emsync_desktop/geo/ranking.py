"""Ranking hospitals for one patient: travel time, capability match, free beds. Pure.

The score is in minutes, so it reads as "as good as a hospital this many minutes away": the ETA,
plus a penalty for each capability the patient is predicted to need that the hospital lacks, plus a
penalty when the unit has no free bed (or only one, which may be gone on arrival).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from emsync_desktop.domain.triage import TriagePrediction
from emsync_desktop.geo.eta import Eta, LatLon

MISSING_CAPABILITY_MIN = 30.0
NO_FREE_BED_MIN = 60.0
LAST_BED_MIN = 5.0
CAPABILITY_LABELS = {"icu": "ICU", "ventilator": "ventilator", "dialysis": "dialysis", "cath_lab": "cath lab",
                     "stroke": "stroke unit", "trauma": "trauma centre", "paediatric": "paediatrics",
                     "burns": "burns unit", "neurosurgery": "neurosurgery"}
_NEED_CAPABILITY = {"icu": "icu", "ventilator": "ventilator", "dialysis": "dialysis"}
_GROUP_CAPABILITY = {"cardiac": "cath_lab", "neurological": "stroke", "trauma": "trauma"}
PAEDIATRIC_BELOW_YEARS = 16


@dataclass(frozen=True)
class HospitalOption:
    id: str
    name: str
    short_name: str
    position: LatLon
    capabilities: frozenset[str]
    free_beds: Mapping[str, int]  # unit -> available beds


@dataclass(frozen=True)
class RankedHospital:
    hospital: HospitalOption
    eta: Eta
    score_min: float
    free_in_unit: int
    missing: tuple[str, ...]
    why: str  # beds and capability match, without the ETA (shown beside it)

    @property
    def reason(self) -> str:
        """One line: travel time and its source, beds, capability match."""
        return f"{self.eta.describe()} · {self.why}"


def required_capabilities(triage: TriagePrediction | None, complaint_group: str, age_years: float | None
                          ) -> frozenset[str]:
    """What the patient is predicted or known to need: flagged needs, the complaint's specialty, age."""
    needed = {_NEED_CAPABILITY[n.name] for n in (triage.needs if triage else ()) if n.flagged
              and n.name in _NEED_CAPABILITY}
    if complaint_group in _GROUP_CAPABILITY:
        needed.add(_GROUP_CAPABILITY[complaint_group])
    if age_years is not None and age_years < PAEDIATRIC_BELOW_YEARS:
        needed.add("paediatric")
    return frozenset(needed)


def rank_hospitals(options: Sequence[HospitalOption], etas: Sequence[Eta], unit: str,
                   required: frozenset[str]) -> list[RankedHospital]:
    """Best first. ``etas[i]`` is the travel time to ``options[i]``."""
    ranked = [_rank_one(option, eta, unit, required) for option, eta in zip(options, etas, strict=True)]
    return sorted(ranked, key=lambda r: (r.score_min, r.eta.eta_s))


def _rank_one(option: HospitalOption, eta: Eta, unit: str, required: frozenset[str]) -> RankedHospital:
    free = option.free_beds.get(unit, 0)
    missing = tuple(sorted(required - option.capabilities))
    score = eta.minutes + MISSING_CAPABILITY_MIN * len(missing)
    score += NO_FREE_BED_MIN if free == 0 else LAST_BED_MIN if free == 1 else 0.0
    return RankedHospital(option, eta, round(score, 1), free, missing, _why(unit, free, required, missing))


def describe_needs(required: frozenset[str]) -> str:
    return ", ".join(CAPABILITY_LABELS.get(c, c) for c in sorted(required)) or "none flagged"


def _why(unit: str, free: int, required: frozenset[str], missing: tuple[str, ...]) -> str:
    beds = f"no free {unit} bed" if free == 0 else f"{free} {unit} bed{'s' if free != 1 else ''} free"
    parts = [beds]
    if missing:
        parts.append("lacks " + ", ".join(CAPABILITY_LABELS.get(c, c) for c in missing))
    elif required:
        parts.append("all needs met")
    return " · ".join(parts)
