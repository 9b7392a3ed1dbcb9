"""The thread on a transfer in the real window (issue 29): a message from the crew reaches the ward's banner on
whichever tab is open, opening the thread reads it, an urgent one needs Acknowledge, quick replies and typed
lines are queued at once, and the crew and the desk reach the same thread."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from emsync_desktop.domain.ids import new_id
from emsync_desktop.domain.roles import Role
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.clock import utc_now
from emsync_desktop.store.models import OutboxOp, TransferRecord
from emsync_desktop.sync.apply import apply_page
from emsync_desktop.sync.engine import SyncStatus
from emsync_desktop.sync.protocol import MESSAGE_ENTITY, Change
from emsync_desktop.ui.coordinator.open_transfers import TRANSFER_ID_ROLE
from emsync_desktop.ui.coordinator.workspace import CoordinatorWorkspace
from emsync_desktop.ui.main_window import MainWindow
from emsync_desktop.ui.messages.thread_window import MessageThreadWindow
from emsync_desktop.ui.nurse.workspace import NurseWorkspace
from emsync_desktop.ui.paramedic.workspace import ParamedicWorkspace
from tests.ui.conftest import send_case_as_paramedic, sign_in_as

SYNCED = SyncStatus(online=True, pending=0, last_sync=None, error=None, touched=frozenset({MESSAGE_ENTITY}))


def crew_message(window: MainWindow, transfer_id: str, text: str, *, urgent: bool = False,
                 sender: Role = Role.PARAMEDIC) -> str:
    """A message from the demo crew (or another demo ``sender``), as the pull stores it; its id."""
    paramedic = next(u for u in demo_users(window.context.store) if u.role is sender)
    side = {Role.PARAMEDIC: "crew", Role.NURSE: "ward", Role.COORDINATOR: "desk"}[sender]
    at = (utc_now() - timedelta(seconds=30)).isoformat()
    data: dict[str, Any] = {
        "id": new_id(), "transfer_id": transfer_id, "text": text, "quick_reply": None, "urgent": urgent,
        "sender_id": paramedic.id, "sender_name": paramedic.display_name, "sender_side": side, "sent_at": at,
        "received_at": at, "reads": [], "version": 1}
    with window.context.store.sessions.begin() as session:
        apply_page(session, [Change(seq=1, entity=MESSAGE_ENTITY, entity_id=data["id"], version=1, data=data)])
    return str(data["id"])


def nurse_with_message(qtbot: QtBot, window: MainWindow, *, urgent: bool = False) -> tuple[NurseWorkspace, str]:
    transfer_id = send_case_as_paramedic(window, "Chest pain", "Lourdes", "ICU")
    sign_in_as(qtbot, window, Role.NURSE)
    workspace = window.workspace
    assert isinstance(workspace, NurseWorkspace)
    qtbot.waitUntil(lambda: len(workspace.incoming.cards) == 1, timeout=10_000)
    crew_message(window, transfer_id, "Patient deteriorating" if urgent else "Need resus bay", urgent=urgent)
    workspace.on_synced(SYNCED)
    qtbot.waitUntil(lambda: workspace.messages.banner.isVisible(), timeout=10_000)
    return workspace, transfer_id


def queued(window: MainWindow, kind: str) -> list[dict[str, Any]]:
    with window.context.store.sessions() as session:
        return [json.loads(op.payload) for op in session.scalars(select(OutboxOp).where(OutboxOp.kind == kind))]


def bubble_texts(thread: MessageThreadWindow) -> list[str]:
    return [label.text() for label in thread.view.scroller.widget().findChildren(QLabel)]


def test_a_crew_message_shows_on_the_wards_banner_whichever_tab_is_open(qtbot: QtBot, window: MainWindow) -> None:
    workspace, transfer_id = nurse_with_message(qtbot, window)
    workspace.tabs.setCurrentWidget(workspace.xray)  # another tab than the ward
    assert workspace.messages.banner.isVisible() and "Need resus bay" in workspace.messages.banner.words.text()
    qtbot.waitUntil(lambda: workspace.incoming.message_buttons[transfer_id].text() == "Messages (1 new)")


def test_opening_the_thread_reads_it_and_the_banner_goes(qtbot: QtBot, window: MainWindow) -> None:
    workspace, transfer_id = nurse_with_message(qtbot, window)
    qtbot.mouseClick(workspace.messages.banner.open_button, Qt.MouseButton.LeftButton)
    thread = workspace.messages.windows[transfer_id]
    qtbot.waitUntil(lambda: "Need resus bay" in bubble_texts(thread), timeout=10_000)
    qtbot.waitUntil(lambda: not workspace.messages.banner.isVisible(), timeout=10_000)
    assert [len(mark["message_ids"]) for mark in queued(window, "message.read")] == [1]


def test_an_urgent_message_stays_red_until_acknowledged(qtbot: QtBot, window: MainWindow) -> None:
    workspace, transfer_id = nurse_with_message(qtbot, window, urgent=True)
    banner = workspace.messages.banner
    assert banner.objectName() == "messageUrgent" and banner.acknowledge_button.isVisible()
    workspace.messages.open_thread(transfer_id)  # reading is not acknowledging
    qtbot.waitUntil(lambda: bool(queued(window, "message.read")), timeout=10_000)
    workspace.messages.refresh()
    qtbot.wait(200)
    assert banner.isVisible()
    qtbot.mouseClick(banner.acknowledge_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=10_000)
    assert [mark["acknowledge"] for mark in queued(window, "message.read")] == [False, True]


def test_a_quick_reply_is_queued_and_shown_as_such(qtbot: QtBot, window: MainWindow) -> None:
    workspace, transfer_id = nurse_with_message(qtbot, window)
    workspace.messages.open_thread(transfer_id)
    thread = workspace.messages.windows[transfer_id]
    ready = next(b for b in thread.view.findChildren(QPushButton) if b.text() == "Ready for you")
    qtbot.mouseClick(ready, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "queued — goes when online" in bubble_texts(thread), timeout=10_000)
    assert [m["text"] for m in queued(window, "message.send")] == ["Ready for you"]


def test_enter_sends_the_typed_line_once_and_clears_it(qtbot: QtBot, window: MainWindow) -> None:
    workspace, transfer_id = nurse_with_message(qtbot, window)
    workspace.messages.open_thread(transfer_id)
    thread = workspace.messages.windows[transfer_id]
    qtbot.keyClicks(thread.view.entry, "Bay 4, come straight in")
    qtbot.keyClick(thread.view.entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: thread.view.entry.text() == "", timeout=10_000)
    assert [m["text"] for m in queued(window, "message.send")] == ["Bay 4, come straight in"]
    assert thread.isVisible()  # Enter never closes the window


def test_a_blank_message_says_what_to_do_and_sends_nothing(qtbot: QtBot, window: MainWindow) -> None:
    workspace, transfer_id = nurse_with_message(qtbot, window)
    workspace.messages.open_thread(transfer_id)
    thread = workspace.messages.windows[transfer_id]
    qtbot.keyClicks(thread.view.entry, "   ")
    qtbot.mouseClick(thread.view.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Type a message" in thread.view.problem.text(), timeout=10_000)
    assert queued(window, "message.send") == []


def test_the_crew_opens_the_thread_from_the_hospital_tab(qtbot: QtBot, window: MainWindow) -> None:
    transfer_id = send_case_as_paramedic(window, "Chest pain", "Lourdes", "ICU")
    with window.context.store.sessions() as session:
        case_id = session.get(TransferRecord, transfer_id).encounter_id  # type: ignore[union-attr]
    sign_in_as(qtbot, window, Role.PARAMEDIC)
    workspace = window.workspace
    assert isinstance(workspace, ParamedicWorkspace)
    assert not workspace.transfer.messages.isVisibleTo(workspace.transfer)  # no case open: no thread
    workspace.model.load(case_id)
    qtbot.waitUntil(lambda: workspace.model.snapshot is not None and workspace.model.snapshot.id == case_id)
    workspace.show_tab("Hospital")
    qtbot.waitUntil(lambda: workspace.transfer.messages.isVisible(), timeout=10_000)
    crew_message(window, transfer_id, "Ready for you", sender=Role.NURSE)  # as the pull brings the ward's answer
    workspace.on_synced(SYNCED)
    qtbot.waitUntil(lambda: "1 new" in workspace.transfer.messages.text(), timeout=10_000)
    qtbot.mouseClick(workspace.transfer.messages, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: transfer_id in workspace.messages.windows, timeout=10_000)
    assert workspace.messages.windows[transfer_id].isVisible()


def test_the_desk_sees_an_urgent_message_in_its_table(qtbot: QtBot, window: MainWindow) -> None:
    transfer_id = send_case_as_paramedic(window, "Chest pain", "Lourdes", "ICU")
    crew_message(window, transfer_id, "Patient deteriorating", urgent=True)
    sign_in_as(qtbot, window, Role.COORDINATOR)
    workspace = window.workspace
    assert isinstance(workspace, CoordinatorWorkspace)
    qtbot.waitUntil(lambda: workspace.transfers.rowCount() == 1, timeout=10_000)
    qtbot.waitUntil(lambda: "⚠ urgent message" in workspace.transfers.item(0, 0).text(), timeout=10_000)
    assert workspace.messages.banner.isVisible()
    assert workspace.transfers.item(0, 7).text().startswith("urgent message")  # Attention, coloured as a refusal


def test_a_double_tap_on_a_quick_reply_sends_it_once(qtbot: QtBot, window: MainWindow) -> None:
    workspace, transfer_id = nurse_with_message(qtbot, window)
    workspace.messages.open_thread(transfer_id)
    thread = workspace.messages.windows[transfer_id]
    ready = next(b for b in thread.view.quick_buttons if b.text() == "Ready for you")
    qtbot.mouseClick(ready, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(ready, Qt.MouseButton.LeftButton)
    qtbot.wait(300)
    qtbot.mouseClick(ready, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ready.isEnabled(), timeout=10_000)
    assert [m["text"] for m in queued(window, "message.send")] == ["Ready for you"]


def test_a_long_paste_is_refused_whole_never_cut(qtbot: QtBot, window: MainWindow) -> None:
    workspace, transfer_id = nurse_with_message(qtbot, window)
    workspace.messages.open_thread(transfer_id)
    view = workspace.messages.windows[transfer_id].view
    pasted = "BP 80/50, HR 130, " * 40  # 720 characters
    view.entry.setText(pasted)
    assert view.count.text() == f"{len(pasted)}/500" and view.count.objectName() == "fieldError"
    qtbot.mouseClick(view.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "shorten it to 500" in view.problem.text(), timeout=10_000)
    assert view.entry.text() == pasted and queued(window, "message.send") == []
    qtbot.keyClick(view.entry, Qt.Key.Key_Backspace)
    assert view.problem.text() == ""  # the hint goes once the text changes


def test_a_thread_scrolled_up_stays_put_when_nothing_new_comes(qtbot: QtBot, window: MainWindow) -> None:
    workspace, transfer_id = nurse_with_message(qtbot, window)
    for n in range(12):
        crew_message(window, transfer_id, f"update {n}: still 10 km out")
    workspace.messages.open_thread(transfer_id)
    view = workspace.messages.windows[transfer_id].view
    bar = view.scroller.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum(), timeout=10_000)  # the newest
    bar.setValue(0)  # up to the first message
    workspace.on_synced(SYNCED)  # a sync with no new message
    view.refresh()
    qtbot.wait(300)
    assert bar.value() == 0


def test_the_desk_puts_a_transfer_with_an_urgent_message_on_top(qtbot: QtBot, window: MainWindow) -> None:
    send_case_as_paramedic(window, "Fever", "Lourdes", "WARD")
    second = send_case_as_paramedic(window, "Fall", "Lourdes", "ER")
    sign_in_as(qtbot, window, Role.COORDINATOR)
    workspace = window.workspace
    assert isinstance(workspace, CoordinatorWorkspace)
    qtbot.waitUntil(lambda: workspace.transfers.rowCount() == 2, timeout=10_000)
    for transfer_id in [t.id for t in workspace._open if t.id != second]:
        crew_message(window, transfer_id, "Need resus bay")  # not urgent: no reason to move
    crew_message(window, second, "Patient deteriorating", urgent=True)
    workspace.on_synced(SYNCED)
    qtbot.waitUntil(lambda: "⚠ urgent message" in workspace.transfers.item(0, 0).text(), timeout=10_000)
    assert workspace.transfers.item(0, 0).data(TRANSFER_ID_ROLE) == second


def test_ctrl_m_opens_the_thread_of_the_card_in_view_when_nothing_is_new(qtbot: QtBot, window: MainWindow) -> None:
    transfer_id = send_case_as_paramedic(window, "Chest pain", "Lourdes", "ICU")
    sign_in_as(qtbot, window, Role.NURSE)
    workspace = window.workspace
    assert isinstance(workspace, NurseWorkspace)
    qtbot.waitUntil(lambda: len(workspace.incoming.cards) == 1, timeout=10_000)
    assert not workspace.messages.banner.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: transfer_id in workspace.messages.windows, timeout=10_000)


def test_a_line_typed_in_a_thread_survives_the_night_theme_and_a_sign_out(qtbot: QtBot, window: MainWindow) -> None:
    workspace, transfer_id = nurse_with_message(qtbot, window)
    workspace.messages.open_thread(transfer_id)
    qtbot.keyClicks(workspace.messages.windows[transfer_id].view.entry, "Bay 4 is")
    window.toggle_theme()  # rebuilds the screen, thread windows and all
    qtbot.waitUntil(lambda: isinstance(window.workspace, NurseWorkspace) and window.workspace is not workspace)
    rebuilt = window.workspace
    assert isinstance(rebuilt, NurseWorkspace)
    rebuilt.messages.open_thread(transfer_id)
    entry = rebuilt.messages.windows[transfer_id].view.entry
    qtbot.waitUntil(lambda: entry.text() == "Bay 4 is", timeout=10_000)
    qtbot.keyClicks(entry, " ready")
    window.sign_out()
    sign_in_as(qtbot, window, Role.NURSE)
    again = window.workspace
    assert isinstance(again, NurseWorkspace)
    again.messages.open_thread(transfer_id)
    entry = again.messages.windows[transfer_id].view.entry
    qtbot.waitUntil(lambda: entry.text() == "Bay 4 is ready", timeout=10_000)
    qtbot.keyClick(entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(queued(window, "message.send")), timeout=10_000)
    assert again.messages._service.draft(transfer_id) == ""  # sent: the draft went with it
