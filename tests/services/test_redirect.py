from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from emsync_desktop.domain.ids import demo_id
from emsync_desktop.domain.roles import Role, UserInfo
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.network_transfers import open_transfers
from emsync_desktop.services.redirect import redirect_options, redirect_transfer
from emsync_desktop.services.transfers import TransferService
from emsync_desktop.store.models import OutboxOp, TransferRecord
from tests.services.conftest import NOW

LOURDES, AMRITA = demo_id("hospital", "Lourdes"), demo_id("hospital", "Amrita")


def coordinator_of(app_context: AppContext) -> UserInfo:
    return next(u for u in demo_users(app_context.store) if u.role is Role.COORDINATOR)


@pytest.fixture
def coordinator(app_context: AppContext) -> UserInfo:
    return coordinator_of(app_context)


@pytest.fixture
def transfer_id(app_context: AppContext, cases: CaseService, paramedic: UserInfo) -> str:
    case = cases.open_case()
    cases.set_detail(case.id, "chief_complaint", "chest pain")
    return TransferService(app_context.store, paramedic).send_to_hospital(case.id, LOURDES, "ICU").id


def test_redirect_queues_one_op_and_the_table_says_it_waits(app_context: AppContext, coordinator: UserInfo,
                                                            transfer_id: str) -> None:
    redirect_transfer(app_context.store, coordinator, transfer_id, AMRITA, "HDU", "CT down", NOW)
    with app_context.store.sessions.begin() as session:
        [queued] = session.scalars(select(OutboxOp).where(OutboxOp.kind == "transfer.redirect")).all()
        payload = json.loads(queued.payload)
    assert (queued.entity_id, payload["destination_hospital_id"], payload["unit"]) == (transfer_id, AMRITA, "HDU")
    [row] = [t for t in open_transfers(app_context.store, NOW) if t.id == transfer_id]
    assert row.attention == "redirect to Amrita HDU waiting for the server"


@pytest.mark.parametrize(("hospital", "unit", "reason", "message"), [
    (AMRITA, "ICU", "  ", "Give a reason"),
    (LOURDES, "ICU", "again", "already goes to Lourdes ICU"),
    (demo_id("hospital", "Nowhere"), "ICU", "x", "not in the registry"),
])
def test_bad_redirect_is_refused_with_a_message_and_nothing_queued(
        app_context: AppContext, coordinator: UserInfo, transfer_id: str, hospital: str, unit: str, reason: str,
        message: str) -> None:
    with pytest.raises(ValueError, match=message):
        redirect_transfer(app_context.store, coordinator, transfer_id, hospital, unit, reason, NOW)
    with app_context.store.sessions.begin() as session:
        assert session.scalars(select(OutboxOp).where(OutboxOp.kind == "transfer.redirect")).all() == []


def test_paramedic_cannot_redirect(app_context: AppContext, paramedic: UserInfo, transfer_id: str) -> None:
    with pytest.raises(ValueError, match="Only a coordinator"):
        redirect_transfer(app_context.store, paramedic, transfer_id, AMRITA, "ICU", "x", NOW)


def test_arrived_transfer_offers_no_redirect(app_context: AppContext, transfer_id: str) -> None:
    with app_context.store.sessions.begin() as session:
        session.get(TransferRecord, transfer_id).state = "ARRIVED"  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="can no longer be redirected"):
        redirect_options(app_context.store, transfer_id)


def test_options_list_hospitals_with_free_beds_nearest_to_current_destination_first(
        app_context: AppContext, transfer_id: str) -> None:
    options = redirect_options(app_context.store, transfer_id)
    assert (options.current_name, options.unit) == ("Lourdes", "ICU")
    distances = [t.distance_km for t in options.targets if t.hospital_id != LOURDES]
    assert distances == sorted(distances) and distances[0] > 0
    assert all(t.free_by_unit["ICU"] > 0 for t in options.with_free("ICU"))
