"""The ward's card shows where the ambulance is as an arrival time recomputed from its newest position, and
never a confident time from a position over two minutes old (issue 29)."""

from __future__ import annotations

import json
from datetime import timedelta

from pytestqt.qtbot import QtBot

from emsync_desktop.domain.ids import demo_id
from emsync_desktop.domain.local_time import clock
from emsync_desktop.domain.roles import Role
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.clock import utc_now
from emsync_desktop.services.transfers import TransferService
from emsync_desktop.store.models import AmbulancePosition, TransferRecord
from emsync_desktop.sync.engine import SyncStatus
from emsync_desktop.ui.main_window import MainWindow
from emsync_desktop.ui.nurse.workspace import NurseWorkspace
from tests.ui.test_nurse_record_card import card_text, nurse_sees_one_card


def send_case(window: MainWindow) -> str:
    store = window.context.store
    paramedic = next(u for u in demo_users(store) if u.role is Role.PARAMEDIC)
    case = CaseService(store, paramedic, window.context.install.device_id).open_case()
    CaseService(store, paramedic, window.context.install.device_id).set_detail(case.id, "chief_complaint", "Fall")
    return TransferService(store, paramedic).send_to_hospital(case.id, demo_id("hospital", "Lourdes"), "ICU").id


def position_pulled(window: MainWindow, workspace: NurseWorkspace, transfer_id: str, age_s: float) -> None:
    """As the pull stores a position (``sync.apply``), then the sync's report."""
    at = utc_now() - timedelta(seconds=age_s)
    with window.context.store.sessions.begin() as session:
        session.merge(AmbulancePosition(id=transfer_id, lat=9.95, lon=76.29, at=at, source="GPS",
                                        version=int(at.timestamp())))
    workspace.on_synced(SyncStatus(online=True, pending=0, last_sync=None, error=None, touched=frozenset({"position"})))


def test_the_card_counts_down_from_the_newest_position(qtbot: QtBot, window: MainWindow) -> None:
    transfer_id = send_case(window)
    workspace = nurse_sees_one_card(qtbot, window)
    assert "Ambulance: no position reported yet" in card_text(workspace)
    position_pulled(window, workspace, transfer_id, age_s=20)
    qtbot.waitUntil(lambda: "Ambulance: arrives in " in card_text(workspace), timeout=10_000)
    line = next(x for x in card_text(workspace).splitlines() if x.startswith("Ambulance:"))
    assert "(updated 2" in line and "estimate" in line  # no road data in the test: labelled a straight-line estimate


def test_an_old_position_says_since_when_it_is_unknown(qtbot: QtBot, window: MainWindow) -> None:
    transfer_id = send_case(window)
    workspace = nurse_sees_one_card(qtbot, window)
    position_pulled(window, workspace, transfer_id, age_s=180)
    at = clock(utc_now() - timedelta(seconds=180))
    qtbot.waitUntil(lambda: "Ambulance: position unknown since" in card_text(workspace), timeout=10_000)
    assert "arrives in" not in next(x for x in card_text(workspace).splitlines() if x.startswith("Ambulance:"))
    assert at[:4] in card_text(workspace)  # the hour and the tens of minutes, whatever the second


def test_an_arrived_ambulance_has_no_position_line(qtbot: QtBot, window: MainWindow) -> None:
    transfer_id = send_case(window)
    with window.context.store.sessions.begin() as session:
        session.get(TransferRecord, transfer_id).state = "ARRIVED"  # type: ignore[union-attr]
    workspace = nurse_sees_one_card(qtbot, window)
    position_pulled(window, workspace, transfer_id, age_s=300)  # its last position, from before it arrived
    qtbot.wait(200)
    assert "Ambulance:" not in card_text(workspace)


def test_the_card_of_an_ambulance_on_its_way_has_a_map_of_the_approach(qtbot: QtBot, window: MainWindow) -> None:
    transfer_id = send_case(window)
    workspace = nurse_sees_one_card(qtbot, window)
    assert workspace.incoming.approach is not None and workspace.incoming.approach.maps == {}  # no position yet
    position_pulled(window, workspace, transfer_id, age_s=20)
    qtbot.waitUntil(lambda: transfer_id in workspace.incoming.approach.maps, timeout=10_000)  # type: ignore[union-attr]
    panel = workspace.incoming.approach.maps[transfer_id]  # type: ignore[union-attr]
    assert workspace.incoming.cards[transfer_id].isAncestorOf(panel)
    qtbot.waitUntil(lambda: panel._scene is not None and panel._scene.fleet[0].label.endswith(" min"),
                    timeout=10_000)
    assert panel._scene.destination is not None and not panel._scene.fleet[0].stale


def test_the_approach_map_survives_the_cards_being_redrawn(qtbot: QtBot, window: MainWindow) -> None:
    transfer_id = send_case(window)
    workspace = nurse_sees_one_card(qtbot, window)
    position_pulled(window, workspace, transfer_id, age_s=20)
    qtbot.waitUntil(lambda: transfer_id in workspace.incoming.approach.maps, timeout=10_000)  # type: ignore[union-attr]
    panel = workspace.incoming.approach.maps[transfer_id]  # type: ignore[union-attr]
    old_card = workspace.incoming.cards[transfer_id]
    workspace.incoming.refresh()
    qtbot.waitUntil(lambda: workspace.incoming.cards.get(transfer_id) not in (None, old_card), timeout=10_000)
    assert workspace.incoming.approach.maps[transfer_id] is panel  # type: ignore[union-attr]
    assert workspace.incoming.cards[transfer_id].isAncestorOf(panel)


def test_an_arrived_ambulance_has_no_approach_map(qtbot: QtBot, window: MainWindow) -> None:
    transfer_id = send_case(window)
    with window.context.store.sessions.begin() as session:
        session.get(TransferRecord, transfer_id).state = "ARRIVED"  # type: ignore[union-attr]
    workspace = nurse_sees_one_card(qtbot, window)
    position_pulled(window, workspace, transfer_id, age_s=30)
    qtbot.wait(300)
    assert workspace.incoming.approach is not None and workspace.incoming.approach.maps == {}


def test_the_approach_map_names_the_ambulance_and_the_hospital_without_overlap(qtbot: QtBot,
                                                                                window: MainWindow) -> None:
    window.resize(1366, 768)  # before the page starts
    transfer_id = send_case(window)
    workspace = nurse_sees_one_card(qtbot, window)
    position_pulled(window, workspace, transfer_id, age_s=20)
    qtbot.waitUntil(lambda: transfer_id in workspace.incoming.approach.maps, timeout=10_000)  # type: ignore[union-attr]
    panel = workspace.incoming.approach.maps[transfer_id]  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: panel.ready, timeout=30_000)
    qtbot.wait(500)
    answers: list[object] = []
    panel._view.page().runJavaScript(  # type: ignore[union-attr]
        "JSON.stringify([emsync.overlapping(), emsync.shownLabels()])", 0, answers.append)
    qtbot.waitUntil(lambda: bool(answers), timeout=10_000)
    overlapping, shown = json.loads(str(answers[0]))
    assert overlapping == 0 and "This hospital" in shown, shown
    assert any(text.startswith("Ambulance · ") and text.endswith(" min") for text in shown), shown
