from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from emsync_desktop.domain.ids import new_id
from sync_server.audit_verify import verify_audit_chain
from sync_server.handlers.beds import expire_holds
from sync_server.models import AuditEvent
from sync_server.seed import ensure_system_user
from tests.sync_server.conftest import Server, hold, op, transfer_request


def expire_at(server: Server, when: datetime) -> int:
    with server.client.app.state.write_sessions.begin() as session:  # type: ignore[attr-defined]
        return expire_holds(session, when, ensure_system_user(session))


def test_lapsed_hold_releases_the_bed_for_everyone(server: Server) -> None:
    transfer_id, booking_id = new_id(), new_id()
    server.push("asha", transfer_request(transfer_id), hold(booking_id, transfer_id))
    assert expire_at(server, datetime.now(UTC) + timedelta(minutes=14)) == 0
    assert expire_at(server, datetime.now(UTC) + timedelta(minutes=16)) == 1
    changes = server.pull("maria")["changes"]
    booking = [c for c in changes if c["entity"] == "booking"][-1]["data"]
    bed = [c for c in changes if c["entity"] == "bed" and c["entity_id"] == booking["bed_id"]][-1]["data"]
    assert (booking["state"], bed["status"]) == ("EXPIRED", "available")


def test_accepted_transfer_keeps_its_hold(server: Server) -> None:
    transfer_id = new_id()
    server.push("asha", transfer_request(transfer_id), hold(new_id(), transfer_id))
    server.push("maria", op("transfer.transition", transfer_id, {"target": "ACCEPTED"}))
    assert expire_at(server, datetime.now(UTC) + timedelta(hours=3)) == 0


def test_audit_chain_verifies_and_names_first_broken_link(server: Server) -> None:
    for _ in range(3):
        server.push("asha", transfer_request(new_id()))
    sessions = server.client.app.state.write_sessions  # type: ignore[attr-defined]
    with sessions() as session:
        assert verify_audit_chain(session).ok
        second = session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()[1]
    with sessions.begin() as session:
        session.execute(update(AuditEvent).where(AuditEvent.id == second).values(detail="edited"))
    with sessions() as session:
        check = verify_audit_chain(session)
    assert not check.ok and check.first_broken_id == second
