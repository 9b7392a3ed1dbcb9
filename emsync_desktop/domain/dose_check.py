"""Checking a dose against the formulary: warnings only, never a refusal.

A paramedic may have a good reason for a dose outside the usual limits (a protocol update, a
physician's order, a drug the formulary lacks), so every finding is a warning to look again, and the
dose is recorded as typed. Each warning names the limit it compares with and says what to do.
A patient younger than the drug's ``adult_from_years`` gets the child limits; with no age recorded,
the adult limits are used and a warning says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from emsync_desktop.domain.formulary import (
    DoseUnit,
    Drug,
    RouteLimit,
    convert_dose,
    find_drug,
    parse_route,
    parse_unit,
)
from emsync_desktop.domain.history import BodyWeight


class DoseWarningKind(StrEnum):
    FREE_TEXT_DRUG = "free_text_drug"
    NOT_A_DOSE = "not_a_dose"
    UNKNOWN_UNIT = "unknown_unit"
    UNIT_MISMATCH = "unit_mismatch"
    ROUTE_NOT_LISTED = "route_not_listed"
    ABOVE_ADULT_MAX = "above_adult_max"
    ABOVE_CHILD_MAX = "above_child_max"
    NO_CHILD_DOSE = "no_child_dose"
    NO_WEIGHT_FOR_CHILD = "no_weight_for_child"
    AGE_UNKNOWN = "age_unknown"


@dataclass(frozen=True)
class DoseWarning:
    kind: DoseWarningKind
    message: str


@dataclass(frozen=True)
class DoseCheck:
    """``drug`` None: a free-text drug. ``dose_in_drug_unit`` None: the dose could not be compared."""

    drug: Drug | None
    dose_in_drug_unit: float | None
    warnings: tuple[DoseWarning, ...]

    @property
    def free_text(self) -> bool:
        return self.drug is None

    def has(self, kind: DoseWarningKind) -> bool:
        return any(warning.kind is kind for warning in self.warnings)


def check_dose(formulary: Sequence[Drug], *, drug: str, dose: float, unit: str, route: str,
               age_years: float | None, weight: BodyWeight | None) -> DoseCheck:
    """Compare one dose with the formulary's limits for that drug, route and patient."""
    found = find_drug(formulary, drug)
    if found is None:
        return DoseCheck(None, None, (_free_text(drug),))
    if not math.isfinite(dose) or dose <= 0:
        return DoseCheck(found, None, (_warn(DoseWarningKind.NOT_A_DOSE,
                         f"A dose of {dose:g} {unit} cannot be right: type the amount of {found.name} given."),))
    warnings: list[DoseWarning] = []
    amount = _in_drug_unit(found, dose, unit, warnings)
    limit = _route_limit(found, route, warnings)
    if amount is not None and limit is not None:
        warnings.extend(_limit_warnings(found, limit, amount, age_years, weight))
    return DoseCheck(found, amount, tuple(warnings))


def _free_text(drug: str) -> DoseWarning:
    return _warn(DoseWarningKind.FREE_TEXT_DRUG,
                 f"'{drug.strip()}' is not in the formulary: it is recorded as free text and its dose is not "
                 "checked. Check the name, and the dose against a reference.")


def _in_drug_unit(drug: Drug, dose: float, unit_text: str, warnings: list[DoseWarning]) -> float | None:
    unit = parse_unit(unit_text)
    if unit is None:
        known = ", ".join(u.value for u in DoseUnit)
        warnings.append(_warn(DoseWarningKind.UNKNOWN_UNIT,
                              f"'{unit_text.strip()}' is not a dose unit here ({known}): type {drug.name} in "
                              f"{drug.unit.value} so the dose can be checked."))
        return None
    amount = convert_dose(dose, unit, drug.unit, drug.concentration_mg_per_ml)
    if amount is None:
        strengths = f" Strengths: {'; '.join(drug.forms)}." if drug.forms else ""
        warnings.append(_warn(DoseWarningKind.UNIT_MISMATCH,
                              f"{drug.name} is dosed in {drug.unit.value}, not {unit.value}: work out the "
                              f"{drug.unit.value} and type that, so the dose can be checked.{strengths}"))
    return amount


