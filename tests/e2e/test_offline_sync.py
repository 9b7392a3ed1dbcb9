"""Offline first: work with no server, then everything arrives exactly once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from emsync_desktop.domain.roles import Role
from emsync_desktop.store.models import BookingRecord, HandoffRecord, OutboxOp
from tests.e2e.clients import LOURDES, Client, make_client
from tests.e2e.conftest import StartServer
from tests.e2e.server_process import free_port


def outbox_states(client: Client) -> list[str]:
    with client.context.store.sessions.begin() as session:
        return list(session.scalars(select(OutboxOp.state).order_by(OutboxOp.device_seq)).all())


def bookings(client: Client) -> list[BookingRecord]:
    with client.context.store.sessions.begin() as session:
        return list(session.scalars(select(BookingRecord)).all())


@pytest.mark.slow
def test_offline_transfer_reaches_server_and_nurse_when_network_returns(tmp_path: Path,
                                                                         start_server: StartServer) -> None:
    paramedic = make_client(tmp_path / "ambulance", Role.PARAMEDIC, f"http://127.0.0.1:{free_port()}", "asha", "-")
    try:
        transfer_id = paramedic.open_case_and_send("Chest pain, sweating")
        assert paramedic.engine.run_once() is False  # no server: stays queued
        assert outbox_states(paramedic) == ["pending"] * 3
        assert [b.state for b in bookings(paramedic)] == ["TENTATIVE"]
        with start_server() as server:
            credentials = server.credentials()
            paramedic.connect(server.url, "asha", credentials["asha"])
            assert paramedic.engine.run_once() is True
            assert outbox_states(paramedic) == ["applied"] * 3
            [booking] = bookings(paramedic)
            assert booking.state in ("HELD", "REJECTED") and booking.sync_state in ("synced", "rejected")
            nurse = make_client(tmp_path / "ward", Role.NURSE, server.url, "maria", credentials["maria"])
            try:
                assert nurse.engine.run_once() is True
                assert [t.id for t in nurse.transfers()] == [transfer_id]
                with nurse.context.store.sessions.begin() as session:
                    handoff = session.scalars(select(HandoffRecord)).one()
                assert "chest pain" in json.loads(handoff.sections)["situation"].lower()
            finally:
                nurse.close()
    finally:
        paramedic.close()


@pytest.mark.slow
def test_rejected_hold_is_kept_with_reason_and_alternatives(tmp_path: Path, server: object) -> None:
    from tests.e2e.server_process import ServerProcess

    assert isinstance(server, ServerProcess)
    paramedic = make_client(tmp_path / "ambulance", Role.PARAMEDIC, server.url, "asha", server.credentials()["asha"])
    try:
        for i in range(12):  # Lourdes has fewer than 12 free ICU beds in the demo network
            paramedic.open_case_and_send(f"Patient {i}", LOURDES, "ICU")
        assert paramedic.engine.run_once() is True
        refused = [b for b in bookings(paramedic) if b.state == "REJECTED"]
        assert refused and all(b.sync_reason == "No ICU bed left at Lourdes." for b in refused)
        assert json.loads(refused[0].alternatives)[0]["free_beds"] > 0
        assert outbox_states(paramedic).count("rejected") == len(refused)
    finally:
        paramedic.close()
