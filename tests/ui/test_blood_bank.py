"""The blood bank's screens (issue 24), driven as a person would: a bag registered from the keyboard (and a
mistyped number refused with what to do), the queue most urgent first with its allocate button, stock against
par; a nurse's request from the Blood tab; the bedside check refusing a wrong wristband."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from emsync_desktop.domain.blood import Abo, BloodGroup, Component, din_check_character
from emsync_desktop.domain.blood_flow import PatientIds, Urgency
from emsync_desktop.domain.roles import Role, UserInfo
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.blood_bank import BloodAsk, BloodBankService, NewUnit
from emsync_desktop.services.blood_views import BloodViews
from emsync_desktop.services.clock import utc_now
from emsync_desktop.store.models import OutboxOp
from emsync_desktop.store.models_blood import BloodRequestRecord, BloodUnitRecord
from emsync_desktop.ui.blood_bank.donor_dialog import DonorDialog
from emsync_desktop.ui.blood_bank.transfusion_dialog import TransfusionDialog
from emsync_desktop.ui.blood_bank.workspace import BloodBankWorkspace
from emsync_desktop.ui.main_window import MainWindow
from emsync_desktop.ui.nurse.workspace import NurseWorkspace
from tests.ui.conftest import sign_in_as


def user_of(window: MainWindow, role: Role) -> UserInfo:
    return next(u for u in demo_users(window.context.store) if u.role is role)


def din(n: int) -> str:
    number = f"G1234{utc_now():%y}{600_000 + n:06d}"
    return number + din_check_character(number)


def queued_kinds(window: MainWindow) -> list[str]:
    with window.context.store.sessions.begin() as session:
        return [op.kind for op in session.scalars(select(OutboxOp).order_by(OutboxOp.device_seq))]


def ask(window: MainWindow, urgency: Urgency, name: str) -> str:
    return BloodBankService(window.context.store, user_of(window, Role.NURSE)).request_blood(BloodAsk(
        PatientIds(name, "1990-01-01"), None, None, True, urgency, {Component.RED_CELLS: 2}))


def blood_bank(qtbot: QtBot, window: MainWindow) -> BloodBankWorkspace:
    sign_in_as(qtbot, window, Role.BLOOD_BANK)
    workspace = window.workspace
    assert isinstance(workspace, BloodBankWorkspace)
    return workspace


def test_a_bag_registered_from_the_keyboard_is_saved_and_queued(qtbot: QtBot, window: MainWindow) -> None:
    form = blood_bank(qtbot, window).register
    qtbot.keyClicks(form.product, "E0336V00")
    form.group.setCurrentText("O neg")
    qtbot.keyClicks(form.din, din(1))
    qtbot.keyClick(form.din, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: form.outcome.text().startswith("✔ Registered"))
    assert queued_kinds(window) == ["blood.unit_add"] and form.din.text() == "" and form.din.hasFocus()
    assert form.group.currentIndex() == 0  # the next bag's group is read from its own label


def test_a_mistyped_donation_number_is_refused_on_screen_and_nothing_is_saved(qtbot: QtBot,
                                                                               window: MainWindow) -> None:
    form = blood_bank(qtbot, window).register
    qtbot.keyClicks(form.product, "E0336V00")
    form.group.setCurrentText("O neg")
    number = din(2)
    qtbot.keyClicks(form.din, number[:-1] + ("A" if number[-1] != "A" else "B"))
    qtbot.mouseClick(form.register, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "check character does not match" in form.outcome.text())
    assert queued_kinds(window) == [] and form.outcome.objectName() == "outcomeRefused"


def test_the_queue_puts_an_emergency_first_and_allocating_queues_the_servers_choice(
        qtbot: QtBot, window: MainWindow) -> None:
    ask(window, Urgency.ROUTINE, "Routine Patient")
    emergency = ask(window, Urgency.EMERGENCY, "Bleeding Patient")
    with window.context.store.sessions.begin() as session:  # as if the server had the requests already
        for record in session.scalars(select(BloodRequestRecord)):
            record.sync_state = "synced"
    queue = blood_bank(qtbot, window).queue
    qtbot.waitUntil(lambda: queue.table.rowCount() == 2)
    assert queue.table.item(0, 2).text() == "Bleeding Patient"
    queue.table.selectRow(0)
    qtbot.mouseClick(queue.allocate, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "blood.allocate" in queued_kinds(window))
    qtbot.waitUntil(lambda: queue.table.item(0, 5).text() == "sending…")
    with window.context.store.sessions.begin() as session:
        [op] = session.scalars(select(OutboxOp).where(OutboxOp.kind == "blood.allocate"))
        assert op.entity_id == emergency and json.loads(op.payload) == {"unit_ids": [], "shortage": False}


def test_stock_shows_a_group_below_par(qtbot: QtBot, window: MainWindow) -> None:
    BloodBankService(window.context.store, user_of(window, Role.BLOOD_BANK)).register_unit(NewUnit(
        din(3), "E0336V00", Component.RED_CELLS, Abo.O, False, 280, utc_now() - timedelta(days=41, hours=12)))
    stock = blood_bank(qtbot, window).stock
    qtbot.waitUntil(lambda: stock.table.rowCount() > 0)
    o_negative = ("Red cells", str(BloodGroup(Abo.O, False)))
    row = next(r for r in range(stock.table.rowCount())
               if (stock.table.item(r, 0).text(), stock.table.item(r, 1).text()) == o_negative)
    assert [stock.table.item(row, c).text() for c in (2, 3, 4, 5)] == ["1", "10", "9", "1"]


def test_a_nurse_sends_a_request_from_the_blood_tab(qtbot: QtBot, window: MainWindow) -> None:
    sign_in_as(qtbot, window, Role.NURSE)
    workspace = window.workspace
    assert isinstance(workspace, NurseWorkspace)
    workspace.tabs.setCurrentWidget(workspace.blood)
    form = workspace.blood.form
    qtbot.keyClicks(form.name, "Meera Pillai")
    qtbot.keyClicks(form.second, "1988-07-21")
    qtbot.mouseClick(form.pack, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(form.send, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: workspace.blood.requests.count() == 1)
    assert "Emergency · Meera Pillai · red cells 6, plasma 6, platelets 1" in workspace.blood.requests.item(0).text()
    assert queued_kinds(window) == ["blood.request"]


def test_a_request_without_a_second_identifier_is_refused_with_why(qtbot: QtBot, window: MainWindow) -> None:
    sign_in_as(qtbot, window, Role.NURSE)
    workspace = window.workspace
    assert isinstance(workspace, NurseWorkspace)
    form = workspace.blood.form
    qtbot.keyClicks(form.name, "Meera Pillai")
    form.counts[Component.RED_CELLS].setValue(2)
    qtbot.mouseClick(form.send, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "second identifier" in form.outcome.text())
    assert queued_kinds(window) == []


def test_the_bedside_check_refuses_a_wristband_that_does_not_match(qtbot: QtBot, window: MainWindow) -> None:
    nurse = user_of(window, Role.NURSE)
    request_id = ask(window, Urgency.URGENT, "Meera Pillai")
    with window.context.store.sessions.begin() as session:  # the unit the blood bank issued, as pulled
        session.add(BloodUnitRecord(id="u-1", hospital_id=nurse.hospital_id, din=din(4)[:13], component="red_cells",
                                    abo="O", rhd_positive=False, expires_at=utc_now() + timedelta(days=5),
                                    state="issued", request_id=request_id, data="{}", version=3, sync_state="synced",
                                    sync_reason=None))
        record = session.get(BloodRequestRecord, request_id)
        assert record is not None
        record.data = json.dumps({**json.loads(record.data), "units": [
            {"id": "u-1", "component": "red_cells", "state": "issued"}]})
    [unit] = BloodViews(window.context.store, nurse).request(request_id).units  # type: ignore[union-attr]
    dialog = TransfusionDialog(window.relay, BloodBankService(window.context.store, nurse), unit, lambda: None)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.scanned, din(4))
    qtbot.keyClicks(dialog.name, "Meera Pillai")
    qtbot.keyClicks(dialog.second, "1988-07-21")
    qtbot.mouseClick(dialog.confirm, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "second identifier does not match" in dialog.problem.text())
    assert "blood.transfuse" not in queued_kinds(window)


def test_a_donor_registered_in_the_donors_tab_is_on_the_call_up_list_when_their_group_is_short(
        qtbot: QtBot, window: MainWindow) -> None:
    donors = blood_bank(qtbot, window).donors
    qtbot.mouseClick(donors.add, Qt.MouseButton.LeftButton)
    dialog = donors.findChild(DonorDialog)
    assert isinstance(dialog, DonorDialog)
    qtbot.keyClicks(dialog.name, "Anu Mathew")
    qtbot.keyClicks(dialog.phone, "+91 94470 12345")
    dialog.group.setCurrentText("O neg")
    qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: donors.table.rowCount() == 1 and donors.call_up.rowCount() == 1)
    assert donors.call_up.item(0, 0).text() == "Anu Mathew" and "O neg" in donors.call_up_note.text()
    assert queued_kinds(window) == ["donor.register"]


def test_a_donor_without_a_name_is_refused_in_the_window_that_stays_open(qtbot: QtBot, window: MainWindow) -> None:
    donors = blood_bank(qtbot, window).donors
    qtbot.mouseClick(donors.add, Qt.MouseButton.LeftButton)
    dialog = donors.findChild(DonorDialog)
    assert isinstance(dialog, DonorDialog)
    qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Choose the donor's ABO" in dialog.problem.text())
    dialog.group.setCurrentText("O neg")
    qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "full name" in dialog.problem.text())
    assert dialog.isVisible() and queued_kinds(window) == []


def test_a_bag_without_its_group_chosen_is_not_registered(qtbot: QtBot, window: MainWindow) -> None:
    form = blood_bank(qtbot, window).register
    qtbot.keyClicks(form.product, "E0336V00")
    qtbot.keyClicks(form.din, din(5))
    qtbot.keyClick(form.din, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Choose the ABO and RhD group" in form.outcome.text())
    assert queued_kinds(window) == [] and form.group.hasFocus()


def test_after_a_discard_no_other_unit_is_chosen(qtbot: QtBot, window: MainWindow,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    service = BloodBankService(window.context.store, user_of(window, Role.BLOOD_BANK))
    for n in (6, 7):
        service.register_unit(NewUnit(din(n), "E0336V00", Component.RED_CELLS, Abo.O, True, 280,
                                      utc_now() - timedelta(days=n)))
    with window.context.store.sessions.begin() as session:  # as the server has them
        for unit in session.scalars(select(BloodUnitRecord)):
            unit.sync_state = "synced"
    shelf = blood_bank(qtbot, window).shelf
    qtbot.waitUntil(lambda: shelf.table.rowCount() == 2)
    shelf.table.selectRow(0)
    assert shelf.discard.isEnabled() and not shelf.release.isEnabled()  # what the rules allow an available unit
    monkeypatch.setattr(QInputDialog, "getText", lambda *_args, **_kw: ("bag leaking", True))
    qtbot.mouseClick(shelf.discard, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "blood.unit_move" in queued_kinds(window))
    qtbot.waitUntil(lambda: "sending" in shelf.table.item(0, 4).text())
    assert shelf.chosen() is None and not shelf.discard.isEnabled() and shelf.finder.hasFocus()



def test_a_patient_nobody_asked_about_is_treated_as_able_to_bear_children(qtbot: QtBot, window: MainWindow) -> None:
    sign_in_as(qtbot, window, Role.NURSE)
    workspace = window.workspace
    assert isinstance(workspace, NurseWorkspace)
    form = workspace.blood.form
    qtbot.keyClicks(form.name, "Unknown Patient")
    qtbot.keyClicks(form.second, "ED 4471")
    form.counts[Component.RED_CELLS].setValue(2)
    qtbot.mouseClick(form.send, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: queued_kinds(window) == ["blood.request"])
    with window.context.store.sessions.begin() as session:
        [op] = session.scalars(select(OutboxOp))
        assert json.loads(op.payload)["childbearing"] is True