def _route_limit(drug: Drug, route_text: str, warnings: list[DoseWarning]) -> RouteLimit | None:
    route = parse_route(route_text)
    limit = None if route is None else drug.limit_for(route)
    if limit is None:
        listed = ", ".join(r.value for r in drug.routes)
        warnings.append(_warn(DoseWarningKind.ROUTE_NOT_LISTED,
                              f"{drug.name} is not listed for {route_text.strip() or 'no route'} (listed: {listed}): "
                              "check the route; the dose is not checked against a limit."))
    return limit


def _limit_warnings(drug: Drug, limit: RouteLimit, amount: float, age_years: float | None,
                    weight: BodyWeight | None) -> list[DoseWarning]:
    if age_years is None:
        return [*_adult_warnings(drug, limit, amount), _warn(DoseWarningKind.AGE_UNKNOWN,
                "No age recorded: the dose was checked against the adult limit only. Add the age "
                "(an estimate will do) to check a child's dose.")]
    if age_years >= drug.adult_from_years:
        return _adult_warnings(drug, limit, amount)
    return _child_warnings(drug, limit, amount, weight)


def _adult_warnings(drug: Drug, limit: RouteLimit, amount: float) -> list[DoseWarning]:
    if limit.adult_max_single is None or not _above(amount, limit.adult_max_single):
        return []
    return [_warn(DoseWarningKind.ABOVE_ADULT_MAX,
                  f"Above the usual maximum single dose of {_amount(limit.adult_max_single, drug)} "
                  f"{limit.route_text} for adults{_context(drug, limit)}. Check the dose before giving it.")]


def _child_warnings(drug: Drug, limit: RouteLimit, amount: float, weight: BodyWeight | None) -> list[DoseWarning]:
    if not limit.has_child_dose:
        return [_warn(DoseWarningKind.NO_CHILD_DOSE,
                      f"No child dose of {drug.name} {limit.route_text} in the formulary (adult dose from "
                      f"{drug.adult_from_years} years): check a paediatric reference before giving it.")]
    if limit.child_per_kg is not None and weight is not None:
        return _per_kg_warnings(drug, limit, limit.child_per_kg, amount, weight)
    warnings = []
    if limit.child_per_kg is not None:
        warnings.append(_warn(DoseWarningKind.NO_WEIGHT_FOR_CHILD,
                              f"No weight recorded: the child dose of {_per_kg(limit.child_per_kg, drug)} "
                              f"{limit.route_text} cannot be checked. Add a measured or estimated weight."))
    cap = limit.child_max_single
    if cap is not None and _above(amount, cap):
        warnings.append(_warn(DoseWarningKind.ABOVE_CHILD_MAX,
                              f"Above the usual maximum single child dose of {_amount(cap, drug)} "
                              f"{limit.route_text}{_context(drug, limit)}. Check the dose before giving it."))
    return warnings


def _per_kg_warnings(drug: Drug, limit: RouteLimit, per_kg: float, amount: float,
                     weight: BodyWeight) -> list[DoseWarning]:
    by_weight = per_kg * weight.kg
    cap = limit.child_max_single
    allowed = by_weight if cap is None else min(by_weight, cap)
    if not _above(amount, allowed):
        return []
    capped = f", at most {_amount(cap, drug)}" if cap is not None and cap < by_weight else ""
    return [_warn(DoseWarningKind.ABOVE_CHILD_MAX,
                  f"Above the usual child dose of {_per_kg(per_kg, drug)} {limit.route_text}{_context(drug, limit)}: "
                  f"{_amount(by_weight, drug)} for {weight.text}{capped}. Check the dose and the weight.")]


def _above(amount: float, limit: float) -> bool:
    return amount > limit and not math.isclose(amount, limit, rel_tol=1e-9)


def _context(drug: Drug, limit: RouteLimit) -> str:
    return f" ({drug.name}, {limit.indication})" if limit.indication else f" ({drug.name})"


def _amount(value: float, drug: Drug) -> str:
    return f"{round(value, 3):g} {drug.unit.value}"


def _per_kg(value: float, drug: Drug) -> str:
    return f"{round(value, 3):g} {drug.unit.value}/kg"


def _warn(kind: DoseWarningKind, message: str) -> DoseWarning:
    return DoseWarning(kind, message)
