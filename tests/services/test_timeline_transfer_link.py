"""'At destination' and 'handed over' are linked to the case's transfer states, both ways."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.domain.timeline import TimelineStep
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.case_record import RecordService
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.transfers import TransferService
from emsync_desktop.store.models import OutboxOp, TransferRecord
from tests.services.conftest import NOW
from tests.services.test_transfers import LOURDES


@pytest.fixture
def record(app_context: AppContext, paramedic: UserInfo) -> RecordService:
    return RecordService(app_context.store, paramedic, clock=lambda: NOW)


def _open(cases: CaseService) -> str:
    case = cases.open_case()
    cases.set_detail(case.id, "chief_complaint", "Chest pain")
    return case.id


def _sent_case(app_context: AppContext, cases: CaseService, paramedic: UserInfo, state: str) -> tuple[str, str]:
    case_id = _open(cases)
    view = TransferService(app_context.store, paramedic, clock=lambda: NOW).send_to_hospital(case_id, LOURDES, "HDU")
    with app_context.store.sessions.begin() as session:  # as the pull brings the ward's answer
        transfer = session.get(TransferRecord, view.id)
        assert transfer is not None
        transfer.state, transfer.sync_state = state, "synced"
        transfer.history = json.dumps([*json.loads(transfer.history), {
            "state": state, "by": "n1", "by_name": "Nurse Anu", "at": (NOW - timedelta(minutes=5)).isoformat(),
            "reason": ""}])
    return case_id, view.id


def _transitions(app_context: AppContext) -> list[str]:
    with app_context.store.sessions.begin() as session:
        rows = session.scalars(select(OutboxOp).where(OutboxOp.kind == "transfer.transition")).all()
        return [json.loads(row.payload)["target"] for row in rows]


def test_at_destination_marks_an_accepted_transfer_arrived(app_context: AppContext, cases: CaseService,
                                                           paramedic: UserInfo, record: RecordService) -> None:
    case_id, transfer_id = _sent_case(app_context, cases, paramedic, "ACCEPTED")
    result = record.stamp_step(case_id, TimelineStep.AT_DESTINATION)
    assert result.ok and result.warnings == ()
    assert _transitions(app_context) == ["ARRIVED"]
    with app_context.store.sessions.begin() as session:
        assert session.get(TransferRecord, transfer_id).state == "ARRIVED"  # type: ignore[union-attr]


def test_at_destination_of_a_pending_transfer_is_stamped_and_says_why_not_arrived(
        app_context: AppContext, cases: CaseService, paramedic: UserInfo, record: RecordService) -> None:
    case_id = _open(cases)
    TransferService(app_context.store, paramedic, clock=lambda: NOW).send_to_hospital(case_id, LOURDES, "HDU")
    result = record.stamp_step(case_id, TimelineStep.AT_DESTINATION)
    assert result.ok and "has not accepted it" in result.warnings[0]
    assert _transitions(app_context) == []


def test_a_completed_transfer_shows_handed_over_on_the_strip(app_context: AppContext, cases: CaseService,
                                                             paramedic: UserInfo, record: RecordService) -> None:
    case_id, _ = _sent_case(app_context, cases, paramedic, "ARRIVED")
    with app_context.store.sessions.begin() as session:
        transfer = session.scalars(select(TransferRecord)).one()
        transfer.history = json.dumps([*json.loads(transfer.history), {
            "state": "COMPLETED", "by": "n1", "by_name": "Nurse Anu", "at": NOW.isoformat(), "reason": ""}])
    strip = {view.step: view for view in record.timeline(case_id)}
    assert strip[TimelineStep.HANDED_OVER].from_transfer and strip[TimelineStep.HANDED_OVER].at == NOW
    assert strip[TimelineStep.AT_DESTINATION].by_name == "Nurse Anu"


def test_a_crew_stamp_wins_over_the_transfer_time(app_context: AppContext, cases: CaseService,
                                                  paramedic: UserInfo, record: RecordService) -> None:
    case_id, _ = _sent_case(app_context, cases, paramedic, "ACCEPTED")
    record.stamp_step(case_id, TimelineStep.AT_DESTINATION, NOW - timedelta(minutes=1))
    [stamp] = [v for v in record.timeline(case_id) if v.step is TimelineStep.AT_DESTINATION]
    assert not stamp.from_transfer and stamp.at == NOW - timedelta(minutes=1)


def test_closing_as_handed_over_marks_an_accepted_transfer_arrived(app_context: AppContext, cases: CaseService,
                                                                   paramedic: UserInfo) -> None:
    """Found in a real window: the case was closed but the ward and the desk still saw the transfer coming."""
    from emsync_desktop.domain.disposition import Disposition
    from emsync_desktop.services.case_closing import CaseClosing

    case_id, transfer_id = _sent_case(app_context, cases, paramedic, "ACCEPTED")
    CaseClosing(app_context.store, paramedic, clock=lambda: NOW).close(case_id, Disposition.HANDED_OVER)
    assert _transitions(app_context) == ["ARRIVED"]
    with app_context.store.sessions.begin() as session:
        assert session.get(TransferRecord, transfer_id).state == "ARRIVED"  # type: ignore[union-attr]


def test_closing_as_handed_over_leaves_a_transfer_the_ward_has_not_accepted(app_context: AppContext,
                                                                            cases: CaseService,
                                                                            paramedic: UserInfo) -> None:
    from emsync_desktop.domain.disposition import Disposition
    from emsync_desktop.services.case_closing import CaseClosing

    case_id, transfer_id = _sent_case(app_context, cases, paramedic, "PENDING")
    CaseClosing(app_context.store, paramedic, clock=lambda: NOW).close(case_id, Disposition.HANDED_OVER)
    assert _transitions(app_context) == []
    with app_context.store.sessions.begin() as session:
        assert session.get(TransferRecord, transfer_id).state == "PENDING"  # type: ignore[union-attr]
