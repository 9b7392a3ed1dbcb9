from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from emsync_desktop.domain.ids import demo_id
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.transfers import TransferService
from emsync_desktop.services.trends import network_trends
from emsync_desktop.store.models import Bed, BedEvent
from emsync_desktop.sync.apply import apply_changes
from emsync_desktop.sync.protocol import Change
from tests.services.conftest import NOW


def icu_percent(app_context: AppContext, hours_ago: float) -> float:
    """The ICU line's value at a moment (a step plot: the last point at or before it)."""
    series = next(s for s in network_trends(app_context.store, NOW).occupancy if s.unit == "ICU")
    at = NOW - timedelta(hours=hours_ago)
    return [v for t, v in zip(series.times, series.percent_in_use, strict=True) if t <= at][-1]


def change_bed(app_context: AppContext, seq: int, status: str, hours_ago: float) -> Bed:
    with app_context.store.sessions.begin() as session:
        bed = session.scalars(select(Bed).where(Bed.unit == "ICU", Bed.status == "available")
                              .order_by(Bed.id)).first() if status == "occupied" else \
            session.scalars(select(Bed).where(Bed.unit == "ICU", Bed.status == "occupied").order_by(Bed.id)).first()
        assert bed is not None
        data = {"id": bed.id, "hospital_id": bed.hospital_id, "unit": bed.unit, "label": bed.label, "status": status}
        apply_changes(session, [Change(seq=seq, entity="bed", entity_id=bed.id, version=bed.version + 1, data=data,
                                       at=NOW - timedelta(hours=hours_ago))])
        return bed


def test_pulled_bed_change_is_kept_as_an_event_with_the_server_time(app_context: AppContext) -> None:
    bed = change_bed(app_context, 41, "occupied", hours_ago=2)
    with app_context.store.sessions.begin() as session:
        [event] = session.scalars(select(BedEvent)).all()
        assert (event.bed_id, event.from_status, event.to_status) == (bed.id, "available", "occupied")
        assert event.at == NOW - timedelta(hours=2)


def test_occupancy_is_rebuilt_backwards_from_now_through_each_change(app_context: AppContext) -> None:
    now_percent = icu_percent(app_context, 0)
    change_bed(app_context, 1, "occupied", hours_ago=5)
    change_bed(app_context, 2, "occupied", hours_ago=3)
    after = icu_percent(app_context, 0)
    step = (after - now_percent) / 2
    assert step > 0
    assert icu_percent(app_context, 4) == round(now_percent + step, 1)  # one more bed in use 4 h ago
    assert icu_percent(app_context, 6) == now_percent  # before both changes
    assert icu_percent(app_context, 0) == after


def test_transfers_are_counted_in_the_hour_they_were_requested(app_context: AppContext, cases: CaseService,
                                                                paramedic: UserInfo) -> None:
    for minutes_ago in (30, 100, 110):
        case = cases.open_case()
        cases.set_detail(case.id, "chief_complaint", "fall")
        TransferService(app_context.store, paramedic, clock=lambda m=minutes_ago: NOW - timedelta(minutes=m)) \
            .send_to_hospital(case.id, demo_id("hospital", "Lourdes"), "WARD")
    trends = network_trends(app_context.store, NOW)
    assert len(trends.transfer_hours) == 24 and trends.transfer_hours[-1] == NOW.replace(minute=0)
    assert trends.transfers_per_hour[-3:] == [2, 1, 0] and trends.transfers == 3
