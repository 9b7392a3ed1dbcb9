from datetime import UTC, datetime, timedelta

import pytest

from emsync_desktop.domain.procedures import Extra, Procedure, check_procedure

NOW = datetime(2026, 11, 22, 7, 50, tzinfo=UTC)
CALL = datetime(2026, 11, 22, 7, 0, tzinfo=UTC)
DONE = datetime(2026, 11, 22, 7, 30, tzinfo=UTC)


def test_procedures_the_issue_names_are_listed_with_labels() -> None:
    assert len(Procedure) == 16
    assert Procedure.AIRWAY_SGA.label == "Airway: supraglottic (SGA)" and Procedure.ECG_12_LEAD.label == "12-lead ECG"
    assert all(procedure.label for procedure in Procedure)


def test_only_shocks_pacing_tourniquet_and_ecg_carry_extra_values() -> None:
    with_extras = {procedure for procedure in Procedure if procedure.extras}
    assert with_extras == {Procedure.DEFIBRILLATION, Procedure.CARDIOVERSION, Procedure.PACING,
                           Procedure.TOURNIQUET, Procedure.ECG_12_LEAD}
    assert [spec.extra for spec in Procedure.DEFIBRILLATION.extras] == [Extra.ENERGY_J]
    assert [spec.extra for spec in Procedure.TOURNIQUET.extras] == [Extra.TIME_ON]


def test_splint_at_a_good_time_needs_nothing_more() -> None:
    assert check_procedure(Procedure.SPLINT, {}, DONE, CALL, NOW) == []


def test_defibrillation_without_energy_asks_for_it() -> None:
    problems = check_procedure(Procedure.DEFIBRILLATION, {}, DONE, CALL, NOW)
    assert problems == ["Defibrillation: type the energy (J), e.g. 150."]


@pytest.mark.parametrize("energy_j", [0, 400, float("inf")])
def test_energy_outside_1_to_360_joules_is_refused(energy_j: float) -> None:
    problems = check_procedure(Procedure.CARDIOVERSION, {Extra.ENERGY_J: energy_j}, DONE, CALL, NOW)
    assert len(problems) == 1 and problems[0].startswith("Synchronised cardioversion: Energy (J) must be")


def test_energy_typed_as_text_is_refused() -> None:
    problems = check_procedure(Procedure.DEFIBRILLATION, {Extra.ENERGY_J: "150J"}, DONE, CALL, NOW)
    assert problems == ["Defibrillation: Energy (J) must be a number, e.g. 150."]


def test_pacing_needs_rate_and_current() -> None:
    assert len(check_procedure(Procedure.PACING, {}, DONE, CALL, NOW)) == 2
    assert check_procedure(Procedure.PACING, {Extra.RATE_PER_MIN: 70, Extra.CURRENT_MA: 60}, DONE, CALL, NOW) == []


def test_tourniquet_needs_its_time_on() -> None:
    assert check_procedure(Procedure.TOURNIQUET, {}, DONE, CALL, NOW) == ["Tourniquet: type the time on, e.g. 07:42."]


def test_tourniquet_on_before_the_call_is_accepted_but_not_in_the_future() -> None:
    before_call = {Extra.TIME_ON: CALL - timedelta(minutes=5)}
    assert check_procedure(Procedure.TOURNIQUET, before_call, DONE, CALL, NOW) == []
    (problem,) = check_procedure(Procedure.TOURNIQUET, {Extra.TIME_ON: NOW + timedelta(hours=1)}, DONE, CALL, NOW)
    assert problem.startswith("Tourniquet on at") and "in the future" in problem


def test_ecg_file_is_optional() -> None:
    assert check_procedure(Procedure.ECG_12_LEAD, {}, DONE, CALL, NOW) == []


def test_procedure_before_the_call_is_refused() -> None:
    (problem,) = check_procedure(Procedure.IV_ACCESS, {}, CALL - timedelta(minutes=1), CALL, NOW)
    assert problem.startswith("IV access ") and "before the call was received" in problem
