"""Ambulance positions (issue 29): the crew's device reports them while its transfer is under way; the
destination's staff and the desks see the newest, no other crew or hospital does; the track is kept; a position
after the transfer ended is neither kept nor shown. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from emsync_desktop.domain.ids import new_id
from emsync_desktop.sync.protocol import AMBULANCE_POSITION_ENTITY, FEED_VERSION
from sync_server.models import AuditEvent, TransferPosition
from tests.sync_server.conftest import Server, op, transfer_request

START = datetime.now(UTC).replace(microsecond=0)


def position(transfer_id: str, lat: float, lon: float, at: datetime) -> dict[str, Any]:
    return op("transfer.position", new_id(), {"transfer_id": transfer_id, "lat": lat, "lon": lon,
                                              "at": at.isoformat(), "source": "GPS"})


def positions_seen(server: Server, username: str, feed: int = FEED_VERSION) -> list[dict[str, Any]]:
    response = server.client.get("/sync/pull", params={"since": 0, "feed": feed},
                                 headers={"Authorization": f"Bearer {server.token(username)}"})
    assert response.status_code == 200, response.text
    return [c for c in response.json()["changes"] if c["entity"] == AMBULANCE_POSITION_ENTITY]


def track_length(server: Server, transfer_id: str) -> int:
    with server.client.app.state.write_sessions.begin() as session:  # type: ignore[attr-defined]
        return int(session.scalar(select(func.count()).select_from(TransferPosition)
                                  .where(TransferPosition.transfer_id == transfer_id)) or 0)


def test_the_destination_and_the_desk_see_the_newest_position_and_the_track_is_kept(server: Server) -> None:
    transfer_id = new_id()
    server.push("asha", transfer_request(transfer_id))
    answers = server.push("asha", position(transfer_id, 10.00, 76.30, START),
                          position(transfer_id, 10.01, 76.29, START + timedelta(seconds=15)))
    assert [a["status"] for a in answers] == ["applied", "applied"]
    for reader in ("maria", "rahul"):  # Lourdes's nurse and the coordinator
        newest = [c for c in positions_seen(server, reader) if c["entity_id"] == transfer_id]
        assert [(c["data"]["lat"], c["data"]["lon"]) for c in newest] == [(10.01, 76.29)]  # only the newest
    assert track_length(server, transfer_id) == 2


def test_no_other_hospital_or_crew_sees_where_the_ambulance_is(server: Server) -> None:
    transfer_id = new_id()
    server.push("asha", transfer_request(transfer_id))
    server.push("asha", position(transfer_id, 10.0, 76.3, START))
    assert positions_seen(server, "anu") == [] and positions_seen(server, "ravi") == []
    assert positions_seen(server, "asha") == []  # the crew knows where it is


def test_an_older_client_is_sent_no_position_it_cannot_read(server: Server) -> None:
    transfer_id = new_id()
    server.push("asha", transfer_request(transfer_id))
    server.push("asha", position(transfer_id, 10.0, 76.3, START))
    assert positions_seen(server, "maria", feed=2) == [] and positions_seen(server, "maria", feed=1) == []


def test_only_the_crew_of_the_transfer_reports_its_position(server: Server) -> None:
    transfer_id = new_id()
    server.push("asha", transfer_request(transfer_id))
    [by_other_crew] = server.push("ravi", position(transfer_id, 10.0, 76.3, START))
    [by_nurse] = server.push("maria", position(transfer_id, 10.0, 76.3, START))
    assert by_other_crew["status"] == "rejected" and "another crew" in by_other_crew["reason"]
    assert by_nurse["status"] == "rejected" and track_length(server, transfer_id) == 0


def test_a_position_sent_before_its_transfer_waits_for_it(server: Server) -> None:
    transfer_id = new_id()
    [early] = server.push("asha", position(transfer_id, 10.0, 76.3, START))
    assert early["status"] == "deferred"


def test_a_position_after_the_transfer_ended_is_neither_kept_nor_shown(server: Server) -> None:
    transfer_id = new_id()
    server.push("asha", transfer_request(transfer_id))
    server.push("asha", op("transfer.transition", transfer_id, {"target": "CANCELLED", "reason": "not needed"}))
    [late] = server.push("asha", position(transfer_id, 10.0, 76.3, START))
    assert late["status"] == "applied"  # answered, so the device stops sending it
    assert track_length(server, transfer_id) == 0 and positions_seen(server, "maria") == []


def test_a_position_outside_the_world_is_refused_before_it_is_applied(server: Server) -> None:
    transfer_id = new_id()
    server.push("asha", transfer_request(transfer_id))
    [answer] = server.push("asha", position(transfer_id, 91.0, 76.3, START))
    assert answer["status"] == "rejected" and "lat" in answer["reason"] and track_length(server, transfer_id) == 0


def test_a_fix_dated_in_the_future_is_taken_as_now(server: Server) -> None:
    """A device whose clock runs ahead (years, even): the position is kept as received now, never as a time the
    wards would read as fresh for years, nor as a version the feed cannot store."""
    transfer_id = new_id()
    server.push("asha", transfer_request(transfer_id))
    [answer] = server.push("asha", position(transfer_id, 10.0, 76.3, datetime(2199, 1, 1, tzinfo=UTC)))
    assert answer["status"] == "applied"
    [seen] = positions_seen(server, "maria")
    assert datetime.fromisoformat(seen["data"]["at"]) <= datetime.now(UTC)


def test_positions_stay_out_of_the_audit_chain_but_refusals_do_not(server: Server) -> None:
    """Every 15 s from every ambulance would swamp the chain; the track row says who reported what and when."""
    transfer_id = new_id()
    server.push("asha", transfer_request(transfer_id))
    server.push("asha", position(transfer_id, 10.0, 76.3, START))
    server.push("ravi", position(transfer_id, 10.0, 76.3, START))  # another crew: refused
    with server.client.app.state.write_sessions.begin() as session:  # type: ignore[attr-defined]
        actions = list(session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("transfer.position%"))))
    assert actions == ["transfer.position:rejected"] and track_length(server, transfer_id) == 1


def test_a_desk_past_the_last_position_gets_the_next_one(server: Server) -> None:
    """The newer row is written before the older is deleted: on SQLite the feed's seq is the rowid, and the
    other order handed the new row the old one's number, which a desk already past it never pulled."""
    transfer_id = new_id()
    server.push("asha", transfer_request(transfer_id))
    server.push("asha", position(transfer_id, 10.00, 76.3, START))
    cursor = server.pull("maria")["cursor"]
    server.push("asha", position(transfer_id, 10.01, 76.3, START + timedelta(seconds=15)))
    response = server.client.get("/sync/pull", params={"since": cursor, "feed": FEED_VERSION},
                                 headers={"Authorization": f"Bearer {server.token('maria')}"})
    newer = [c for c in response.json()["changes"] if c["entity"] == AMBULANCE_POSITION_ENTITY]
    assert [c["data"]["lat"] for c in newer] == [10.01] and response.json()["cursor"] > cursor


def test_opening_an_old_case_never_brings_its_position(server: Server) -> None:
    """A transfer's position shares the transfer's id; a case fetched on demand is its transfer, bookings and
    handoffs only (an older client could not parse a position there)."""
    transfer_id = new_id()
    server.push("asha", transfer_request(transfer_id))
    server.push("asha", position(transfer_id, 10.0, 76.3, START))
    response = server.client.get(f"/sync/record/transfer/{transfer_id}",
                                 headers={"Authorization": f"Bearer {server.token('maria')}"})
    assert response.status_code == 200 and {c["entity"] for c in response.json()["changes"]} == {"transfer"}
