"""The paramedic's app queues the ambulance's position for the transfer under way, off the GUI thread, and
nudges the sync when it did (issue 29)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot
from sqlalchemy import select

from emsync_desktop.domain.ids import demo_id
from emsync_desktop.domain.roles import Role
from emsync_desktop.geo.eta import LatLon
from emsync_desktop.geo.position import FixedPosition
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.runner import DbRunner
from emsync_desktop.services.transfers import TransferService
from emsync_desktop.store.models import OutboxOp
from emsync_desktop.ui.paramedic.position_reporter import PositionReporter
from emsync_desktop.ui.tasks import TaskRelay


def test_a_position_is_queued_for_the_transfer_and_the_sync_nudged(qtbot: QtBot, app_context: AppContext,
                                                                   runner: DbRunner) -> None:
    paramedic = next(u for u in demo_users(app_context.store) if u.role is Role.PARAMEDIC)
    cases = CaseService(app_context.store, paramedic, app_context.install.device_id)
    case = cases.open_case()
    cases.set_detail(case.id, "chief_complaint", "Fall")
    TransferService(app_context.store, paramedic).send_to_hospital(case.id, demo_id("hospital", "Lourdes"), "ICU")
    nudged: list[bool] = []
    source = FixedPosition(LatLon(9.95, 76.29), "GPS")
    reporter = PositionReporter(lambda: source, app_context.store, paramedic.id, TaskRelay(runner),
                                lambda: nudged.append(True))
    reporter.report_now()
    qtbot.waitUntil(lambda: nudged == [True], timeout=5_000)
    reporter.report_now()  # the same place a moment later: nothing new to say
    qtbot.wait(300)
    reporter.stop()
    with app_context.store.sessions.begin() as session:
        assert len(session.scalars(select(OutboxOp).where(OutboxOp.kind == "transfer.position")).all()) == 1
    assert nudged == [True]
