"""The crew's device queues the ambulance's position for its transfers under way (issue 29): every 15 s or
150 m, only the newest unsent report waiting, none once the transfer ended or for another crew's transfer. And
a desk keeps the newest position the feed brings."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from emsync_desktop.domain.ids import demo_id
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.geo.eta import LatLon
from emsync_desktop.geo.position import Fix
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.positions import record_position
from emsync_desktop.services.transfers import TransferService
from emsync_desktop.store.models import AmbulancePosition, OutboxOp
from emsync_desktop.sync.apply import apply_page
from emsync_desktop.sync.protocol import Change

LOURDES, AMRITA = demo_id("hospital", "Lourdes"), demo_id("hospital", "Amrita")
T0 = datetime(2026, 12, 5, 14, 0, tzinfo=UTC)


def fix(seconds: float, north_m: float = 0.0) -> Fix:
    return Fix(LatLon(10.0 + north_m / 111_195.0, 76.3), "GPS", T0 + timedelta(seconds=seconds))


def send_case(app_context: AppContext, cases: CaseService, paramedic: UserInfo) -> str:
    case = cases.open_case()
    cases.set_detail(case.id, "chief_complaint", "Chest pain")
    return TransferService(app_context.store, paramedic).send_to_hospital(case.id, LOURDES, "ICU").id


def position_ops(app_context: AppContext) -> list[tuple[str, dict]]:  # type: ignore[type-arg]
    with app_context.store.sessions.begin() as session:
        ops = session.scalars(select(OutboxOp).where(OutboxOp.kind == "transfer.position")
                              .order_by(OutboxOp.device_seq)).all()
        return [(op.state, json.loads(op.payload)) for op in ops]


def test_a_position_is_queued_every_15_s_or_150_m_for_the_transfer_under_way(
        app_context: AppContext, cases: CaseService, paramedic: UserInfo) -> None:
    transfer_id = send_case(app_context, cases, paramedic)
    reported = [record_position(app_context.store, paramedic.id, f, T0) for f in
                (fix(0), fix(5, 20), fix(16, 30), fix(21, 200))]
    assert reported == [[transfer_id], [], [transfer_id], [transfer_id]]
    assert [p["transfer_id"] for _, p in position_ops(app_context)] == [transfer_id] * 3


def test_offline_only_the_newest_report_waits(app_context: AppContext, cases: CaseService,
                                              paramedic: UserInfo) -> None:
    send_case(app_context, cases, paramedic)
    for minute in range(5):  # five minutes offline, a report due every 15 s
        for quarter in range(4):
            record_position(app_context.store, paramedic.id, fix(minute * 60 + quarter * 15, minute * 10), T0)
    ops = position_ops(app_context)
    assert [state for state, _ in ops].count("pending") == 1 and ops[-1][0] == "pending"
    assert datetime.fromisoformat(ops[-1][1]["at"]) == fix(4 * 60 + 45).at  # the newest fix, not a backlog
    assert {state for state, _ in ops[:-1]} == {"superseded"}


def test_no_position_once_the_transfer_ended_or_for_another_crew(app_context: AppContext, cases: CaseService,
                                                                 paramedic: UserInfo) -> None:
    case = cases.open_case()
    cases.set_detail(case.id, "chief_complaint", "Chest pain")
    service = TransferService(app_context.store, paramedic)
    first = service.send_to_hospital(case.id, LOURDES, "ICU")
    second = service.send_to_hospital(case.id, AMRITA, "ICU", replace_active=True)  # the first is cancelled
    assert record_position(app_context.store, "someone-else", fix(0), T0) == []
    assert record_position(app_context.store, paramedic.id, fix(0), T0) == [second.id] != [first.id]


def test_a_desk_keeps_the_position_the_server_received_last(app_context: AppContext) -> None:
    def change(seq: int, version: int, lat: float) -> Change:
        return Change(seq=seq, entity="position", entity_id="t1", version=version,
                      data={"id": "t1", "lat": lat, "lon": 76.3, "at": T0.isoformat(), "source": "GPS",
                            "version": version})
    with app_context.store.sessions.begin() as session:  # the device's clock went back: version (its fix) fell
        apply_page(session, [change(7, 100, 10.0), change(9, 115, 10.1), change(12, 110, 10.05)])
    with app_context.store.sessions.begin() as session:
        apply_page(session, [change(8, 120, 9.0)])  # an older feed row, retried late
    with app_context.store.sessions.begin() as session:
        kept = session.get(AmbulancePosition, "t1")
        assert kept is not None and (kept.lat, kept.version) == (10.05, 12)  # the last the server received
