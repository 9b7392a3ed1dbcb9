"""The nurse drives an incoming transfer from its card: accept, reject with a reason, mark arrived."""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QInputDialog, QLabel, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from emsync_desktop.domain.lifecycle import TransferState
from emsync_desktop.domain.roles import Role
from emsync_desktop.store.models import Bed, BookingRecord, OutboxOp
from emsync_desktop.ui.main_window import MainWindow
from emsync_desktop.ui.nurse.workspace import NurseWorkspace
from tests.ui.conftest import send_case_as_paramedic, sign_in_as


def nurse_with_one_card(qtbot: QtBot, window: MainWindow, *, send: bool = True) -> NurseWorkspace:
    if send:
        send_case_as_paramedic(window, "Fall", "Lourdes", "WARD")
    sign_in_as(qtbot, window, Role.NURSE)
    workspace = window.workspace
    assert isinstance(workspace, NurseWorkspace)
    qtbot.waitUntil(lambda: len(workspace.incoming.cards) == 1, timeout=10_000)
    return workspace


def hold_a_ward_bed(window: MainWindow) -> None:
    """As the server would have answered the crew's hold: HELD, on a bed."""
    send_case_as_paramedic(window, "Fall", "Lourdes", "WARD")
    with window.context.store.sessions.begin() as session:
        booking = session.scalars(select(BookingRecord)).one()
        bed = session.scalars(select(Bed).where(Bed.hospital_id == booking.hospital_id, Bed.unit == "WARD",
                                                Bed.status == "available").order_by(Bed.label)).first()
        assert bed is not None
        booking.state, booking.bed_id, bed.status = "HELD", bed.id, "reserved"


def click(qtbot: QtBot, workspace: NurseWorkspace, text: str) -> None:
    [card] = workspace.incoming.cards.values()
    button = next(b for b in card.findChildren(QPushButton) if b.text() == text)
    button.click()


def queued_targets(window: MainWindow) -> list[str]:
    with window.context.store.sessions.begin() as session:
        ops = session.scalars(select(OutboxOp).where(OutboxOp.kind == "transfer.transition")
                              .order_by(OutboxOp.device_seq)).all()
        return [json.loads(o.payload)["target"] for o in ops]


def test_accept_then_mark_arrived_completes_the_transfer(qtbot: QtBot, window: MainWindow,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    hold_a_ward_bed(window)
    workspace = nurse_with_one_card(qtbot, window, send=False)
    offered: list[str] = []

    def keep_the_held_bed(_parent: object, _title: str, _label: str, items: list[str], *_a: object) -> tuple[str, bool]:
        offered.extend(items)
        return items[0], True

    monkeypatch.setattr(QInputDialog, "getItem", keep_the_held_bed)
    click(qtbot, workspace, "Accept")
    qtbot.waitUntil(lambda: queued_targets(window) == ["ACCEPTED"], timeout=10_000)
    qtbot.waitUntil(lambda: any(b.text() == "Mark arrived (bed occupied)" for card in
                                workspace.incoming.cards.values() for b in card.findChildren(QPushButton)))
    click(qtbot, workspace, "Mark arrived (bed occupied)")
    qtbot.waitUntil(lambda: len(workspace.incoming.cards) == 0, timeout=10_000)  # completed: off the list
    assert queued_targets(window) == ["ACCEPTED", "ARRIVED", "COMPLETED"]
    assert offered[0].startswith("Keep WARD") and all(o.endswith("(free)") for o in offered[1:])


def test_accepting_into_another_free_bed_sends_that_bed(qtbot: QtBot, window: MainWindow,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = nurse_with_one_card(qtbot, window)
    monkeypatch.setattr(QInputDialog, "getItem", lambda _p, _t, _l, items, *a: (items[1], True))
    click(qtbot, workspace, "Accept")
    qtbot.waitUntil(lambda: queued_targets(window) == ["ACCEPTED"], timeout=10_000)
    with window.context.store.sessions.begin() as session:
        op = session.scalars(select(OutboxOp).where(OutboxOp.kind == "transfer.transition")).one()
        chosen = session.get(Bed, json.loads(op.payload)["bed_id"])
        assert chosen is not None and chosen.status == "available" and chosen.unit == "WARD"


def test_reject_asks_for_a_reason_and_sends_it(qtbot: QtBot, window: MainWindow,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = nurse_with_one_card(qtbot, window)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("no ward bed until 18:00", True))
    click(qtbot, workspace, "Reject…")
    qtbot.waitUntil(lambda: len(workspace.incoming.cards) == 0, timeout=10_000)
    with window.context.store.sessions.begin() as session:
        [op] = session.scalars(select(OutboxOp).where(OutboxOp.kind == "transfer.transition")).all()
        assert json.loads(op.payload) == {"target": "REJECTED", "reason": "no ward bed until 18:00", "bed_id": None}


def test_reject_cancelled_at_the_reason_changes_nothing(qtbot: QtBot, window: MainWindow,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = nurse_with_one_card(qtbot, window)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("", False))
    click(qtbot, workspace, "Reject…")
    assert len(workspace.incoming.cards) == 1 and queued_targets(window) == []


def test_accepting_one_card_moves_no_other_card(qtbot: QtBot, window: MainWindow) -> None:
    first = send_case_as_paramedic(window, "Fall", "Lourdes", "WARD")
    second = send_case_as_paramedic(window, "Burns", "Lourdes", "WARD")
    sign_in_as(qtbot, window, Role.NURSE)
    workspace = window.workspace
    assert isinstance(workspace, NurseWorkspace)
    qtbot.waitUntil(lambda: len(workspace.incoming.cards) == 2, timeout=10_000)
    assert list(workspace.incoming.cards) == [first, second]  # in the order requested

    def accept_button_y(transfer_id: str) -> int:
        card = workspace.incoming.cards[transfer_id]
        button = next(b for b in card.findChildren(QPushButton) if b.text() in ("Accept", "Reject…"))
        return button.mapTo(window, button.rect().topLeft()).y()

    qtbot.wait(300)  # let the new cards be laid out
    before = accept_button_y(second)
    workspace.incoming.decide(first, TransferState.ACCEPTED)
    qtbot.waitUntil(lambda: "ACCEPTED" in workspace.incoming.cards[first].findChildren(QLabel)[0].text())
    assert list(workspace.incoming.cards) == [first, second]
    qtbot.waitUntil(lambda: accept_button_y(second) == before, timeout=2_000)  # once laid out, where it was
