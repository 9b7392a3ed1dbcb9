"""Reading an admin-edited formulary from JSON-compatible data, and writing one back.

``parse_formulary`` checks the whole list and raises one ``FormularyError`` naming every problem
(drug, field, what is wrong and what to type instead), so an admin fixes the file in one pass.
Shape of one drug: {"key", "name", "unit", "source", "limits": [{"routes", "adult_max_single",
"child_per_kg", "child_max_single", "indication"}], "synonyms", "forms", "concentration_mg_per_ml",
"adult_from_years"}; the last four may be left out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from emsync_desktop.domain.formulary import DoseUnit, Drug, Formulary, Route, RouteLimit, name_key

_UNITS = ", ".join(unit.value for unit in DoseUnit)
_ROUTES = ", ".join(route.value for route in Route)


class FormularyError(ValueError):
    """The admin's formulary cannot be used. ``problems``: one sentence per problem."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("The formulary was not saved:\n" + "\n".join(f"- {p}" for p in self.problems))


def parse_formulary(data: object) -> Formulary:
    """A list of drug dicts -> Formulary. Raises FormularyError listing every problem found."""
    if not isinstance(data, list) or not data:
        raise FormularyError(["The formulary must be a non-empty list of drugs."])
    problems: list[str] = []
    drugs = [_parse_drug(item, index, problems) for index, item in enumerate(data, start=1)]
    problems.extend(_duplicate_names([drug for drug in drugs if drug is not None]))
    if problems:
        raise FormularyError(problems)
    return tuple(drug for drug in drugs if drug is not None)


def formulary_to_data(formulary: Formulary) -> list[dict[str, Any]]:
    """The inverse of parse_formulary: what an admin edits and the store keeps."""
    return [_drug_to_data(drug) for drug in formulary]


def _parse_drug(item: object, index: int, problems: list[str]) -> Drug | None:
    if not isinstance(item, Mapping):
        problems.append(f"Drug {index}: must be an object with key, name, unit, source and limits.")
        return None
    where = f"Drug {index} ({item.get('name') or item.get('key') or 'no name'})"
    before = len(problems)
    key, name, source = (_text(item, f, where, problems) for f in ("key", "name", "source"))
    unit = _unit(item.get("unit"), where, problems)
    limits = _limits(item.get("limits"), where, problems)
    concentration = _number(item.get("concentration_mg_per_ml"), f"{where}: concentration_mg_per_ml", problems)
    adult_from = item.get("adult_from_years", 12)
    if not isinstance(adult_from, int) or isinstance(adult_from, bool) or not 1 <= adult_from <= 21:
        problems.append(f"{where}: adult_from_years must be a whole number of years from 1 to 21, e.g. 12.")
    if len(problems) > before or unit is None:
        return None
    return Drug(key=key, name=name, unit=unit, limits=limits, source=source,
                synonyms=_strings(item.get("synonyms"), f"{where}: synonyms", problems),
                forms=_strings(item.get("forms"), f"{where}: forms", problems),
                concentration_mg_per_ml=concentration, adult_from_years=adult_from)


def _text(item: Mapping[str, Any], field: str, where: str, problems: list[str]) -> str:
    value = item.get(field)
    if not isinstance(value, str) or not value.strip():
        hint = " (the guideline the limits come from)" if field == "source" else ""
        problems.append(f"{where}: {field} is missing{hint}.")
        return ""
    return value.strip()


def _unit(value: object, where: str, problems: list[str]) -> DoseUnit | None:
    try:
        return DoseUnit(str(value))
    except ValueError:
        problems.append(f"{where}: unit {value!r} is not known; use one of {_UNITS}.")
        return None


def _limits(value: object, where: str, problems: list[str]) -> tuple[RouteLimit, ...]:
    if not isinstance(value, list) or not value:
        problems.append(f"{where}: limits must list at least one route with its limits.")
        return ()
    limits = [_limit(entry, f"{where}, limit {n}", problems) for n, entry in enumerate(value, start=1)]
    routes = [route for limit in limits if limit is not None for route in limit.routes]
    for route in sorted({r for r in routes if routes.count(r) > 1}):
        problems.append(f"{where}: route {route.value} has more than one set of limits; keep one.")
    return tuple(limit for limit in limits if limit is not None)


def _limit(entry: object, where: str, problems: list[str]) -> RouteLimit | None:
    if not isinstance(entry, Mapping):
        problems.append(f"{where}: must be an object with routes and adult_max_single.")
        return None
    before = len(problems)
    routes = _routes(entry.get("routes"), where, problems)
    numbers = {f: _number(entry.get(f), f"{where}: {f}", problems)
               for f in ("adult_max_single", "child_per_kg", "child_max_single")}
    indication = entry.get("indication", "")
    if not isinstance(indication, str):
        problems.append(f"{where}: indication must be text.")
    if len(problems) > before or not isinstance(indication, str):
        return None
    return RouteLimit(routes, numbers["adult_max_single"], numbers["child_per_kg"], numbers["child_max_single"],
                      indication.strip())


def _routes(value: object, where: str, problems: list[str]) -> tuple[Route, ...]:
    if not isinstance(value, list) or not value:
        problems.append(f"{where}: routes must list at least one route ({_ROUTES}).")
        return ()
    routes = []
    for raw in value:
        try:
            routes.append(Route(str(raw)))
        except ValueError:
            problems.append(f"{where}: route {raw!r} is not known; use one of {_ROUTES}.")
    return tuple(routes)


def _number(value: object, where: str, problems: list[str]) -> float | None:
    """A positive number or None (no limit). Anything else is a problem."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        problems.append(f"{where} must be a positive number, or left empty for no limit; got {value!r}.")
        return None
    return float(value)


def _strings(value: object, where: str, problems: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(f"{where} must be a list of text.")
        return ()
    return tuple(v.strip() for v in value if v.strip())


def _duplicate_names(drugs: Sequence[Drug]) -> list[str]:
    owner: dict[str, str] = {}
    problems = []
    for drug in drugs:
        for name in {name_key(n): n for n in (drug.key, drug.name, *drug.synonyms)}.values():
            first = owner.setdefault(name_key(name), drug.name)
            if first != drug.name:
                problems.append(f"'{name}' names both {first} and {drug.name}: a name must find one drug.")
    return problems


def _drug_to_data(drug: Drug) -> dict[str, Any]:
    return {
        "key": drug.key, "name": drug.name, "unit": drug.unit.value, "source": drug.source,
        "synonyms": list(drug.synonyms), "forms": list(drug.forms),
        "concentration_mg_per_ml": drug.concentration_mg_per_ml, "adult_from_years": drug.adult_from_years,
        "limits": [
            {"routes": [route.value for route in limit.routes], "adult_max_single": limit.adult_max_single,
             "child_per_kg": limit.child_per_kg, "child_max_single": limit.child_max_single,
             "indication": limit.indication}
            for limit in drug.limits
        ],
    }
