"""SBAR handoff draft built from a case.

The draft is regenerated whenever the case changes; a handoff sent to a hospital
freezes one version of it (append-only, see DESIGN.md section 3).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from emsync_desktop.domain.news2 import (
    PARAMETER_LABELS,
    compute_news2,
    compute_shock_index,
    response_for,
)
from emsync_desktop.domain.patient import CaseDetails, Sex
from emsync_desktop.domain.vitals import NUMERIC_SPECS, Vitals


@dataclass(frozen=True)
class TriageSummary:
    """What triage and ranking add to the handoff (filled by later features)."""

    urgency: str | None = None
    model_version: str | None = None
    suggested_unit: str | None = None
    destination: str | None = None
    eta_min: float | None = None
    eta_source: str | None = None  # e.g. "offline road graph", "straight-line estimate"


@dataclass(frozen=True)
class Sbar:
    situation: str
    background: str
    assessment: str
    recommendation: str
    pending: tuple[str, ...] = field(default=())

    def as_text(self) -> str:
        return "\n\n".join(
            f"{title}\n{body}"
            for title, body in (
                ("SITUATION", self.situation),
                ("BACKGROUND", self.background),
                ("ASSESSMENT", self.assessment),
                ("RECOMMENDATION", self.recommendation),
            )
        )


def build_sbar(
    details: CaseDetails,
    vitals_series: list[Vitals],
    triage: TriageSummary | None = None,
    now: datetime | None = None,
) -> Sbar:
    """Build the SBAR draft. ``vitals_series`` is ordered oldest first."""
    triage = triage or TriageSummary()
    latest = _latest_non_empty(vitals_series)
    pending: list[str] = []
    situation = _situation(details, latest, triage, pending)
    background = _background(details)
    assessment = _assessment(latest, vitals_series, details.spo2_scale, now)
    recommendation = _recommendation(latest, details.spo2_scale, triage, pending)
    return Sbar(situation, background, assessment, recommendation, tuple(pending))


def _latest_non_empty(series: list[Vitals]) -> Vitals | None:
    for vitals in reversed(series):
        if not vitals.is_empty():
            return vitals
    return None


def _who(details: CaseDetails) -> str:
    age = f"{details.age_years}-year-old" if details.age_years is not None else "Age unknown"
    sex = "" if details.sex is Sex.UNKNOWN else f" {details.sex.value}"
    return f"{age}{sex}"


def _situation(
    details: CaseDetails, latest: Vitals | None, triage: TriageSummary, pending: list[str]
) -> str:
    complaint = _sentence_case(details.chief_complaint.strip()) or "chief complaint not yet recorded"
    lines = [f"{_who(details)} with {complaint}."]
    if latest is not None:
        news2 = compute_news2(latest, details.spo2_scale)
        partial = "" if news2.complete else " (partial)"
        lines.append(f"NEWS2 {news2.total}{partial}: {news2.band.label} risk.")
    if triage.urgency:
        lines.append(f"Urgency (model {triage.model_version}): {triage.urgency}.")
    else:
        pending.append("urgency from triage")
    return " ".join(lines)


def _sentence_case(text: str) -> str:
    """'Central chest pain' -> 'central chest pain'; leaves acronyms ('RTA', 'COPD') alone."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _background(details: CaseDetails) -> str:
    parts = [
        ("History", details.history),
        ("Allergies", details.allergies or "not recorded"),
        ("Medications", details.medications),
    ]
    return "\n".join(f"{label}: {value.strip() or 'none recorded'}" for label, value in parts)


def _format_vital(vitals: Vitals, name: str) -> str | None:
    value = getattr(vitals, name)
    if value is None:
        return None
    spec = NUMERIC_SPECS[name]
    shown = f"{value:.1f}" if not spec.integer else f"{value:.0f}"
    return f"{spec.label} {shown}{(' ' + spec.unit) if spec.unit else ''}"


def _assessment(latest: Vitals | None, series: list[Vitals], scale: int, now: datetime | None) -> str:
    if latest is None:
        return "No observations recorded yet."
    when = latest.taken_at.strftime("%H:%M")
    shown = [_format_vital(latest, n) for n in ("hr_bpm", "rr_per_min", "spo2_pct", "temp_c")]
    if latest.sbp_mmhg is not None:
        dbp = f"/{latest.dbp_mmhg:.0f}" if latest.dbp_mmhg is not None else ""
        shown.append(f"BP {latest.sbp_mmhg:.0f}{dbp} mmHg")
    if latest.on_oxygen is not None:
        shown.append("on oxygen" if latest.on_oxygen else "on air")
    if latest.consciousness is not None:
        shown.append(latest.consciousness.label)
    shown += [_format_vital(latest, n) for n in ("gcs", "pain_0_10", "glucose_mg_dl")]
    lines = [f"Observations at {when}: " + ", ".join(s for s in shown if s) + "."]
    news2 = compute_news2(latest, scale)
    scored = ", ".join(f"{PARAMETER_LABELS[k]} {v}" for k, v in news2.parts.items() if v)
    lines.append(f"NEWS2 {news2.total} (SpO2 scale {scale})" + (f": {scored}." if scored else "."))
    if news2.missing:
        lines.append("Not scored (missing): " + ", ".join(PARAMETER_LABELS[m] for m in news2.missing) + ".")
    shock = compute_shock_index(latest)
    if shock is not None:
        lines.append(f"Shock index {shock.value:.2f} ({shock.level}).")
    trend = _trend(series, scale)
    if trend:
        lines.append(trend)
    return "\n".join(lines)


def _trend(series: list[Vitals], scale: int) -> str | None:
    scored = [compute_news2(v, scale).total for v in series if not v.is_empty()]
    if len(scored) < 2:
        return None
    first, last = scored[0], scored[-1]
    direction = "rising" if last > first else "falling" if last < first else "unchanged"
    return f"NEWS2 trend over {len(scored)} sets: {first} to {last} ({direction})."


def _recommendation(
    latest: Vitals | None, scale: int, triage: TriageSummary, pending: list[str]
) -> str:
    lines = []
    if latest is not None:
        lines.append(response_for(compute_news2(latest, scale).band))
    if triage.suggested_unit:
        lines.append(f"Requested unit: {triage.suggested_unit}.")
    else:
        lines.append("Requested unit: pending triage and hospital ranking.")
        pending.append("requested unit")
    if triage.destination:
        source = f" ({triage.eta_source})" if triage.eta_source else ""
        eta = f", ETA {triage.eta_min:.0f} min{source}" if triage.eta_min is not None else ""
        lines.append(f"Destination: {triage.destination}{eta}.")
    return "\n".join(lines)
