from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from emsync_desktop.domain.ids import demo_id
from emsync_desktop.domain.roles import Role, UserInfo
from emsync_desktop.geo.eta import Eta, EtaSource
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.transfers import TransferService
from emsync_desktop.services.ward import WardService, eta_countdown
from emsync_desktop.store.models import Bed, BookingRecord

LOURDES = demo_id("hospital", "Lourdes")
DUE = datetime(2026, 11, 23, 14, 32, tzinfo=UTC)


def test_countdown_says_minutes_left_due_or_overdue() -> None:
    assert eta_countdown(DUE, DUE - timedelta(minutes=7)).startswith("arrives in 7 min (")
    assert eta_countdown(DUE, DUE + timedelta(seconds=20)) == "due now"
    assert eta_countdown(DUE, DUE + timedelta(minutes=3)).startswith("overdue by 3 min")
    assert eta_countdown(None, DUE) == "no ETA given"


def test_incoming_transfer_carries_its_eta_and_held_bed(app_context: AppContext, cases: CaseService,
                                                        paramedic: UserInfo) -> None:
    case = cases.open_case()
    cases.set_detail(case.id, "chief_complaint", "Fall")
    TransferService(app_context.store, paramedic).send_to_hospital(
        case.id, LOURDES, "ICU", eta=Eta(600.0, 5000.0, EtaSource.OFFLINE))
    with app_context.store.sessions.begin() as session:  # as the pull brings it once the server held a bed
        booking = session.scalars(select(BookingRecord)).one()
        bed = session.scalars(select(Bed).where(Bed.hospital_id == LOURDES, Bed.unit == "ICU")).first()
        assert bed is not None
        booking.bed_id, booking.state = bed.id, "HELD"
        label = bed.label
    nurse = next(u for u in demo_users(app_context.store) if u.role is Role.NURSE)
    [incoming] = WardService(app_context.store, nurse).incoming()
    assert incoming.bed == f"{label} (held)"
    assert incoming.eta_due is not None
    assert incoming.eta_due - datetime.fromisoformat(incoming.requested_at) == timedelta(minutes=10)
