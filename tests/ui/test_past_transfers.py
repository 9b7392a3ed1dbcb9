"""The coordinator's past-transfers tab: a day searched on the sync server lists its transfers; one selected is
read whole; a server that cannot be asked says why and the search can be tried again."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from pytestqt.qtbot import QtBot

from emsync_desktop.domain.ids import demo_id, new_id
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.past_transfers import local_day_bounds
from emsync_desktop.services.runner import DbRunner
from emsync_desktop.sync.protocol import Change, PullResponse
from emsync_desktop.ui.coordinator.past_transfers_view import PastTransfersView
from emsync_desktop.ui.tasks import TaskRelay

AT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
TRANSFER = new_id()


def transfer_change() -> Change:
    history = [{"state": "PENDING", "by_name": "Asha Menon", "at": AT.isoformat(), "reason": ""},
               {"state": "COMPLETED", "by_name": "Maria Joseph", "at": (AT + timedelta(hours=1)).isoformat(),
                "reason": "handed over"}]
    data = {"id": TRANSFER, "destination_hospital_id": demo_id("hospital", "Lourdes"), "unit": "ICU",
            "state": "COMPLETED", "severity": "Critical", "summary": "Chest pain, 61 y", "history": history}
    return Change(seq=1, entity="transfer", entity_id=TRANSFER, version=3, data=data)


def handoff_change() -> Change:
    data = {"id": new_id(), "transfer_id": TRANSFER, "version": 1, "created_at": AT.isoformat(),
            "sections": {"situation": "Crushing chest pain", "background": "Hypertension", "assessment": "STEMI?",
                         "recommendation": "Cath lab"},
            "acknowledged_by_name": "Maria Joseph", "acknowledged_at": AT.isoformat()}
    return Change(seq=2, entity="handoff", entity_id=data["id"], version=1, data=data)


class FakeServer:
    def __init__(self, fail: bool = False) -> None:
        self.fail, self.asked = fail, []  # type: ignore[var-annotated]

    def lookup(self, start: datetime, end: datetime) -> PullResponse:
        self.asked.append((start, end))
        if self.fail:
            raise ValueError("This desk is not signed in to the sync server yet.")
        return PullResponse(changes=[transfer_change()], cursor=0, more=False)

    def fetch(self, transfer_id: str) -> list[Change]:
        return [transfer_change(), handoff_change()] if transfer_id == TRANSFER else []


def view_with(qtbot: QtBot, app_context: AppContext, runner: DbRunner, server: FakeServer) -> PastTransfersView:
    view = PastTransfersView(TaskRelay(runner), app_context.store, server.lookup, server.fetch)
    qtbot.addWidget(view)
    view.show()
    return view


def test_a_searched_day_lists_its_transfers_and_one_opens_whole(qtbot: QtBot, app_context: AppContext,
                                                               runner: DbRunner) -> None:
    server = FakeServer()
    view = view_with(qtbot, app_context, runner, server)
    view.day.setDate(date(2026, 11, 20))
    view.search.click()
    qtbot.waitUntil(lambda: view.table.rowCount() == 1, timeout=10_000)
    assert server.asked == [local_day_bounds(date(2026, 11, 20))]
    assert view.table.item(0, 2).text() == "Lourdes Hospital, Pachalam" and view.table.item(0, 4).text() == "COMPLETED"
    view.table.selectRow(0)
    qtbot.waitUntil(lambda: "Crushing chest pain" in view.case.toPlainText(), timeout=10_000)
    text = view.case.toPlainText()
    assert "COMPLETED by Maria Joseph (handed over)" in text and "Acknowledged by Maria Joseph" in text


def test_a_server_that_cannot_be_asked_says_why_and_search_stays_possible(qtbot: QtBot, app_context: AppContext,
                                                                         runner: DbRunner) -> None:
    view = view_with(qtbot, app_context, runner, FakeServer(fail=True))
    view.search.click()
    qtbot.waitUntil(lambda: "not signed in" in view.status.text(), timeout=10_000)
    assert view.search.isEnabled() and view.table.rowCount() == 0


def test_without_a_sync_server_the_tab_says_so(qtbot: QtBot, app_context: AppContext, runner: DbRunner) -> None:
    view = PastTransfersView(TaskRelay(runner), app_context.store, None, None)
    qtbot.addWidget(view)
    assert not view.search.isEnabled() and "not connected to a sync server" in view.status.text()


def test_the_status_names_the_day_searched_not_the_one_picked_since(qtbot: QtBot, app_context: AppContext,
                                                                    runner: DbRunner) -> None:
    server = FakeServer()
    view = view_with(qtbot, app_context, runner, server)
    view.day.setDate(date(2026, 11, 20))
    view.search.click()
    view.day.setDate(date(2026, 11, 21))  # changed while the search runs
    view.search_day()  # a second search while one runs does nothing
    qtbot.waitUntil(lambda: view.table.rowCount() == 1, timeout=10_000)
    assert "20 Nov 2026" in view.status.text() and len(server.asked) == 1
