"""A case is sent once: a double tap holds one bed, and sending elsewhere asks and replaces the transfer."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from emsync_desktop.store.models import BookingRecord, TransferRecord
from emsync_desktop.ui.main_window import MainWindow
from tests.ui.test_hospital_ranking import open_hospital_tab


def _transfers(window: MainWindow) -> list[tuple[str, str]]:
    with window.context.store.sessions.begin() as session:
        return [(t.destination_hospital_id, t.state) for t in session.scalars(select(TransferRecord))]


def _hospital_ids(panel) -> list[str]:  # type: ignore[no-untyped-def]
    return [panel.hospitals.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(panel.hospitals.rowCount())]


def test_double_click_on_send_creates_one_transfer_and_one_hold(qtbot: QtBot, window: MainWindow) -> None:
    panel = open_hospital_tab(qtbot, window)
    qtbot.mouseDClick(panel.send, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.send, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Saved on this device" in panel.outcome.text())
    qtbot.wait(200)  # any second send would have landed by now
    assert len(_transfers(window)) == 1
    with window.context.store.sessions.begin() as session:
        assert len(session.scalars(select(BookingRecord)).all()) == 1
    assert not panel.send.isEnabled() and panel.send_elsewhere.isVisible()


def test_send_elsewhere_asks_first_and_declining_changes_nothing(qtbot: QtBot, window: MainWindow) -> None:
    panel = open_hospital_tab(qtbot, window)
    qtbot.mouseClick(panel.send, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(panel.send_elsewhere.isVisible)
    questions: list[str] = []
    panel.confirm_replace = lambda q: questions.append(q) is not None  # says No
    panel.hospitals.selectRow(1)
    qtbot.mouseClick(panel.send_elsewhere, Qt.MouseButton.LeftButton)
    assert len(questions) == 1 and "Cancel that transfer, release its bed" in questions[0]
    assert len(_transfers(window)) == 1


def test_send_elsewhere_to_where_it_is_already_going_asks_nothing_and_says_so(qtbot: QtBot,
                                                                              window: MainWindow) -> None:
    panel = open_hospital_tab(qtbot, window)
    first = panel.selected_hospital()
    qtbot.mouseClick(panel.send, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(panel.send_elsewhere.isVisible)
    questions: list[str] = []
    panel.confirm_replace = lambda q: questions.append(q) is None  # would say Yes
    panel.pick(first)  # the hospital it is already going to, same unit
    qtbot.mouseClick(panel.send_elsewhere, Qt.MouseButton.LeftButton)
    assert questions == [] and "already going to" in panel.message.text()
    assert len(_transfers(window)) == 1


def test_send_elsewhere_confirmed_cancels_the_first_transfer(qtbot: QtBot, window: MainWindow) -> None:
    panel = open_hospital_tab(qtbot, window)
    first = panel.selected_hospital()
    qtbot.mouseClick(panel.send, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(panel.send_elsewhere.isVisible)
    panel.confirm_replace = lambda _q: True
    panel.pick(next(h for h in _hospital_ids(panel) if h != first))
    second = panel.selected_hospital()
    qtbot.mouseClick(panel.send_elsewhere, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(_transfers(window)) == 2)
    assert sorted(_transfers(window)) == sorted([(first, "CANCELLED"), (second, "PENDING")])


def test_a_redirect_sends_the_new_ward_an_eta_from_here(qtbot: QtBot, window: MainWindow) -> None:
    import json

    from emsync_desktop.services.transfers import CrewNews
    from emsync_desktop.store.models import OutboxOp

    panel = open_hospital_tab(qtbot, window)
    qtbot.mouseClick(panel.send, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(panel.send_elsewhere.isVisible)
    workspace = window.workspace
    with window.context.store.sessions.begin() as session:
        transfer = session.scalars(select(TransferRecord)).one()
        transfer_id, case_id = transfer.id, transfer.encounter_id
    other = next(h for h in _hospital_ids(panel) if h != transfer.destination_hospital_id)
    workspace._on_news([])  # type: ignore[union-attr]  # the first look: nothing new yet
    workspace._on_news([CrewNews(transfer_id, case_id, "Patient", other, "moved",  # type: ignore[union-attr]
                                 "↪ Redirected by Rahul Nair at 07:50 to Amrita ICU: cath lab down", "t1")])
    qtbot.waitUntil(lambda: workspace.news.isVisible())  # type: ignore[union-attr]

    def eta_ops() -> list[dict[str, object]]:
        with window.context.store.sessions.begin() as session:
            return [json.loads(o.payload) for o in session.scalars(select(OutboxOp)) if o.kind == "transfer.eta"]

    qtbot.waitUntil(lambda: len(eta_ops()) == 1)
    assert int(eta_ops()[0]["eta_s"]) > 0  # type: ignore[call-overload]
