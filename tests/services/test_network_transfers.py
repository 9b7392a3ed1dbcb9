from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from emsync_desktop.domain.ids import demo_id
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.clock import utc_now
from emsync_desktop.services.network_transfers import open_transfers
from emsync_desktop.services.transfers import TransferService
from emsync_desktop.store.models import BookingRecord, TransferRecord

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
