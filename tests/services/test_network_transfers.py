from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from emsync_desktop.domain.ids import demo_id
from emsync_desktop.domain.positions import LiveEta
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.clock import utc_now
from emsync_desktop.services.network_transfers import arrival_text, fleet_pins, open_transfers
from emsync_desktop.services.transfers import TransferService
from emsync_desktop.store.models import AmbulancePosition, BookingRecord, TransferRecord

LOURDES = demo_id("hospital", "Lourdes")


def send(app_context: AppContext, cases: CaseService, paramedic: UserInfo, complaint: str) -> str:
    case = cases.open_case()
    cases.set_detail(case.id, "chief_complaint", complaint)
    return TransferService(app_context.store, paramedic).send_to_hospital(case.id, LOURDES, "ICU").id


def test_transfers_needing_attention_come_first_with_the_reason(app_context: AppContext, cases: CaseService,
                                                                 paramedic: UserInfo) -> None:
    calm, refused, lapsing, done = (send(app_context, cases, paramedic, c) for c in ("calm", "no bed", "hold", "done"))
    now = utc_now()
    with app_context.store.sessions.begin() as session:
        bookings = {b.transfer_id: b for b in session.scalars(select(BookingRecord))}
        bookings[refused].state, bookings[refused].sync_reason = "REJECTED", "No ICU bed left at Lourdes."
        bookings[lapsing].state, bookings[lapsing].hold_expires_at = "HELD", now + timedelta(minutes=3, seconds=30)
        bookings[calm].state, bookings[calm].hold_expires_at = "HELD", now + timedelta(minutes=14)
        session.get(TransferRecord, done).state = "COMPLETED"  # type: ignore[union-attr]
    shown = open_transfers(app_context.store, now)
    assert [t.id for t in shown][:2] in ([refused, lapsing], [lapsing, refused]) and done not in [t.id for t in shown]
    attention = {t.id: t.attention for t in shown}
    assert attention[refused] == "bed refused: No ICU bed left at Lourdes."
    assert attention[lapsing] == "hold lapses in 3 min" and attention[calm] is None
    assert all(t.destination == "Lourdes" and t.eta == "no ETA given" for t in shown)


def test_the_arrival_comes_from_the_newest_position_and_an_old_one_gives_none(
        app_context: AppContext, cases: CaseService, paramedic: UserInfo) -> None:
    fresh, old, none = (send(app_context, cases, paramedic, c) for c in ("fresh", "old", "none"))
    now = utc_now()
    with app_context.store.sessions.begin() as session:
        for transfer_id, age_s in ((fresh, 20), (old, 300)):
            session.add(AmbulancePosition(id=transfer_id, lat=9.95, lon=76.29, at=now - timedelta(seconds=age_s),
                                          source="GPS", version=1))
    shown = {t.id: t for t in open_transfers(app_context.store, now)}
    live = {fresh: LiveEta(420.0, now - timedelta(seconds=20), "offline road graph")}
    assert arrival_text(shown[fresh], live.get, now) == "arrives in 7 min (updated 20 s ago, offline road graph)"
    assert arrival_text(shown[old], live.get, now).startswith("position unknown since ")
    assert arrival_text(shown[none], live.get, now) == "no ETA given"  # no position: the crew's ETA
    assert shown[old].attention is not None and shown[old].attention.startswith("no position since ")
    assert shown[fresh].attention is None  # a moving ambulance needs nobody's attention
    pins = {p.id: p for p in fleet_pins(list(shown.values()), live.get, now)}
    assert set(pins) == {fresh, old} and pins[old].stale and not pins[fresh].stale
    assert pins[fresh].label == "Lourdes ICU · 7 min" and pins[old].label.startswith("Lourdes ICU · no position since")


def test_an_arrived_ambulance_is_not_lost(app_context: AppContext, cases: CaseService, paramedic: UserInfo) -> None:
    """Positions stop on arrival: an arrived transfer's last position is neither an arrival time, a grey pin nor
    something for the desk's attention."""
    arrived = send(app_context, cases, paramedic, "arrived")
    now = utc_now()
    with app_context.store.sessions.begin() as session:
        session.get(TransferRecord, arrived).state = "ARRIVED"  # type: ignore[union-attr]
        session.add(AmbulancePosition(id=arrived, lat=9.95, lon=76.29, at=now - timedelta(minutes=5), source="GPS",
                                      version=1))
    [shown] = open_transfers(app_context.store, now)
    assert arrival_text(shown, lambda _id: None, now) == shown.eta and shown.attention is None
    assert fleet_pins([shown], lambda _id: None, now) == []


def test_a_lapsed_hold_on_an_open_transfer_needs_attention(app_context: AppContext, cases: CaseService,
                                                          paramedic: UserInfo) -> None:
    lapsed = send(app_context, cases, paramedic, "lapsed")
    with app_context.store.sessions.begin() as session:
        session.scalars(select(BookingRecord)).one().state = "EXPIRED"  # the server released the bed
    [shown] = open_transfers(app_context.store, utc_now())
    assert shown.id == lapsed and shown.attention == "bed hold lapsed: no bed is held for this patient"
