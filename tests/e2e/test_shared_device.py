"""Several accounts signing in one after another on one device (a ward PC, a demo laptop): each has its own place
in the feed, so a coordinator who signs in after a nurse gets what only a coordinator sees, even when the nurse's
device already pulled past it."""

from __future__ import annotations

from pathlib import Path

import pytest

from emsync_desktop.domain.ids import demo_id
from emsync_desktop.domain.roles import Role
from emsync_desktop.services.messages import MessageService
from tests.e2e.clients import make_client
from tests.e2e.server_process import ServerProcess

AMRITA = demo_id("hospital", "Amrita")


def test_a_coordinator_after_a_nurse_on_one_device_gets_the_other_wards_transfer(
        tmp_path: Path, server: ServerProcess) -> None:
    credentials = server.credentials()
    crew = make_client(tmp_path / "ambulance", Role.PARAMEDIC, server.url, "asha", credentials["asha"])
    try:
        transfer_id = crew.open_case_and_send("Fall from height", hospital_id=AMRITA)
        assert crew.engine.run_once()
    finally:
        crew.close()
    ward_pc = tmp_path / "ward-pc"
    nurse = make_client(ward_pc, Role.NURSE, server.url, "maria", credentials["maria"])  # Lourdes: not hers
    try:
        assert nurse.engine.run_once() and transfer_id not in {t.id for t in nurse.transfers()}
    finally:
        nurse.close()
    desk = make_client(ward_pc, Role.COORDINATOR, server.url, "rahul", credentials["rahul"])
    try:
        assert desk.engine.run_once()
        assert transfer_id in {t.id for t in desk.transfers()}
    finally:
        desk.close()


@pytest.mark.slow
def test_a_nurses_offline_change_is_never_sent_as_the_next_persons(tmp_path: Path, server: ServerProcess) -> None:
    """On a shared ward PC offline, a nurse writes a message and signs out; a coordinator signs in on that PC once
    it is back online. The server must not hear the nurse's words as the coordinator's; they go, as hers, when she
    signs in again."""
    credentials = server.credentials()
    crew = make_client(tmp_path / "ambulance", Role.PARAMEDIC, server.url, "asha", credentials["asha"])
    try:
        transfer_id = crew.open_case_and_send("Chest pain")
        assert crew.engine.run_once()
    finally:
        crew.close()
    ward_pc = tmp_path / "ward-pc"
    nurse = make_client(ward_pc, Role.NURSE, server.url, "maria", credentials["maria"], own_changes_only=True)
    try:
        assert nurse.engine.run_once()  # the transfer reaches the PC; then the network goes
        MessageService(nurse.context.store, nurse.user).send(transfer_id, "Resus bay ready")
    finally:
        nurse.close()
    desk = make_client(ward_pc, Role.COORDINATOR, server.url, "rahul", credentials["rahul"], own_changes_only=True)
    try:
        assert desk.engine.run_once()
        assert MessageService(desk.context.store, desk.user).thread(transfer_id).messages[0].state == "pending"
    finally:
        desk.close()
    nurse = make_client(ward_pc, Role.NURSE, server.url, "maria", credentials["maria"], own_changes_only=True)
    try:
        assert nurse.engine.run_once() and nurse.engine.run_once()
        [message] = MessageService(nurse.context.store, nurse.user).thread(transfer_id).messages
        assert (message.state, message.sender_side.value, message.sender_name) == ("synced", "ward",
                                                                                   nurse.user.display_name)
    finally:
        nurse.close()
