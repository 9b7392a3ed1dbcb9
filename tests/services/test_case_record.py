"""The case record's use cases: each entry and its outbox op in one transaction; refusals write nothing."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from emsync_desktop.domain.history import (
    AnswerStatus,
    BodyWeight,
    LastOralIntake,
    ListAnswer,
    SampleHistory,
    WeightKind,
)
from emsync_desktop.domain.procedures import Extra, Procedure
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.domain.timeline import TimelineStep
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.case_record import RecordService
from emsync_desktop.services.cases import CaseNotFound, CaseService
from emsync_desktop.store.models import MedicationEntry, OutboxOp, ProcedureEntry, TimelineStamp
from emsync_desktop.sync.protocol import Op, OpKind
from tests.services.conftest import NOW

CALL = NOW - timedelta(minutes=30)


@pytest.fixture
def record(app_context: AppContext, paramedic: UserInfo) -> RecordService:
    return RecordService(app_context.store, paramedic, clock=lambda: NOW)


@pytest.fixture
def case_id(cases: CaseService, record: RecordService) -> str:
    case = cases.open_case()
    assert record.stamp_step(case.id, TimelineStep.CALL_RECEIVED, CALL).ok
    return case.id


def _ops(app_context: AppContext) -> list[OutboxOp]:
    with app_context.store.sessions.begin() as session:
        return list(session.scalars(select(OutboxOp).order_by(OutboxOp.device_seq)).all())


def _payload(row: OutboxOp) -> dict[str, object]:
    op = Op(op_id=row.op_id, device_id=row.op_id, device_seq=row.device_seq, kind=OpKind(row.kind),
            entity_id=row.entity_id, payload=json.loads(row.payload))
    return op.parsed_payload().model_dump(mode="json")  # valid on the wire, as the server will read it


def test_stamp_writes_the_stamp_and_its_op_with_the_same_id(app_context: AppContext, record: RecordService,
                                                            case_id: str) -> None:
    result = record.stamp_step(case_id, TimelineStep.AT_SCENE, NOW - timedelta(minutes=10))
    [_, op] = _ops(app_context)
    assert result.ok and result.entry is not None and op.kind == "record.timeline"
    assert op.entity_id == result.entry.id
    assert _payload(op) == {"encounter_id": case_id, "step": "at_scene", "at": "2026-11-22T09:50:00Z",
                            "replaces": None, "edited_from": None}


def test_stamp_in_the_future_is_refused_with_the_domains_message_and_nothing_written(
        app_context: AppContext, record: RecordService, case_id: str) -> None:
    result = record.stamp_step(case_id, TimelineStep.AT_SCENE, NOW + timedelta(minutes=10))
    assert not result.ok and "is in the future" in (result.error or "")
    assert len(_ops(app_context)) == 1  # the call received only
    assert [s.step for s in record.timeline(case_id)] == [TimelineStep.CALL_RECEIVED]


def test_a_step_is_stamped_once_then_edited(record: RecordService, case_id: str) -> None:
    record.stamp_step(case_id, TimelineStep.AT_SCENE)
    again = record.stamp_step(case_id, TimelineStep.AT_SCENE)
    assert not again.ok and "edit that time instead" in (again.error or "")


def test_edit_keeps_the_previous_time_and_the_strip_shows_the_new_one(app_context: AppContext,
                                                                     record: RecordService, case_id: str) -> None:
    first = record.stamp_step(case_id, TimelineStep.AT_SCENE, NOW - timedelta(minutes=10)).entry
    edited = record.edit_stamp(case_id, TimelineStep.AT_SCENE, NOW - timedelta(minutes=12))
    assert first is not None and edited.entry is not None
    assert edited.entry.edited_from == NOW - timedelta(minutes=10)
    assert [s.at for s in record.timeline(case_id) if s.step is TimelineStep.AT_SCENE] == [NOW - timedelta(minutes=12)]
    with app_context.store.sessions.begin() as session:
        assert len(session.scalars(select(TimelineStamp)).all()) == 3  # nothing overwritten
    assert _payload(_ops(app_context)[-1])["replaces"] == first.id


def test_edit_before_the_call_is_refused(app_context: AppContext, record: RecordService, case_id: str) -> None:
    record.stamp_step(case_id, TimelineStep.AT_SCENE, NOW - timedelta(minutes=10))
    result = record.edit_stamp(case_id, TimelineStep.AT_SCENE, CALL - timedelta(minutes=1))
    assert "before the call was received" in (result.error or "") and len(_ops(app_context)) == 2


def test_edit_of_an_unstamped_step_is_refused(record: RecordService, case_id: str) -> None:
    assert "no time yet" in (record.edit_stamp(case_id, TimelineStep.LEFT_SCENE, NOW).error or "")


def test_out_of_order_stamp_is_kept_with_a_warning(record: RecordService, case_id: str) -> None:
    record.stamp_step(case_id, TimelineStep.AT_SCENE, NOW - timedelta(minutes=5))
    result = record.stamp_step(case_id, TimelineStep.DISPATCHED, NOW - timedelta(minutes=2))
    assert result.ok and "Both are kept" in result.warnings[0]


def test_medication_is_recorded_with_its_op_and_no_warning_when_within_limits(
        app_context: AppContext, cases: CaseService, record: RecordService, case_id: str) -> None:
    cases.set_detail(case_id, "age_years", "58")
    result = record.record_medication(case_id, drug="aspirin", dose=300, unit="mg", route="PO",
                                      given_at=NOW - timedelta(minutes=3))
    assert result.ok and result.warnings == () and result.entry is not None
    assert result.entry.dose_text == "Aspirin 300 mg PO"
    op = _ops(app_context)[-1]
    assert (op.kind, op.entity_id) == ("record.medication", result.entry.id)
    assert _payload(op) == {"encounter_id": case_id, "drug": "Aspirin", "free_text": False, "dose_value": 300.0,
                            "dose_unit": "mg", "route": "PO", "given_at": "2026-11-22T09:57:00Z", "warnings": []}


def test_overdose_warns_with_the_limit_and_is_recorded_with_the_warning(
        app_context: AppContext, cases: CaseService, record: RecordService, case_id: str) -> None:
    cases.set_detail(case_id, "age_years", "58")
    result = record.record_medication(case_id, drug="Adrenaline", dose=5, unit="mg", route="IM")
    assert result.ok and "0.5 mg" in result.warnings[0]
    with app_context.store.sessions.begin() as session:
        stored = json.loads(session.scalars(select(MedicationEntry)).one().warnings)
    assert [w["kind"] for w in stored] == ["above_adult_max"]
    assert _payload(_ops(app_context)[-1])["warnings"] == stored


def test_unknown_drug_is_recorded_as_free_text(app_context: AppContext, record: RecordService, case_id: str) -> None:
    result = record.record_medication(case_id, drug="  Ketamine ", dose=50, unit="mg", route="IV")
    assert result.ok and result.entry is not None
    assert (result.entry.drug, result.entry.free_text) == ("Ketamine", True)
    assert "not in the formulary" in result.warnings[0]


def test_drug_given_before_the_call_is_refused_and_nothing_queued(app_context: AppContext, record: RecordService,
                                                                  case_id: str) -> None:
    result = record.record_medication(case_id, drug="aspirin", dose=300, unit="mg", route="PO",
                                      given_at=CALL - timedelta(hours=1))
    assert "Aspirin given" in (result.error or "") and "before the call" in (result.error or "")
    assert len(_ops(app_context)) == 1
    assert record.medications(case_id) == []


def test_drug_given_in_the_future_is_refused(record: RecordService, case_id: str) -> None:
    result = record.record_medication(case_id, drug="aspirin", dose=300, unit="mg", route="PO",
                                      given_at=NOW + timedelta(hours=1))
    assert "is in the future" in (result.error or "")


@pytest.mark.parametrize("dose", [float("nan"), float("inf"), -1.0])
def test_a_dose_that_is_not_an_amount_is_refused(record: RecordService, case_id: str, dose: float) -> None:
    result = record.record_medication(case_id, drug="aspirin", dose=dose, unit="mg", route="PO")
    assert "must be a number" in (result.error or "")


def test_procedure_with_energy_is_recorded_with_its_op(app_context: AppContext, record: RecordService,
                                                       case_id: str) -> None:
    result = record.record_procedure(case_id, Procedure.DEFIBRILLATION, NOW - timedelta(minutes=1),
                                     {Extra.ENERGY_J: 150, Extra.RATE_PER_MIN: 70})  # rate: not a defib value
    assert result.ok and result.entry is not None and result.entry.extras == {"energy_j": 150.0}
    op = _ops(app_context)[-1]
    assert (op.kind, op.entity_id) == ("record.procedure", result.entry.id)
    assert _payload(op)["extras"] == {"energy_j": 150.0, "rate_per_min": None, "current_ma": None,
                                      "time_on": None, "ecg_file": None}


def test_tourniquet_keeps_its_time_on(record: RecordService, case_id: str) -> None:
    on = NOW - timedelta(minutes=40)  # a bystander put it on before the call: allowed
    result = record.record_procedure(case_id, Procedure.TOURNIQUET, NOW, {Extra.TIME_ON: on})
    assert result.ok and result.entry is not None and result.entry.extras == {"time_on": "2026-11-22T09:20:00Z"}


def test_procedure_missing_its_required_value_is_refused_and_nothing_written(
        app_context: AppContext, record: RecordService, case_id: str) -> None:
    result = record.record_procedure(case_id, Procedure.PACING, NOW, {Extra.RATE_PER_MIN: 70})
    assert "current" in (result.error or "").lower()
    with app_context.store.sessions.begin() as session:
        assert session.scalars(select(ProcedureEntry)).all() == []
    assert len(_ops(app_context)) == 1


def test_procedure_before_the_call_is_refused(record: RecordService, case_id: str) -> None:
    result = record.record_procedure(case_id, Procedure.IV_ACCESS, CALL - timedelta(minutes=5))
    assert "before the call was received" in (result.error or "")


def test_entry_on_an_unknown_case_raises(record: RecordService) -> None:
    with pytest.raises(CaseNotFound):
        record.record_procedure("no-such-case", Procedure.CPR)


def _history(**changes: object) -> SampleHistory:
    base = SampleHistory(allergies=ListAnswer(AnswerStatus.LISTED, ("Penicillin", " ", "penicillin")),
                         medications=ListAnswer(AnswerStatus.NONE), past_history=ListAnswer(AnswerStatus.UNKNOWN),
                         last_oral_intake=LastOralIntake(NOW - timedelta(hours=3), "Toast"), events="Fell off a wall",
                         weight=BodyWeight(20, WeightKind.ESTIMATED))
    return replace(base, **changes)  # type: ignore[arg-type]


def test_history_is_saved_cleaned_with_its_op(app_context: AppContext, record: RecordService, case_id: str) -> None:
    result = record.record_history(case_id, _history())
    assert result.ok and result.entry is not None and result.warnings == ()
    assert result.entry.history.allergies.items == ("Penicillin",)  # blank dropped, repeat kept once
    op = _ops(app_context)[-1]
    assert (op.kind, op.entity_id) == ("record.history", result.entry.id)
    payload = _payload(op)
    assert payload["allergies"] == {"status": "listed", "items": ["Penicillin"]}
    assert (payload["weight_kg"], payload["weight_kind"]) == (20.0, "estimated")


def test_newest_history_is_current_and_unasked_items_are_reminded(record: RecordService, case_id: str) -> None:
    record.record_history(case_id, _history())
    result = record.record_history(case_id, _history(allergies=ListAnswer(), weight=None))
    assert any("Allergies not asked" in w for w in result.warnings)
    current = record.history(case_id)
    assert current is not None and current.history.weight is None


def test_history_contradicting_itself_is_refused(app_context: AppContext, record: RecordService,
                                                 case_id: str) -> None:
    result = record.record_history(case_id, _history(allergies=ListAnswer(AnswerStatus.NONE, ("Latex",))))
    assert "Keep one of them" in (result.error or "") and len(_ops(app_context)) == 1


def test_last_oral_intake_in_the_future_is_refused(record: RecordService, case_id: str) -> None:
    result = record.record_history(case_id, _history(last_oral_intake=LastOralIntake(NOW + timedelta(hours=1))))
    assert "is in the future" in (result.error or "")


def test_the_historys_weight_checks_a_childs_dose(cases: CaseService, record: RecordService, case_id: str) -> None:
    cases.set_detail(case_id, "age_years", "6")
    record.record_history(case_id, _history())  # 20 kg: adrenaline IM 0.01 mg/kg gives 0.2 mg
    result = record.record_medication(case_id, drug="adrenaline", dose=0.5, unit="mg", route="IM")
    assert result.ok and "0.2 mg for 20 kg (estimated)" in result.warnings[0]
