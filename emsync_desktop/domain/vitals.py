"""Vital signs: value types, units and validation.

Each numeric field has *hard limits* (outside them the value is impossible or a
typing error, and it is refused with a message naming the field) and a
*plausible range* (outside it the value is accepted but flagged for a second look).
Units are in the field names: ``hr_bpm``, ``temp_c``, ``glucose_mg_dl``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from enum import StrEnum
from typing import Any


class Consciousness(StrEnum):
    """ACVPU scale as used by NEWS2 (C = new confusion)."""

    ALERT = "A"
    NEW_CONFUSION = "C"
    VOICE = "V"
    PAIN = "P"
    UNRESPONSIVE = "U"

    @property
    def label(self) -> str:
        return _CONSCIOUSNESS_LABELS[self]


_CONSCIOUSNESS_LABELS = {
    Consciousness.ALERT: "Alert",
    Consciousness.NEW_CONFUSION: "New confusion",
    Consciousness.VOICE: "Responds to voice",
    Consciousness.PAIN: "Responds to pain",
    Consciousness.UNRESPONSIVE: "Unresponsive",
}


@dataclass(frozen=True)
class NumericSpec:
    """Limits of one numeric vital. ``hard_*`` refuse, ``plausible_*`` flag."""

    name: str
    label: str
    unit: str
    hard_min: float
    hard_max: float
    plausible_min: float
    plausible_max: float
    integer: bool = True
    example: str = ""


NUMERIC_SPECS: dict[str, NumericSpec] = {
    s.name: s
    for s in (
        NumericSpec("hr_bpm", "Heart rate", "bpm", 0, 300, 25, 220, example="88"),
        NumericSpec("rr_per_min", "Respiratory rate", "/min", 0, 80, 4, 60, example="16"),
        NumericSpec("spo2_pct", "SpO2", "%", 0, 100, 50, 100, example="97"),
        NumericSpec("sbp_mmhg", "Systolic BP", "mmHg", 0, 300, 50, 250, example="120"),
        NumericSpec("dbp_mmhg", "Diastolic BP", "mmHg", 0, 200, 20, 150, example="80"),
        NumericSpec("temp_c", "Temperature", "°C", 25, 45, 32, 42, integer=False, example="37.2"),
        NumericSpec("gcs", "GCS", "", 3, 15, 3, 15, example="15"),
        NumericSpec("pain_0_10", "Pain", "/10", 0, 10, 0, 10, example="4"),
        NumericSpec("glucose_mg_dl", "Glucose", "mg/dL", 10, 1500, 40, 600, example="110"),
    )
}


@dataclass(frozen=True)
class FieldCheck:
    """Outcome of checking one typed value.

    ``error`` set: the value is refused and ``value`` is None.
    ``warning`` set: the value is accepted but implausible.
    Empty text gives ``value=None`` with neither: a missing vital is allowed.
    """

    value: float | None = None
    error: str | None = None
    warning: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def check_numeric(name: str, text: str) -> FieldCheck:
    """Parse and check the text a user typed for the numeric vital ``name``."""
    spec = NUMERIC_SPECS[name]
    raw = text.strip().replace(",", ".")
    if not raw:
        return FieldCheck()
    try:
        value = float(raw)
    except ValueError:
        return FieldCheck(error=_not_a_number(spec))
    if value != value or value in (float("inf"), float("-inf")):
        return FieldCheck(error=_not_a_number(spec))
    if spec.integer and value != int(value):
        return FieldCheck(error=f"{spec.label} is a whole number ({spec.unit}), e.g. {spec.example}.")
    return _check_limits(spec, value)


def _not_a_number(spec: NumericSpec) -> str:
    unit = f" in {spec.unit}" if spec.unit else ""
    return f"{spec.label} must be a number{unit}, e.g. {spec.example}. Clear the field if not measured."


def _check_limits(spec: NumericSpec, value: float) -> FieldCheck:
    if value < 0:
        return FieldCheck(error=f"{spec.label} cannot be negative. Check the reading and type it again.")
    if spec.name == "temp_c" and 90 <= value <= 110:
        celsius = (value - 32) * 5 / 9
        return FieldCheck(
            error=f"Temperature is recorded in °C; {value:g} looks like °F ({celsius:.1f} °C)."
        )
    if value > spec.hard_max:
        return FieldCheck(
            error=f"{spec.label} cannot be above {spec.hard_max:g}{_unit(spec)}. Check the reading."
        )
    if value < spec.hard_min:
        return FieldCheck(
            error=f"{spec.label} cannot be below {spec.hard_min:g}{_unit(spec)}. Check the reading."
        )
    if not spec.plausible_min <= value <= spec.plausible_max:
        return FieldCheck(
            value=value,
            warning=f"{spec.label} {value:g}{_unit(spec)} is unusual: please re-check the reading.",
        )
    return FieldCheck(value=value)


def _unit(spec: NumericSpec) -> str:
    return f" {spec.unit}" if spec.unit and not spec.unit.startswith("/") else spec.unit


@dataclass(frozen=True)
class Vitals:
    """One set of observations taken at one time. Any value may be missing (None)."""

    taken_at: datetime
    hr_bpm: float | None = None
    rr_per_min: float | None = None
    spo2_pct: float | None = None
    on_oxygen: bool | None = None
    sbp_mmhg: float | None = None
    dbp_mmhg: float | None = None
    temp_c: float | None = None
    consciousness: Consciousness | None = None
    gcs: float | None = None
    pain_0_10: float | None = None
    glucose_mg_dl: float | None = None
    notes: str = field(default="")

    def with_value(self, name: str, value: object) -> Vitals:
        changes: dict[str, Any] = {name: value}
        return replace(self, **changes)

    def is_empty(self) -> bool:
        skip = {"taken_at", "notes"}
        return all(getattr(self, f.name) is None for f in fields(self) if f.name not in skip)


def check_vitals_set(vitals: Vitals) -> dict[str, str]:
    """Cross-field checks of a whole set. Returns field name -> error message."""
    errors: dict[str, str] = {}
    sbp, dbp = vitals.sbp_mmhg, vitals.dbp_mmhg
    if sbp is not None and dbp is not None and dbp >= sbp:
        errors["dbp_mmhg"] = (
            f"Diastolic ({dbp:g}) must be lower than systolic ({sbp:g}). Re-check the BP reading."
        )
    return errors
