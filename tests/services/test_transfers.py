import json

import pytest
from sqlalchemy import select

from emsync_desktop.domain.ids import demo_id, new_id
from emsync_desktop.geo.eta import Eta, EtaSource
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.transfers import ActiveTransferExists, TransferRefused, TransferService
from emsync_desktop.services.triage import TriageService
from emsync_desktop.store.models import BookingRecord, HandoffRecord, OutboxOp, TransferRecord
from tests.services.test_triage_service import SHARED_MODELS, sick_case

LOURDES = demo_id("hospital", "Lourdes")
AMRITA = demo_id("hospital", "Amrita")


def test_send_to_hospital_writes_records_and_three_ops_in_order(app_context: AppContext, cases: CaseService,
                                                                paramedic: object) -> None:
    case = cases.open_case()
    cases.set_detail(case.id, "chief_complaint", "Breathless")
    view = TransferService(app_context.store, paramedic).send_to_hospital(case.id, LOURDES, "HDU")  # type: ignore[arg-type]
    assert (view.state, view.sync_state, view.booking_state) == ("PENDING", "pending", "TENTATIVE")
    with app_context.store.sessions.begin() as session:
        kinds = session.scalars(select(OutboxOp.kind).order_by(OutboxOp.device_seq)).all()
        handoff = session.scalars(select(HandoffRecord)).one()
    assert kinds == ["transfer.request", "booking.hold", "handoff.add"]
    assert "Requested unit: HDU." in json.loads(handoff.sections)["recommendation"]
    assert "Lourdes" in json.loads(handoff.sections)["recommendation"]


def test_case_without_complaint_cannot_be_sent_and_nothing_is_queued(app_context: AppContext, cases: CaseService,
                                                                     paramedic: object) -> None:
    case = cases.open_case()
    service = TransferService(app_context.store, paramedic)  # type: ignore[arg-type]
    try:
        service.send_to_hospital(case.id, LOURDES, "ICU")
        raise AssertionError("expected a refusal")
    except TransferRefused as refusal:
        assert "chief complaint" in str(refusal)
    with app_context.store.sessions.begin() as session:
        assert session.scalars(select(OutboxOp)).all() == []


def test_sent_transfer_and_handoff_carry_the_current_triage(app_context: AppContext, cases: CaseService,
                                                            paramedic: object) -> None:
    case = sick_case(cases)
    TriageService(app_context.store, SHARED_MODELS).refresh(case.id)
    TransferService(app_context.store, paramedic).send_to_hospital(case.id, LOURDES, "ICU")  # type: ignore[arg-type]
    with app_context.store.sessions.begin() as session:
        transfer = session.scalars(select(TransferRecord)).one()
        payload = json.loads(session.scalars(select(OutboxOp.payload).where(OutboxOp.kind == "transfer.request")).one())
        handoff = json.loads(session.scalars(select(HandoffRecord)).one().sections)
    assert transfer.severity == payload["severity"] == "Critical"
    assert f"Urgency (model {SHARED_MODELS.version}): Critical." in handoff["situation"]


def test_stale_triage_is_not_sent(app_context: AppContext, cases: CaseService, paramedic: object) -> None:
    case = sick_case(cases)
    TriageService(app_context.store, SHARED_MODELS).refresh(case.id)
    cases.set_vital(case.id, case.vitals[-1].id, "spo2_pct", "99")  # inputs changed, not yet re-triaged
    TransferService(app_context.store, paramedic).send_to_hospital(case.id, LOURDES, "ICU")  # type: ignore[arg-type]
    with app_context.store.sessions.begin() as session:
        assert session.scalars(select(TransferRecord)).one().severity is None


def test_eta_of_the_chosen_hospital_goes_into_transfer_and_sbar(app_context: AppContext, cases: CaseService,
                                                                paramedic: object) -> None:
    case = cases.open_case()
    cases.set_detail(case.id, "chief_complaint", "Breathless")
    eta = Eta(eta_s=754.0, distance_m=6200.0, source=EtaSource.OFFLINE)
    TransferService(app_context.store, paramedic).send_to_hospital(case.id, LOURDES, "HDU", eta=eta)  # type: ignore[arg-type]
    with app_context.store.sessions.begin() as session:
        transfer = session.scalars(select(TransferRecord)).one()
        handoff = json.loads(session.scalars(select(HandoffRecord)).one().sections)
    assert transfer.eta_s == 754
    assert "ETA 13 min (offline road graph)" in handoff["recommendation"]


