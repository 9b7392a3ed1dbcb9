"""Read models of a case, built from store rows into domain types."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from emsync_desktop.domain.news2 import News2Result, ShockIndex, compute_news2, compute_shock_index
from emsync_desktop.domain.patient import CaseDetails, Sex, case_problems
from emsync_desktop.domain.sbar import Sbar, build_sbar
from emsync_desktop.domain.vitals import Consciousness, Vitals
from emsync_desktop.store.models import Encounter, VitalsRecord

NUMERIC_VITALS = ("hr_bpm", "rr_per_min", "spo2_pct", "sbp_mmhg", "dbp_mmhg", "temp_c", "gcs", "pain_0_10",
                  "glucose_mg_dl")


@dataclass(frozen=True)
class VitalsEntry:
    id: str
    vitals: Vitals
    news2: News2Result


@dataclass(frozen=True)
class CaseSnapshot:
    """Everything the case screen shows, computed off the GUI thread."""

    id: str
    created_at: datetime
    updated_at: datetime
    details: CaseDetails
    vitals: tuple[VitalsEntry, ...]
    news2: News2Result | None
    shock: ShockIndex | None
    sbar: Sbar
    problems: tuple[str, ...]

    @property
    def title(self) -> str:
        return case_title(self.details.name, self.details.age_years, self.details.sex)


@dataclass(frozen=True)
class CaseSummary:
    id: str
    title: str
    chief_complaint: str
    updated_at: datetime
    news2_total: int | None
    news2_band: str | None


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
    details = details_of(row)
    entries = tuple(
        VitalsEntry(v.id, vitals, compute_news2(vitals, details.spo2_scale))
        for v in row.vitals
        for vitals in [vitals_of(v)]
    )
    latest = next((e for e in reversed(entries) if not e.vitals.is_empty()), None)
    series = [e.vitals for e in entries]
    return CaseSnapshot(
        id=row.id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        details=details,
        vitals=entries,
        news2=latest.news2 if latest else None,
        shock=compute_shock_index(latest.vitals) if latest else None,
        sbar=build_sbar(details, series),
        problems=tuple(case_problems(details)),
    )
