"""A transfer's thread on a device (issue 29): a message is saved and queued at once, its marks follow the
server's answers and read marks, and what is put in front of the user is what they have not read (or, urgent,
not acknowledged)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from emsync_desktop.domain.ids import demo_id
from emsync_desktop.domain.messages import MessageProblem, sender_mark
from emsync_desktop.domain.roles import Role, UserInfo
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.messages import MessageService
from emsync_desktop.services.transfers import TransferService
from emsync_desktop.store.models import OutboxOp
from emsync_desktop.sync.apply import apply_page
from emsync_desktop.sync.outbox import record_results
from emsync_desktop.sync.protocol import MESSAGE_ENTITY, Change, OpResult

LOURDES = demo_id("hospital", "Lourdes")
T0 = datetime(2026, 12, 5, 14, 0, tzinfo=UTC)


@pytest.fixture
def nurse(app_context: AppContext) -> UserInfo:
    return next(u for u in demo_users(app_context.store) if u.role is Role.NURSE)


@pytest.fixture
def transfer_id(app_context: AppContext, cases: CaseService, paramedic: UserInfo) -> str:
    case = cases.open_case()
    cases.set_detail(case.id, "chief_complaint", "Chest pain")
    return TransferService(app_context.store, paramedic).send_to_hospital(case.id, LOURDES, "ICU").id


def from_server(app_context: AppContext, data: dict[str, Any], seq: int = 1) -> None:
    with app_context.store.sessions.begin() as session:
        apply_page(session, [Change(seq=seq, entity=MESSAGE_ENTITY, entity_id=data["id"], version=data["version"],
                                    data=data)])


def server_copy(message_id: str, transfer_id: str, sender: UserInfo, side: str, *, urgent: bool = False,
                reads: list[dict[str, Any]] | None = None, version: int = 1) -> dict[str, Any]:
    return {"id": message_id, "transfer_id": transfer_id, "text": "Patient deteriorating", "quick_reply": None,
            "urgent": urgent, "sender_id": sender.id, "sender_name": sender.display_name, "sender_side": side,
            "sent_at": T0.isoformat(), "received_at": T0.isoformat(), "reads": reads or [], "version": version}


def ops_of(app_context: AppContext, kind: str) -> list[OutboxOp]:
    with app_context.store.sessions() as session:
        return list(session.scalars(select(OutboxOp).where(OutboxOp.kind == kind)))


def test_a_message_is_saved_and_queued_the_moment_it_is_sent(app_context: AppContext, paramedic: UserInfo,
                                                              transfer_id: str) -> None:
    crew = MessageService(app_context.store, paramedic)
    message_id = crew.send(transfer_id, "  Need resus bay \r\n", now=T0)
    [message] = crew.thread(transfer_id).messages
    [op] = ops_of(app_context, "message.send")
    assert (message.id, message.text, sender_mark(message)) == (message_id, "Need resus bay",
                                                                "queued — goes when online")
    assert op.entity_id == message_id and json.loads(op.payload)["transfer_id"] == transfer_id


def test_the_deterioration_quick_reply_is_urgent_whatever_was_ticked(app_context: AppContext, paramedic: UserInfo,
                                                                     transfer_id: str) -> None:
    crew = MessageService(app_context.store, paramedic)
    crew.send(transfer_id, "", quick_reply="deteriorating", now=T0)
    [message] = crew.thread(transfer_id).messages
    assert (message.text, message.urgent) == ("Patient deteriorating", True)


@pytest.mark.parametrize("text", ["", "   ", "x" * 501])
def test_an_empty_or_overlong_message_is_refused_and_nothing_is_queued(
        app_context: AppContext, paramedic: UserInfo, transfer_id: str, text: str) -> None:
    with pytest.raises(MessageProblem):
        MessageService(app_context.store, paramedic).send(transfer_id, text, now=T0)
    assert ops_of(app_context, "message.send") == []


def test_delivered_then_read_by_the_ward(app_context: AppContext, paramedic: UserInfo, nurse: UserInfo,
                                         transfer_id: str) -> None:
    crew = MessageService(app_context.store, paramedic)
    message_id = crew.send(transfer_id, "Need resus bay", now=T0)
    [op] = ops_of(app_context, "message.send")
    with app_context.store.sessions.begin() as session:
        record_results(session, [OpResult(op_id=op.op_id, status="applied", version=1)], T0)
    assert sender_mark(crew.thread(transfer_id).messages[0]) == "delivered"
    mark = {"user_id": nurse.id, "name": "Maria Joseph", "side": "ward", "read_at": T0.isoformat(),
            "acknowledged_at": None}
    from_server(app_context, server_copy(message_id, transfer_id, paramedic, "crew", reads=[mark], version=2))
    assert sender_mark(crew.thread(transfer_id).messages[0]).startswith("read by Maria Joseph (ward)")


def test_a_refused_message_stays_with_the_reason(app_context: AppContext, paramedic: UserInfo,
                                                 transfer_id: str) -> None:
    crew = MessageService(app_context.store, paramedic)
    crew.send(transfer_id, "Need resus bay", now=T0)
    [op] = ops_of(app_context, "message.send")
    with app_context.store.sessions.begin() as session:
        record_results(session, [OpResult(op_id=op.op_id, status="rejected", reason="Not yours.")], T0)
    assert sender_mark(crew.thread(transfer_id).messages[0]) == "not sent: Not yours."


def test_the_ward_is_told_until_it_reads_and_reading_queues_one_mark(
        app_context: AppContext, paramedic: UserInfo, nurse: UserInfo, transfer_id: str) -> None:
    ward = MessageService(app_context.store, nurse)
    from_server(app_context, server_copy("0193a000-0000-7000-8000-000000000001", transfer_id, paramedic, "crew"))
    assert [n.message.text for n in ward.notices()] == ["Patient deteriorating"]
    assert ward.mark_read(transfer_id, now=T0) == 1 and ward.mark_read(transfer_id, now=T0) == 0
    assert ward.notices() == [] and len(ops_of(app_context, "message.read")) == 1


def test_an_urgent_message_stays_in_front_until_acknowledged_even_when_read(
        app_context: AppContext, paramedic: UserInfo, nurse: UserInfo, transfer_id: str) -> None:
    ward = MessageService(app_context.store, nurse)
    message_id = "0193a000-0000-7000-8000-000000000002"
    from_server(app_context, server_copy(message_id, transfer_id, paramedic, "crew", urgent=True))
    ward.mark_read(transfer_id, now=T0)
    assert [n.needs_acknowledgement for n in ward.notices()] == [True]
    assert ward.acknowledge(message_id, now=T0 + timedelta(seconds=5))
    assert ward.notices() == [] and ward.counts()[transfer_id].urgent_waiting == 0
    marks = [json.loads(op.payload) for op in ops_of(app_context, "message.read")]
    [ack] = [mark for mark in marks if mark["acknowledge"]]
    assert ack["message_ids"] == [message_id]


def test_a_colleagues_acknowledgement_relieves_the_whole_ward(
        app_context: AppContext, paramedic: UserInfo, nurse: UserInfo, transfer_id: str) -> None:
    ward = MessageService(app_context.store, nurse)
    colleague = {"user_id": "someone-else", "name": "Anu", "side": "ward", "read_at": T0.isoformat(),
                 "acknowledged_at": T0.isoformat()}
    from_server(app_context, server_copy("0193a000-0000-7000-8000-000000000003", transfer_id, paramedic, "crew",
                                         urgent=True, reads=[colleague]))
    assert all(not n.needs_acknowledgement for n in ward.notices())


def test_a_newer_server_copy_keeps_this_users_own_read_mark(
        app_context: AppContext, paramedic: UserInfo, nurse: UserInfo, transfer_id: str) -> None:
    ward = MessageService(app_context.store, nurse)
    message_id = "0193a000-0000-7000-8000-000000000004"
    from_server(app_context, server_copy(message_id, transfer_id, paramedic, "crew"))
    ward.mark_read(transfer_id, now=T0)
    desk_read = {"user_id": "desk", "name": "Rahul", "side": "desk", "read_at": T0.isoformat(),
                 "acknowledged_at": None}
    from_server(app_context, server_copy(message_id, transfer_id, paramedic, "crew", reads=[desk_read], version=2),
                seq=2)
    assert ward.notices() == [] and ward.counts()[transfer_id].unread == 0


def test_the_desk_is_told_only_of_urgent_messages_and_threads_it_wrote_in(
        app_context: AppContext, paramedic: UserInfo, transfer_id: str) -> None:
    coordinator = next(u for u in demo_users(app_context.store) if u.role is Role.COORDINATOR)
    desk = MessageService(app_context.store, coordinator)
    from_server(app_context, server_copy("0193a000-0000-7000-8000-000000000005", transfer_id, paramedic, "crew"))
    assert desk.notices() == [] and desk.counts()[transfer_id].unread == 1
    from_server(app_context, server_copy("0193a000-0000-7000-8000-000000000006", transfer_id, paramedic, "crew",
                                         urgent=True), seq=2)
    assert [n.needs_acknowledgement for n in desk.notices()] == [True]


def test_one_persons_reading_on_a_shared_pc_is_not_anothers(
        app_context: AppContext, paramedic: UserInfo, nurse: UserInfo, transfer_id: str) -> None:
    coordinator = next(u for u in demo_users(app_context.store) if u.role is Role.COORDINATOR)
    message_id = "0193a000-0000-7000-8000-000000000007"
    from_server(app_context, server_copy(message_id, transfer_id, paramedic, "crew", urgent=True))
    assert MessageService(app_context.store, nurse).acknowledge(message_id, now=T0)
    desk = MessageService(app_context.store, coordinator)
    assert [n.needs_acknowledgement for n in desk.notices()] == [True]  # the desk still owes its own
    [seen_by_desk] = desk.thread(transfer_id).messages
    assert [m.name for m in seen_by_desk.reads] == []  # nobody's mark is shown until the server has it
    colleague = UserInfo(id="another-nurse", username="devi", display_name="Devi", role=Role.NURSE,
                         hospital_id=nurse.hospital_id)
    assert [n.needs_acknowledgement for n in MessageService(app_context.store, colleague).notices()] == [True]


def test_a_nurse_of_another_hospital_on_a_shared_pc_is_told_nothing_and_cannot_write(
        app_context: AppContext, paramedic: UserInfo, nurse: UserInfo, transfer_id: str) -> None:
    elsewhere = UserInfo(id="amrita-nurse", username="anu", display_name="Anu", role=Role.NURSE,
                         hospital_id=demo_id("hospital", "Amrita"))
    from_server(app_context, server_copy("0193a000-0000-7000-8000-000000000008", transfer_id, paramedic, "crew",
                                         urgent=True))
    other = MessageService(app_context.store, elsewhere)
    assert other.notices() == [] and other.counts() == {} and other.thread(transfer_id).messages == []
    with pytest.raises(MessageProblem, match="not yours"):
        other.send(transfer_id, "hello", now=T0)
    assert [n.message.text for n in MessageService(app_context.store, nurse).notices()] == ["Patient deteriorating"]


def test_no_message_on_a_transfer_the_server_refused(app_context: AppContext, paramedic: UserInfo,
                                                     transfer_id: str) -> None:
    from emsync_desktop.store.models import TransferRecord

    with app_context.store.sessions.begin() as session:
        session.get(TransferRecord, transfer_id).sync_state = "rejected"  # type: ignore[union-attr]
    crew = MessageService(app_context.store, paramedic)
    with pytest.raises(MessageProblem, match="refused this transfer"):
        crew.send(transfer_id, "ETA 5 min", now=T0)
    assert not crew.thread(transfer_id).can_write
