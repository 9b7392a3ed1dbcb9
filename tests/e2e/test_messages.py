"""A transfer's thread end to end (issue 29; real server, SQLite and PostgreSQL): the crew writes offline, the
message goes once when back, the ward and the desk see it, the ward's read mark and the desk's acknowledgement
come back to the crew's device; the ward answers and the crew sees it."""

from __future__ import annotations

from pathlib import Path

import pytest

from emsync_desktop.domain.messages import sender_mark
from emsync_desktop.domain.roles import Role
from emsync_desktop.services.messages import MessageService
from tests.e2e.clients import make_client
from tests.e2e.server_process import ServerProcess


@pytest.mark.slow
def test_a_message_goes_once_and_its_read_marks_come_back(tmp_path: Path, server: ServerProcess) -> None:
    creds = server.credentials()
    crew = make_client(tmp_path / "amb", Role.PARAMEDIC, server.url, "asha", creds["asha"])
    ward = make_client(tmp_path / "ward", Role.NURSE, server.url, "maria", creds["maria"])
    desk = make_client(tmp_path / "desk", Role.COORDINATOR, server.url, "rahul", creds["rahul"])
    try:
        transfer_id = crew.open_case_and_send("Chest pain")
        crew_thread = MessageService(crew.context.store, crew.user)
        crew_thread.send(transfer_id, "", quick_reply="deteriorating")  # written before the device is back online
        assert crew_thread.thread(transfer_id).messages[0].state == "pending"
        assert crew.engine.run_once() and crew.engine.run_once()  # sent, then again: goes exactly once
        [sent] = crew_thread.thread(transfer_id).messages
        assert sender_mark(sent) == "delivered — waiting for acknowledgement"

        assert ward.engine.run_once() and desk.engine.run_once()
        ward_thread, desk_thread = MessageService(ward.context.store, ward.user), MessageService(desk.context.store,
                                                                                                desk.user)
        assert [n.message.text for n in ward_thread.notices()] == ["Patient deteriorating"]
        assert [n.needs_acknowledgement for n in desk_thread.notices()] == [True]
        assert ward_thread.mark_read(transfer_id) == 1 and desk_thread.acknowledge(sent.id)
        ward_thread.send(transfer_id, "", quick_reply="resus_ready")
        assert ward.engine.run_once() and desk.engine.run_once() and crew.engine.run_once()

        [first, answer] = crew_thread.thread(transfer_id).messages
        assert sender_mark(first).startswith("acknowledged by ") and "(desk)" in sender_mark(first)
        assert {m.side.value for m in first.reads} == {"ward", "desk"} and len(first.reads) == 2
        assert (answer.text, answer.sender_side.value) == ("Resus bay ready", "ward")
        assert [n.message.text for n in crew_thread.notices()] == ["Resus bay ready"]
        assert ward_thread.notices() and ward_thread.notices()[0].needs_acknowledgement  # the ward still owes one
    finally:
        crew.close()
        ward.close()
        desk.close()
