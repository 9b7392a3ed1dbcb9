"""What the NEMSIS builder needs of a case: plain values gathered from the store by the service.

Times are timezone-aware (UTC); naive ones are taken to be UTC. Nothing here is guessed: a value the
crew did not record is None (or an empty tuple), and the builder writes a NEMSIS not value for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from emsync_desktop.domain.disposition import Disposition
from emsync_desktop.domain.patient import Sex
from emsync_desktop.domain.procedures import Procedure
from emsync_desktop.domain.record_summary import GivenDrug as MedicationGiven  # a drug given, as recorded

__all__ = ["Destination", "MedicationGiven", "NemsisAgency", "NemsisCase", "ProcedureDone", "VitalsReading"]
from emsync_desktop.domain.timeline import TimelineStep

SERVICE_EMERGENCY_PRIMARY = "2205001"  # eResponse.05 Emergency Response (Primary Response Area)
GROUND_ALS = "2207015"  # eResponse.07 Ground Transport (ALS Equipped)
RESPONSE_EMERGENT = "2223001"  # eResponse.23 Emergent (Immediate Response)


@dataclass(frozen=True)
class NemsisAgency:
    """The agency that submits the reports: identifiers its state EMS office assigned (typed by an
    admin, never made up), and its standing response values. The XSD allows no not value for any of
    these, and EMsync records none of the last three per call, so they are the agency's usual ones."""

    state_id: str  # dAgency.01
    number: str  # dAgency.02, eResponse.01
    state_code: str  # dAgency.04: the two-digit ANSI state code
    service_category: str = SERVICE_EMERGENCY_PRIMARY
    transport_capability: str = GROUND_ALS
    response_mode: str = RESPONSE_EMERGENT
    software_version: str = "0"


@dataclass(frozen=True)
class VitalsReading:
    """One vitals set as measured (None: not measured). ``avpu``: A, C, V, P or U (ACVPU)."""

    taken_at: datetime
    hr_bpm: float | None = None
    rr_per_min: float | None = None
    spo2_pct: float | None = None
    sbp_mmhg: float | None = None
    dbp_mmhg: float | None = None
    temp_c: float | None = None
    avpu: str | None = None
    gcs_total: float | None = None
    pain_0_10: float | None = None
    glucose_mg_dl: float | None = None


@dataclass(frozen=True)
class ProcedureDone:
    procedure: Procedure
    done_at: datetime
    by_name: str = ""
    details: str = ""  # '150 J', as the handoff words it


@dataclass(frozen=True)
class Destination:
    """Where the patient was taken: the hospital of the case's latest transfer, and its unit (ICU, ER …)."""

    name: str
    unit: str


@dataclass(frozen=True)
class NemsisCase:
    """One closed case. ``times``: the timeline's current stamps; ``unit_call_sign``: the ambulance."""

    case_id: str
    unit_call_sign: str
    opened_at: datetime
    closed_at: datetime
    disposition: Disposition
    times: Mapping[TimelineStep, datetime] = field(default_factory=dict)
    crew: str = ""
    age_years: int | None = None
    date_of_birth: date | None = None
    sex: Sex = Sex.UNKNOWN
    chief_complaint: str = ""
    vitals: tuple[VitalsReading, ...] = ()
    medications: tuple[MedicationGiven, ...] = ()
    procedures: tuple[ProcedureDone, ...] = ()
    destination: Destination | None = None

    @property
    def transported(self) -> bool:
        """Taken to a hospital by this crew: handed over, with a transfer's destination."""
        return self.disposition is Disposition.HANDED_OVER and self.destination is not None
