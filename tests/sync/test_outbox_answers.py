"""How the server's answers land on the device's records (set-based recording, per-op meaning)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from emsync_desktop.domain.ids import demo_id
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.transfers import TransferService
from emsync_desktop.store.models import BookingRecord, OutboxOp, TransferRecord
from emsync_desktop.sync.apply import apply_changes
from emsync_desktop.sync.outbox import record_results
from emsync_desktop.sync.protocol import Alternative, Change, OpResult

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
LOURDES = demo_id("hospital", "Lourdes")


def send_case(app_context: AppContext, cases: CaseService, paramedic: object) -> list[OutboxOp]:
    case = cases.open_case()
    cases.set_detail(case.id, "chief_complaint", "Fall")
    TransferService(app_context.store, paramedic).send_to_hospital(case.id, LOURDES, "ICU")  # type: ignore[arg-type]
    with app_context.store.sessions.begin() as session:
        return list(session.scalars(select(OutboxOp).order_by(OutboxOp.device_seq)))


def test_applied_and_refused_answers_in_one_batch_land_on_their_records(app_context: AppContext, cases: CaseService,
                                                                        paramedic: object) -> None:
    transfer_op, hold_op, handoff_op = send_case(app_context, cases, paramedic)
    alternative = Alternative(hospital_id=demo_id("hospital", "Amrita"), name="Amrita", unit="ICU", free_beds=2,
                              distance_km=9.1)
    results = [OpResult(op_id=transfer_op.op_id, status="applied", version=1),
               OpResult(op_id=hold_op.op_id, status="rejected", reason="No ICU bed left at Lourdes.",
                        alternatives=[alternative]),
               OpResult(op_id=handoff_op.op_id, status="applied", version=1)]
    with app_context.store.sessions.begin() as session:
        record_results(session, results, NOW)
    with app_context.store.sessions.begin() as session:
        transfer = session.get(TransferRecord, transfer_op.entity_id)
        booking = session.get(BookingRecord, hold_op.entity_id)
        states = session.scalars(select(OutboxOp.state).order_by(OutboxOp.device_seq)).all()
    assert states == ["applied", "rejected", "applied"]
    assert transfer is not None and transfer.sync_state == "synced"
    assert booking is not None and (booking.state, booking.sync_state) == ("REJECTED", "rejected")
    assert booking.sync_reason == "No ICU bed left at Lourdes." and "Amrita" in booking.alternatives


def test_a_repeated_answer_changes_nothing(app_context: AppContext, cases: CaseService, paramedic: object) -> None:
    transfer_op, *_ = send_case(app_context, cases, paramedic)
    first = OpResult(op_id=transfer_op.op_id, status="applied", version=1)
    again = OpResult(op_id=transfer_op.op_id, status="rejected", reason="late duplicate")
    with app_context.store.sessions.begin() as session:
        record_results(session, [first], NOW)
        record_results(session, [again], NOW)
    with app_context.store.sessions.begin() as session:
        assert session.get(TransferRecord, transfer_op.entity_id).sync_state == "synced"  # type: ignore[union-attr]


def test_pulled_change_keeps_a_record_pending_while_its_own_op_waits(app_context: AppContext, cases: CaseService,
                                                                      paramedic: object) -> None:
    transfer_op, *_ = send_case(app_context, cases, paramedic)
    with app_context.store.sessions.begin() as session:
        row = session.get(TransferRecord, transfer_op.entity_id)
        assert row is not None
        data = {"id": row.id, "encounter_id": row.encounter_id, "requested_by": row.requested_by,
                "destination_hospital_id": row.destination_hospital_id, "unit": row.unit, "state": "ACCEPTED",
                "eta_s": None, "severity": None, "summary": row.summary, "history": [],
                "updated_at": NOW.isoformat()}
        touched = apply_changes(session, [Change(seq=1, entity="transfer", entity_id=row.id, version=2, data=data)])
    with app_context.store.sessions.begin() as session:
        row = session.get(TransferRecord, transfer_op.entity_id)
        assert row is not None and (row.state, row.sync_state, row.version) == ("ACCEPTED", "pending", 2)
    assert touched == {"transfer"}


def test_refused_redirect_stays_on_the_transfer_with_its_reason(app_context: AppContext, cases: CaseService,
                                                                paramedic: object) -> None:
    from emsync_desktop.services.network_transfers import open_transfers
    from emsync_desktop.services.redirect import redirect_transfer
    from tests.services.test_redirect import coordinator_of

    transfer_op, *_ = send_case(app_context, cases, paramedic)
    redirect_transfer(app_context.store, coordinator_of(app_context), transfer_op.entity_id,
                      demo_id("hospital", "Amrita"), "ICU", "CT down", NOW)
    with app_context.store.sessions.begin() as session:
        redirect_op = session.scalars(select(OutboxOp).where(OutboxOp.kind == "transfer.redirect")).one()
        record_results(session, [OpResult(op_id=redirect_op.op_id, status="rejected",
                                          reason="No ICU bed left at Amrita: the transfer stays where it was.")], NOW)
    [row] = open_transfers(app_context.store, NOW)
    assert row.attention == "refused: No ICU bed left at Amrita: the transfer stays where it was."
    assert row.destination == "Lourdes"


def test_a_deferred_answer_leaves_the_op_waiting(app_context: AppContext, cases: CaseService,
                                                 paramedic: object) -> None:
    _transfer_op, hold_op, _handoff_op = send_case(app_context, cases, paramedic)
    with app_context.store.sessions.begin() as session:
        record_results(session, [OpResult(op_id=hold_op.op_id, status="deferred", reason="Waiting")], NOW)
        assert _state(session, hold_op.op_id) == "pending"


def test_a_refused_request_takes_its_waiting_hold_and_handoff_with_it(app_context: AppContext, cases: CaseService,
                                                                      paramedic: object) -> None:
    transfer_op, hold_op, handoff_op = send_case(app_context, cases, paramedic)
    results = [OpResult(op_id=transfer_op.op_id, status="rejected", reason="Unknown destination hospital."),
               OpResult(op_id=hold_op.op_id, status="deferred", reason="Waiting for its transfer."),
               OpResult(op_id=handoff_op.op_id, status="deferred", reason="Waiting for its transfer.")]
    with app_context.store.sessions.begin() as session:
        record_results(session, results, NOW)
        states = [_state(session, o.op_id) for o in (transfer_op, hold_op, handoff_op)]
        booking = session.scalars(select(BookingRecord)).one()
    assert states == ["rejected", "rejected", "rejected"]
    assert booking.state == "REJECTED" and "its transfer request was refused" in (booking.sync_reason or "")


def _state(session: object, op_id: str) -> str:
    return str(session.scalar(select(OutboxOp.state).where(OutboxOp.op_id == op_id)))  # type: ignore[attr-defined]
