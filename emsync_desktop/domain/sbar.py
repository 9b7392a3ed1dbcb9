"""SBAR handoff draft built from a case.

The draft is regenerated whenever the case changes; a handoff sent to a hospital
freezes one version of it (append-only, see DESIGN.md section 3).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from emsync_desktop.domain.history import HistoryItem
from emsync_desktop.domain.local_time import clock, stamped
from emsync_desktop.domain.news2 import (
    PARAMETER_LABELS,
    News2Status,
    TimedNews2,
    compute_news2,
    compute_shock_index,
    news2_status,
    response_for,
    score_text,
)
from emsync_desktop.domain.patient import CaseDetails, Sex
from emsync_desktop.domain.record_summary import (
    CaseRecord,
    history_lines,
    merged_answer_text,
    timeline_text,
    treatment_lines,
)
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
    unit: str | None = None  # the unit the transfer asks for at the destination
    sent_at: datetime | None = None  # when the handoff was sent (UTC; shown in local time with its zone)
    crew: str | None = None  # who sends it, e.g. "Asha Menon"
    ambulance: str | None = None  # e.g. "KL-07 AMB 108"
    crew_phone: str | None = None  # how the ward reaches the crew


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
    record: CaseRecord | None = None,
) -> Sbar:
    """Build the SBAR draft. ``vitals_series`` is ordered oldest first. ``record``: the case record's
    timeline, SAMPLE history and weight (background) and the drugs and procedures given (assessment)."""
    triage = triage or TriageSummary()
    record = record or CaseRecord()
    latest = _latest_non_empty(vitals_series)
    status = news2_status([TimedNews2(v.taken_at, compute_news2(v, details.spo2_scale))
                           for v in vitals_series if not v.is_empty()])
    pending: list[str] = []
    situation = _situation(details, status, triage, pending)
    background = _background(details, record)
    assessment = "\n".join([_assessment(latest, status, details.spo2_scale), *treatment_lines(record)])
    recommendation = _recommendation(status, triage, pending)
    return Sbar(_bounded(situation), _bounded(background), _bounded(assessment), _bounded(recommendation),
                tuple(pending))


MAX_SECTION_CHARS = 20_000
"""The longest section a handoff carries (the wire's limit, sync.protocol.LongText): a longer one would
make the whole transfer request invalid, so it is cut at a line, saying so."""
SHORTENED = "\n… shortened here: every entry of the case record reaches the ward with the transfer."


def _bounded(text: str) -> str:
    if len(text) <= MAX_SECTION_CHARS:
        return text
    kept = text[:MAX_SECTION_CHARS - len(SHORTENED)]
    return (kept.rsplit("\n", 1)[0] if "\n" in kept else kept) + SHORTENED


def _latest_non_empty(series: list[Vitals]) -> Vitals | None:
    for vitals in reversed(series):
        if not vitals.is_empty():
            return vitals
    return None


def _who(details: CaseDetails) -> str:
    age = f"{details.age_years}-year-old" if details.age_years is not None else "Age unknown"
    sex = "" if details.sex is Sex.UNKNOWN else f" {details.sex.value}"
    return f"{age}{sex}"


def _situation(details: CaseDetails, status: News2Status, triage: TriageSummary, pending: list[str]) -> str:
    complaint = _sentence_case(details.chief_complaint.strip()) or "chief complaint not yet recorded"
    lines = [f"{_who(details)} with {complaint}."]
    news2 = news2_sentence(status)
    if news2:
        lines.append(news2)
    if triage.urgency:
        lines.append(f"Urgency (model {triage.model_version}): {triage.urgency}.")
    else:
        pending.append("urgency from triage")
    return " ".join(lines)


def news2_sentence(status: News2Status) -> str | None:
    """'NEWS2 7 (set of 07:32): High (7+) risk.' — only complete sets count as a score; an incomplete
    newest set is named as such, with what it already guarantees."""
    headline, complete = status.headline, status.latest_complete
    if headline is None:
        if status.in_progress is None:
            return None
        return f"NEWS2 not yet scored ({status.recorded} of 7 parameters recorded)."
    if headline.result.complete:
        return f"NEWS2 {headline.result.total} (set of {clock(headline.taken_at)}): {headline.result.band.label} risk."
    last = f"; last complete {complete.result.total} at {clock(complete.taken_at)}" if complete else ""
    return (f"NEWS2 {score_text(headline.result)} from an incomplete set of {clock(headline.taken_at)} "
            f"({status.recorded} of 7 recorded{last}): at least {headline.result.band.label} risk.")


def _sentence_case(text: str) -> str:
    """'Central chest pain' -> 'central chest pain'; leaves acronyms ('RTA', 'COPD') alone."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _background(details: CaseDetails, record: CaseRecord) -> str:
    """The case form's free text, merged with the SAMPLE history where one was saved (a list answer the
    form contradicts keeps both), then the rest of SAMPLE, the weight and the timeline."""
    sample = record.sample
    lines = [
        f"History: {details.history.strip() or 'none recorded'}",
        "Allergies: " + merged_answer_text(HistoryItem.ALLERGIES, sample.allergies if sample else None,
                                           details.allergies, "not recorded"),
        "Medications: " + merged_answer_text(HistoryItem.MEDICATIONS, sample.medications if sample else None,
                                             details.medications, "none recorded"),
    ]
    if sample is not None:
        lines += history_lines(sample)
    if record.timeline:
        lines.append(f"Timeline: {timeline_text(record.timeline)}")
    return "\n".join(lines)


def _format_vital(vitals: Vitals, name: str) -> str | None:
    value = getattr(vitals, name)
    if value is None:
        return None
    spec = NUMERIC_SPECS[name]
    shown = f"{value:.1f}" if not spec.integer else f"{value:.0f}"
    return f"{spec.label} {shown}{(' ' + spec.unit) if spec.unit else ''}"


def _assessment(latest: Vitals | None, status: News2Status, scale: int) -> str:
    if latest is None:
        return "No observations recorded yet."
    when = clock(latest.taken_at)
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
    complete = status.latest_complete
    if complete is not None:
        scored = ", ".join(f"{PARAMETER_LABELS[k]} {v}" for k, v in complete.result.parts.items() if v)
        lines.append(f"NEWS2 {complete.result.total} (set of {clock(complete.taken_at)}, SpO2 scale {scale})"
                     + (f": {scored}." if scored else "."))
    if status.in_progress is not None:
        missing = ", ".join(PARAMETER_LABELS[m] for m in status.in_progress.result.missing)
        lines.append(f"Set of {clock(status.in_progress.taken_at)} incomplete, not scored (missing: {missing}).")
    shock = compute_shock_index(latest)
    if shock is not None:
        lines.append(f"Shock index {shock.value:.2f} ({shock.level}).")
    trend = _trend(status)
    if trend:
        lines.append(trend)
    return "\n".join(lines)


def _trend(status: News2Status) -> str | None:
    scored = status.complete_sets
    if len(scored) < 2:
        return None
    first, last = scored[0].result.total, scored[-1].result.total
    direction = "rising" if last > first else "falling" if last < first else "unchanged"
    return f"NEWS2 trend over {len(scored)} complete sets: {first} to {last} ({direction})."


def _recommendation(status: News2Status, triage: TriageSummary, pending: list[str]) -> str:
    lines = []
    if status.headline is not None:
        lines.append(response_for(status.headline.result.band))
    unit = triage.unit or triage.suggested_unit
    if unit:
        lines.append(f"Requested unit: {unit}.")
    else:
        lines.append("Requested unit: pending triage and hospital ranking.")
        pending.append("requested unit")
    if triage.destination:
        where = f"{unit} at {triage.destination}" if unit else triage.destination
        source = f" ({triage.eta_source})" if triage.eta_source else ""
        eta = f", ETA {triage.eta_min:.0f} min{source}" if triage.eta_min is not None else ""
        lines.append(f"Destination: {where}{eta}.")
    crew = _crew_line(triage)
    if crew:
        lines.append(crew)
    return "\n".join(lines)


def _crew_line(triage: TriageSummary) -> str | None:
    """'Sent 04 Dec 2026 07:37 IST (UTC+05:30) by Asha Menon, ambulance KL-07 AMB 108. Reach the crew on …'"""
    if triage.sent_at is None and not triage.crew:
        return None
    parts = []
    if triage.sent_at is not None:
        parts.append(f"Sent {stamped(triage.sent_at)}")
    if triage.crew:
        parts.append(f"by {triage.crew}")
    if triage.ambulance:
        parts.append(f"ambulance {triage.ambulance}")
    reach = (f" Reach the crew on {triage.crew_phone}." if triage.crew_phone else
             " Reach the crew through this transfer in EMsync (no phone given).")
    return ", ".join([" ".join(parts[:2]), *parts[2:]]) + "." + reach