def test_second_send_of_a_case_is_refused_and_queues_nothing(app_context: AppContext, cases: CaseService,
                                                             paramedic: object) -> None:
    case = cases.open_case()
    cases.set_detail(case.id, "chief_complaint", "Chest pain")
    service = TransferService(app_context.store, paramedic)  # type: ignore[arg-type]
    service.send_to_hospital(case.id, LOURDES, "ICU")
    with pytest.raises(ActiveTransferExists, match="already has an active transfer to Lourdes ICU"):
        service.send_to_hospital(case.id, AMRITA, "ICU")
    with app_context.store.sessions.begin() as session:
        assert len(session.scalars(select(OutboxOp)).all()) == 3
        assert len(session.scalars(select(TransferRecord)).all()) == 1


def test_send_elsewhere_cancels_the_active_transfer_and_its_hold_first(app_context: AppContext, cases: CaseService,
                                                                       paramedic: object) -> None:
    case = cases.open_case()
    cases.set_detail(case.id, "chief_complaint", "Chest pain")
    service = TransferService(app_context.store, paramedic)  # type: ignore[arg-type]
    first = service.send_to_hospital(case.id, LOURDES, "ICU")
    second = service.send_to_hospital(case.id, AMRITA, "ICU", replace_active=True)
    with app_context.store.sessions.begin() as session:
        ops = session.scalars(select(OutboxOp).order_by(OutboxOp.device_seq)).all()
        old_booking = session.scalars(select(BookingRecord).where(BookingRecord.transfer_id == first.id)).one()
        assert session.get(TransferRecord, first.id).state == "CANCELLED"  # type: ignore[union-attr]
        assert old_booking.state == "RELEASED"
    assert [o.kind for o in ops][3:] == ["transfer.transition", "transfer.request", "booking.hold", "handoff.add"]
    assert json.loads(ops[3].payload)["target"] == "CANCELLED" and ops[3].entity_id == first.id
    assert service.active_transfer(case.id).id == second.id  # type: ignore[union-attr]


def test_an_abstained_triage_puts_no_urgency_in_the_transfer_or_sbar(app_context: AppContext, cases: CaseService,
                                                                     paramedic: object) -> None:
    case = cases.open_case()
    cases.set_detail(case.id, "chief_complaint", "Dizzy")
    cases.set_vital(case.id, new_id(), "rr_per_min", "22")
    outcome = TriageService(app_context.store, SHARED_MODELS).refresh(case.id)
    assert outcome.message is not None and outcome.message.startswith("Not enough data for the model")
    TransferService(app_context.store, paramedic).send_to_hospital(case.id, LOURDES, "ICU")  # type: ignore[arg-type]
    with app_context.store.sessions.begin() as session:
        transfer = session.scalars(select(TransferRecord)).one()
        handoff = session.scalars(select(HandoffRecord)).one()
    assert transfer.severity is None and "Urgency (model" not in handoff.sections


def test_a_transfer_request_carries_the_case_mix_but_never_the_age_or_complaint_text(
        app_context: AppContext, cases: CaseService, paramedic: object) -> None:
    case = cases.open_case()
    cases.set_detail(case.id, "chief_complaint", "Breathless since morning")
    cases.set_detail(case.id, "age_years", "71")
    cases.set_detail(case.id, "sex", "female")
    TransferService(app_context.store, paramedic).send_to_hospital(case.id, LOURDES, "HDU")  # type: ignore[arg-type]
    with app_context.store.sessions.begin() as session:
        payload = json.loads(session.scalars(select(OutboxOp.payload).where(OutboxOp.kind == "transfer.request")).one())
    assert (payload["age_band"], payload["sex"], payload["complaint_group"]) == ("65-79", "female", "respiratory")
    ids_aside = {k: v for k, v in payload.items() if k != "summary" and not k.endswith("id")}  # a UUID may hold "71"
    assert "71" not in json.dumps(ids_aside)
    assert "Breathless" not in json.dumps({k: v for k, v in payload.items() if k != "summary"})
