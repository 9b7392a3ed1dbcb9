"""A new vitals set can carry chosen values from the set before, marked as carried until typed again."""

from emsync_desktop.domain.ids import new_id
from emsync_desktop.services.cases import CaseService


def _case_with_a_set(cases: CaseService) -> str:
    case = cases.open_case()
    first = new_id()
    for field, text in (("spo2_pct", "94"), ("temp_c", "38.2"), ("hr_bpm", "120")):
        cases.set_vital(case.id, first, field, text)
    return case.id


def test_carried_values_are_copied_into_a_new_set_and_marked(cases: CaseService) -> None:
    case_id = _case_with_a_set(cases)
    result = cases.carry_forward(case_id, new_id(), ["temp_c", "spo2_pct"])
    newest = result.snapshot.vitals[-1]
    assert (newest.vitals.temp_c, newest.vitals.spo2_pct, newest.vitals.hr_bpm) == (38.2, 94, None)
    assert newest.carried == {"temp_c", "spo2_pct"}
    assert result.snapshot.vitals[0].carried == frozenset()


def test_typing_a_carried_value_makes_it_measured(cases: CaseService) -> None:
    case_id = _case_with_a_set(cases)
    second = new_id()
    cases.carry_forward(case_id, second, ["temp_c", "spo2_pct"])
    result = cases.set_vital(case_id, second, "temp_c", "37.9")
    assert result.snapshot.vitals[-1].carried == {"spo2_pct"}


def test_a_value_measured_in_the_set_is_not_overwritten(cases: CaseService) -> None:
    case_id = _case_with_a_set(cases)
    second = new_id()
    cases.set_vital(case_id, second, "spo2_pct", "97")
    result = cases.carry_forward(case_id, second, ["spo2_pct", "temp_c"])
    newest = result.snapshot.vitals[-1]
    assert (newest.vitals.spo2_pct, newest.carried) == (97, {"temp_c"})


def test_nothing_to_carry_from_is_said(cases: CaseService) -> None:
    case = cases.open_case()
    result = cases.carry_forward(case.id, new_id(), ["temp_c"])
    assert result.error == "There is no earlier set to carry values from."
    assert cases.load(case.id).vitals == ()
