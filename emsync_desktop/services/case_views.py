"""Read models of a case, built from store rows into domain types."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from emsync_desktop.domain.disposition import Disposition
from emsync_desktop.domain.local_time import day_and_clock
from emsync_desktop.domain.news2 import (
    News2Result,
    News2Status,
    ShockIndex,
    TimedNews2,
    compute_news2,
    compute_shock_index,
    news2_status,
    score_text,
)
from emsync_desktop.domain.patient import CaseDetails, Sex, case_problems
from emsync_desktop.domain.record_summary import CaseRecord
from emsync_desktop.domain.sbar import Sbar, TriageSummary, build_sbar
from emsync_desktop.domain.triage import (
    TriageInput,
    TriagePrediction,
    input_fingerprint,
    prediction_from_dict,
    triage_input_of,
    triage_readiness,
)
from emsync_desktop.domain.vitals import Consciousness, Vitals
from emsync_desktop.services.handoff_record import case_record_of
from emsync_desktop.store.models import Encounter, TriageRecord, VitalsRecord
from emsync_desktop.store.models_intake import CardImageRecord

NUMERIC_VITALS = ("hr_bpm", "rr_per_min", "spo2_pct", "sbp_mmhg", "dbp_mmhg", "temp_c", "gcs", "pain_0_10",
                  "glucose_mg_dl")


@dataclass(frozen=True)
class VitalsEntry:
    id: str
    vitals: Vitals
    news2: News2Result
    carried: frozenset[str] = frozenset()  # fields copied from the set before, not measured again


@dataclass(frozen=True)
class CaseSnapshot:
    """Everything the case screen shows, computed off the GUI thread."""

    id: str
    created_at: datetime
    updated_at: datetime
    details: CaseDetails
    vitals: tuple[VitalsEntry, ...]
    news2: News2Result | None  # of the newest COMPLETE set (all seven parameters); see news2_status
    news2_status: News2Status
    shock: ShockIndex | None
    sbar: Sbar
    problems: tuple[str, ...]
    triage_input: TriageInput
    triage: TriagePrediction | None = None
    triage_current: bool = False  # False: the inputs changed since ``triage`` was computed
    status: str = "open"  # open, closed, discarded (domain.disposition.CaseStatus)
    disposition: str | None = None
    closed_at: datetime | None = None
    record: CaseRecord = field(default_factory=CaseRecord)  # timeline, drugs, procedures, SAMPLE history
    linked_case: str = ""  # "Same patient as …": the earlier case it was linked to at card intake
    card_images: int = 0  # card photos kept with the case (encrypted), issue 27

    @property
    def ended(self) -> str | None:
        """'Closed: Handed over at hospital' / 'Discarded', or None while open (times shown by the screen)."""
        if self.status == "closed" and self.disposition:
            return f"Closed: {Disposition(self.disposition).label}"
        return "Discarded (opened by mistake)" if self.status == "discarded" else None

    @property
    def title(self) -> str:
        return case_title(self.details.name, self.details.age_years, self.details.sex)


@dataclass(frozen=True)
class CaseSummary:
    id: str
    title: str
    chief_complaint: str
    updated_at: datetime
    news2_text: str  # "NEWS2 15", "NEWS2 ≥ 6 (incomplete)", "NEWS2 incomplete (3 of 7)", "no vitals"
    news2_band: str | None
    transfer_text: str = ""  # the case's latest transfer: "→ Lourdes ICU · ACCEPTED"; "" when never sent


def case_title(name: str | None, age: int | None, sex: Sex | str) -> str:
    who = name.strip() if name and name.strip() else "Unnamed patient"
    sex_value = Sex(sex)
    bits = [f"{age} y" if age is not None else "", "" if sex_value is Sex.UNKNOWN else sex_value.value[0].upper()]
    extra = " ".join(b for b in bits if b)
    return f"{who} ({extra})" if extra else who


def details_of(row: Encounter) -> CaseDetails:
    return CaseDetails(
        name=row.name or "",
        date_of_birth=date.fromisoformat(row.date_of_birth) if row.date_of_birth else None,
        phone=row.phone or "",
        id_number=row.id_number or "",
        age_years=row.age_years,
        sex=Sex(row.sex),
        chief_complaint=row.chief_complaint,
        history=row.history,
        allergies=row.allergies,
        medications=row.medications,
        spo2_scale=row.spo2_scale,
        id_type=row.id_type or "",
        address=row.address or "",
        insurer=row.insurer or "",
        policy_number=row.policy_number or "",
    )


def vitals_of(row: VitalsRecord) -> Vitals:
    values = {name: getattr(row, name) for name in NUMERIC_VITALS}
    return Vitals(
        taken_at=row.taken_at,
        on_oxygen=row.on_oxygen,
        consciousness=Consciousness(row.consciousness) if row.consciousness else None,
        notes=row.notes,
        **values,
    )


def snapshot_of(row: Encounter) -> CaseSnapshot:
    """The case as its screens and handoffs show it. The case record is read in the row's own session
    (the caller's transaction); a row outside any session has none."""
    details = details_of(row)
    session = object_session(row)
    record = case_record_of(session, row.id) if session is not None else CaseRecord()
    entries = tuple(
        VitalsEntry(v.id, vitals, compute_news2(vitals, details.spo2_scale), frozenset(json.loads(v.carried or "[]")))
        for v in row.vitals
        for vitals in [vitals_of(v)]
    )
    latest = next((e for e in reversed(entries) if not e.vitals.is_empty()), None)
    status = status_of(entries)
    series = [e.vitals for e in entries]
    triage_input = triage_input_of(details, latest.vitals if latest else None)
    triage, current = _stored_triage(row.triage, triage_input)
    return CaseSnapshot(
        id=row.id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        details=details,
        vitals=entries,
        news2=status.latest_complete.result if status.latest_complete else None,
        news2_status=status,
        shock=compute_shock_index(latest.vitals) if latest else None,
        sbar=build_sbar(details, series, _triage_summary(triage) if current else None, record=record),
        problems=tuple(case_problems(details)),
        triage_input=triage_input,
        triage=triage,
        triage_current=current,
        status=row.status,
        disposition=row.disposition,
        closed_at=row.closed_at,
        record=record,
        linked_case=_linked_case(session, row.linked_case_id),
        card_images=_card_images(session, row.id),
    )


def _card_images(session: Session | None, case_id: str) -> int:
    if session is None:
        return 0
    return session.scalar(select(func.count()).select_from(CardImageRecord)
                          .where(CardImageRecord.encounter_id == case_id)) or 0


def _linked_case(session: Session | None, case_id: str | None) -> str:
    other = session.get(Encounter, case_id) if session is not None and case_id else None
    if other is None:
        return ""
    complaint = f": {other.chief_complaint}" if other.chief_complaint else ""
    return (f"Same patient as {case_title(other.name, other.age_years, other.sex)}, case opened "
            f"{day_and_clock(other.created_at)}{complaint}")


def status_of(entries: tuple[VitalsEntry, ...]) -> News2Status:
    return news2_status([TimedNews2(e.vitals.taken_at, e.news2) for e in entries if not e.vitals.is_empty()])


def news2_summary(status: News2Status) -> tuple[str, str | None]:
    """The case list's NEWS2 words and band (None: no colour) for a case's NEWS2 status."""
    headline = status.headline
    if headline is not None:
        incomplete = "" if headline.result.complete else " (incomplete)"
        return f"NEWS2 {score_text(headline.result)}{incomplete}", headline.result.band.value
    if status.in_progress is not None:
        return f"NEWS2 incomplete ({status.recorded} of 7)", None
    return "no vitals", None


def _stored_triage(record: TriageRecord | None, current_input: TriageInput) -> tuple[TriagePrediction | None, bool]:
    if record is None:
        return None, False
    current = record.input_hash == input_fingerprint(current_input) and triage_readiness(current_input).enough
    return prediction_from_dict(json.loads(record.result)), current


def _triage_summary(triage: TriagePrediction | None) -> TriageSummary | None:
    if triage is None:
        return None
    return TriageSummary(urgency=triage.severity.value, model_version=triage.model_version,
                         suggested_unit=triage.suggested_unit)
