"""Drugs, dose units, routes and per-route dose limits: the formulary dose checks read.

Limits are decision support, never a block (see dose_check). Every limit is a *single* dose in the
drug's own unit (``Drug.unit``); a child limit is ``child_per_kg`` times the weight, capped at
``child_max_single``, or only the cap when the drug is dosed by age band rather than by weight.
The shipped limits are in formulary_defaults; an admin-edited formulary is read by
``parse_formulary`` (formulary_parse).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class DoseUnit(StrEnum):
    MCG = "mcg"
    MG = "mg"
    G = "g"
    ML = "mL"
    L = "L"
    L_PER_MIN = "L/min"


_MG_PER_UNIT = {DoseUnit.MCG: 0.001, DoseUnit.MG: 1.0, DoseUnit.G: 1000.0}
_ML_PER_UNIT = {DoseUnit.ML: 1.0, DoseUnit.L: 1000.0}
_UNIT_ALIASES = {
    "mcg": DoseUnit.MCG, "µg": DoseUnit.MCG, "μg": DoseUnit.MCG, "ug": DoseUnit.MCG,
    "microgram": DoseUnit.MCG, "micrograms": DoseUnit.MCG,
    "mg": DoseUnit.MG, "milligram": DoseUnit.MG, "milligrams": DoseUnit.MG,
    "g": DoseUnit.G, "gram": DoseUnit.G, "grams": DoseUnit.G,
    "ml": DoseUnit.ML, "millilitre": DoseUnit.ML, "millilitres": DoseUnit.ML, "cc": DoseUnit.ML,
    "l": DoseUnit.L, "litre": DoseUnit.L, "litres": DoseUnit.L, "liter": DoseUnit.L, "liters": DoseUnit.L,
    "l/min": DoseUnit.L_PER_MIN, "lpm": DoseUnit.L_PER_MIN, "litres/min": DoseUnit.L_PER_MIN,
}


def parse_unit(text: str) -> DoseUnit | None:
    """'mg', 'µg', 'micrograms', 'ml', 'L/min' … or None for a unit this formulary does not know."""
    return _UNIT_ALIASES.get(re.sub(r"\s+", "", text.strip().lower()))


def convert_dose(value: float, unit: DoseUnit, target: DoseUnit,
                 concentration_mg_per_ml: float | None = None) -> float | None:
    """``value`` in ``unit`` expressed in ``target``, or None when the two cannot be compared.

    Mass converts to mass (mcg, mg, g) and volume to volume (mL, L). Mass and volume convert only
    through ``concentration_mg_per_ml``, the strength that defines the drug (glucose 10 %); an
    assumed ampoule strength is never used, because that is how tenfold errors are hidden.
    """
    if unit is target:
        return value
    mass_in_mg = _MG_PER_UNIT.get(unit)
    volume_in_ml = _ML_PER_UNIT.get(unit)
    if target in _MG_PER_UNIT:
        if mass_in_mg is None and volume_in_ml is not None and concentration_mg_per_ml:
            mass_in_mg = volume_in_ml * concentration_mg_per_ml
        return None if mass_in_mg is None else value * mass_in_mg / _MG_PER_UNIT[target]
    if target in _ML_PER_UNIT:
        if volume_in_ml is None and mass_in_mg is not None and concentration_mg_per_ml:
            volume_in_ml = mass_in_mg / concentration_mg_per_ml
        return None if volume_in_ml is None else value * volume_in_ml / _ML_PER_UNIT[target]
    return None


class Route(StrEnum):
    IV = "IV"
    IO = "IO"
    IM = "IM"
    IN = "IN"
    SC = "SC"
    PO = "PO"
    SL = "SL"
    BUCCAL = "buccal"
    NEB = "NEB"
    INH = "INH"

    @property
    def label(self) -> str:
        return _ROUTE_LABELS[self]


_ROUTE_LABELS = {
    Route.IV: "Intravenous", Route.IO: "Intraosseous", Route.IM: "Intramuscular", Route.IN: "Intranasal",
    Route.SC: "Subcutaneous", Route.PO: "By mouth", Route.SL: "Sublingual", Route.BUCCAL: "Buccal",
    Route.NEB: "Nebulised", Route.INH: "Inhaled",
}


def parse_route(text: str) -> Route | None:
    """'IV', 'iv', 'Intravenous', 'buccal' … or None for a route this formulary does not know."""
    raw = text.strip().lower()
    for route in Route:
        if raw in (route.value.lower(), route.label.lower()):
            return route
    return None


@dataclass(frozen=True)
class RouteLimit:
    """Single-dose limits for one or more routes, in the drug's unit. None: no limit listed."""

    routes: tuple[Route, ...]
    adult_max_single: float | None
    child_per_kg: float | None = None
    child_max_single: float | None = None
    indication: str = ""

    @property
    def route_text(self) -> str:
        return "/".join(route.value for route in self.routes)

    @property
    def has_child_dose(self) -> bool:
        return self.child_per_kg is not None or self.child_max_single is not None


@dataclass(frozen=True)
class Drug:
    """One formulary entry. ``source`` names the guideline the limits come from."""

    key: str
    name: str
    unit: DoseUnit
    limits: tuple[RouteLimit, ...]
    source: str
    synonyms: tuple[str, ...] = ()
    forms: tuple[str, ...] = ()
    concentration_mg_per_ml: float | None = None
    adult_from_years: int = 12

    @property
    def routes(self) -> tuple[Route, ...]:
        return tuple(route for limit in self.limits for route in limit.routes)

    def limit_for(self, route: Route) -> RouteLimit | None:
        return next((limit for limit in self.limits if route in limit.routes), None)


Formulary = tuple[Drug, ...]


def name_key(text: str) -> str:
    """What two spellings of a drug name share: 'Glucose 10 %' and 'glucose10%' match."""
    return re.sub(r"[^a-z0-9.%]", "", text.lower())


def find_drug(formulary: Sequence[Drug], text: str) -> Drug | None:
    """The drug whose key, name or a synonym matches ``text``, or None (a free-text drug)."""
    wanted = name_key(text)
    if not wanted:
        return None
    for drug in formulary:
        if wanted in {name_key(name) for name in (drug.key, drug.name, *drug.synonyms)}:
            return drug
    return None
