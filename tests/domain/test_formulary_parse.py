import copy
from typing import Any

import pytest

from emsync_desktop.domain.formulary import DoseUnit, Route
from emsync_desktop.domain.formulary_defaults import DEFAULT_FORMULARY
from emsync_desktop.domain.formulary_parse import FormularyError, formulary_to_data, parse_formulary


def paracetamol(**changes: Any) -> dict[str, Any]:
    drug: dict[str, Any] = {
        "key": "paracetamol", "name": "Paracetamol", "unit": "mg", "source": "JRCALC paracetamol",
        "limits": [{"routes": ["PO"], "adult_max_single": 1000, "child_per_kg": 15, "child_max_single": 1000}],
    }
    drug.update(changes)
    return drug


def problems_of(data: object) -> tuple[str, ...]:
    with pytest.raises(FormularyError) as caught:
        parse_formulary(data)
    return caught.value.problems


def test_shipped_formulary_survives_a_round_trip_through_data() -> None:
    assert parse_formulary(copy.deepcopy(formulary_to_data(DEFAULT_FORMULARY))) == DEFAULT_FORMULARY


def test_admin_drug_is_read_with_its_limits() -> None:
    (drug,) = parse_formulary([paracetamol(synonyms=["acetaminophen"])])
    assert drug.unit is DoseUnit.MG and drug.synonyms == ("acetaminophen",) and drug.adult_from_years == 12
    limit = drug.limit_for(Route.PO)
    assert limit is not None and (limit.adult_max_single, limit.child_per_kg) == (1000.0, 15.0)


def test_empty_or_non_list_formulary_is_refused() -> None:
    assert problems_of([]) == ("The formulary must be a non-empty list of drugs.",)
    assert problems_of({"drugs": []}) == ("The formulary must be a non-empty list of drugs.",)


def test_missing_source_is_refused_naming_the_drug() -> None:
    (problem,) = problems_of([paracetamol(source=" ")])
    assert problem == "Drug 1 (Paracetamol): source is missing (the guideline the limits come from)."


def test_unknown_unit_lists_the_known_ones() -> None:
    (problem,) = problems_of([paracetamol(unit="tablets")])
    assert "unit 'tablets' is not known" in problem and "mcg, mg, g, mL, L, L/min" in problem


def test_unknown_route_lists_the_known_ones() -> None:
    limits = [{"routes": ["rectal"], "adult_max_single": 1000}]
    (problem,) = problems_of([paracetamol(limits=limits)])
    assert problem.startswith("Drug 1 (Paracetamol), limit 1: route 'rectal' is not known") and "IV, IO" in problem


@pytest.mark.parametrize("bad", [-5, 0, "ten", True, float("nan")])
def test_limit_that_is_not_a_positive_number_is_refused(bad: object) -> None:
    limits = [{"routes": ["PO"], "adult_max_single": bad}]
    (problem,) = problems_of([paracetamol(limits=limits)])
    assert "adult_max_single must be a positive number, or left empty for no limit" in problem


def test_route_listed_twice_is_refused() -> None:
    limits = [{"routes": ["PO"], "adult_max_single": 1000}, {"routes": ["PO", "IV"], "adult_max_single": 500}]
    (problem,) = problems_of([paracetamol(limits=limits)])
    assert problem == "Drug 1 (Paracetamol): route PO has more than one set of limits; keep one."


def test_drug_without_limits_is_refused() -> None:
    (problem,) = problems_of([paracetamol(limits=[])])
    assert "limits must list at least one route" in problem


def test_a_name_used_by_two_drugs_is_refused() -> None:
    problems = problems_of([paracetamol(synonyms=["PCM"]), paracetamol(key="pcm", name="PCM")])
    assert "'PCM' names both Paracetamol and PCM: a name must find one drug." in problems


def test_every_problem_is_reported_at_once() -> None:
    problems = problems_of([paracetamol(unit="x"), "aspirin", paracetamol(key="b", name="B", adult_from_years=0)])
    assert len(problems) == 3
    assert problems[1] == "Drug 2: must be an object with key, name, unit, source and limits."
    assert "adult_from_years" in problems[2]


def test_error_message_lists_the_problems_for_the_admin() -> None:
    with pytest.raises(FormularyError, match=r"The formulary was not saved:\n- Drug 1 \(Paracetamol\): name is"):
        parse_formulary([paracetamol(name="", key="Paracetamol")])
