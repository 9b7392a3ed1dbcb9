"""Procedures a crew records with a time, and the extra values some of them need.

Defibrillation and cardioversion need the energy in joules, pacing its rate and current, a tourniquet
the time it went on; a 12-lead ECG may carry its file (not required). The file's hash and size are not typed:
the service sets them from the file it attached (``domain.ecg_file``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from emsync_desktop.domain.timeline import check_entry_time


class Extra(StrEnum):
    ENERGY_J = "energy_j"
    RATE_PER_MIN = "rate_per_min"
    CURRENT_MA = "current_ma"
    TIME_ON = "time_on"
    ECG_FILE = "ecg_file"  # the file's name on the crew's device
    ECG_SHA256 = "ecg_sha256"  # set from the attached file, never typed
    ECG_SIZE_BYTES = "ecg_size_bytes"


@dataclass(frozen=True)
class ExtraSpec:
    """One extra value. Numbers: inclusive ``low``..``high`` in the unit of the name."""

    extra: Extra
    label: str
    required: bool
    low: float = 0.0
    high: float = 0.0
    example: str = ""


class Procedure(StrEnum):
    IV_ACCESS = "iv_access"
    IO_ACCESS = "io_access"
    AIRWAY_OPA = "airway_opa"
    AIRWAY_NPA = "airway_npa"
    AIRWAY_SGA = "airway_sga"
    AIRWAY_ETT = "airway_ett"
    VENTILATION = "ventilation"
    CPR = "cpr"
    DEFIBRILLATION = "defibrillation"
    CARDIOVERSION = "cardioversion"
    PACING = "pacing"
    SPLINT = "splint"
    HAEMORRHAGE_CONTROL = "haemorrhage_control"
    TOURNIQUET = "tourniquet"
    SPINAL_MOTION_RESTRICTION = "spinal_motion_restriction"
    ECG_12_LEAD = "ecg_12_lead"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def extras(self) -> tuple[ExtraSpec, ...]:
        return _EXTRAS.get(self, ())


_LABELS = {
    Procedure.IV_ACCESS: "IV access", Procedure.IO_ACCESS: "IO access",
    Procedure.AIRWAY_OPA: "Airway: OPA", Procedure.AIRWAY_NPA: "Airway: NPA",
    Procedure.AIRWAY_SGA: "Airway: supraglottic (SGA)", Procedure.AIRWAY_ETT: "Airway: endotracheal tube",
    Procedure.VENTILATION: "Ventilation", Procedure.CPR: "CPR", Procedure.DEFIBRILLATION: "Defibrillation",
    Procedure.CARDIOVERSION: "Synchronised cardioversion", Procedure.PACING: "External pacing",
    Procedure.SPLINT: "Splint", Procedure.HAEMORRHAGE_CONTROL: "Haemorrhage control",
    Procedure.TOURNIQUET: "Tourniquet", Procedure.SPINAL_MOTION_RESTRICTION: "Spinal motion restriction",
    Procedure.ECG_12_LEAD: "12-lead ECG",
}


_ENERGY = ExtraSpec(Extra.ENERGY_J, "Energy (J)", True, 1, 360, "150")
_EXTRAS: dict[Procedure, tuple[ExtraSpec, ...]] = {
    Procedure.DEFIBRILLATION: (_ENERGY,),
    Procedure.CARDIOVERSION: (_ENERGY,),
    Procedure.PACING: (ExtraSpec(Extra.RATE_PER_MIN, "Rate (/min)", True, 30, 180, "70"),
               ExtraSpec(Extra.CURRENT_MA, "Current (mA)", True, 1, 200, "60")),
    Procedure.TOURNIQUET: (ExtraSpec(Extra.TIME_ON, "Time on", True, example="07:42"),),
    Procedure.ECG_12_LEAD: (ExtraSpec(Extra.ECG_FILE, "ECG file", False),),
}


def check_procedure(procedure: Procedure, values: Mapping[Extra, object], done_at: datetime,
                    call_received: datetime | None, now: datetime) -> list[str]:
    """Why this procedure entry is refused (one sentence per problem), or an empty list.

    ``values`` holds the extras: numbers for energy, rate and current; a datetime for time on.
    """
    problems = []
    time_error = check_entry_time(procedure.label, done_at, call_received, now)
    if time_error is not None:
        problems.append(time_error)
    for spec in procedure.extras:
        problem = _check_extra(procedure, spec, values.get(spec.extra), now)
        if problem is not None:
            problems.append(problem)
    return problems


def _check_extra(procedure: Procedure, spec: ExtraSpec, value: object, now: datetime) -> str | None:
    if value is None:
        if not spec.required:
            return None
        return f"{procedure.label}: type the {spec.label[0].lower()}{spec.label[1:]}, e.g. {spec.example}."
    if spec.extra is Extra.TIME_ON:
        if not isinstance(value, datetime):
            return f"{procedure.label}: the time on must be a time, e.g. 07:42."
        # A bystander may have put it on before calling: only a time in the future is refused.
        return check_entry_time(f"{procedure.label} on at", value, None, now)
    if spec.extra is Extra.ECG_FILE:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return f"{procedure.label}: {spec.label} must be a number, e.g. {spec.example}."
    if not spec.low <= value <= spec.high:
        return f"{procedure.label}: {spec.label} must be {spec.low:g} to {spec.high:g}. Check the number."
    return None
