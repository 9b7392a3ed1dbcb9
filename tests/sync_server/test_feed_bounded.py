"""The feed stays bounded: each record's newest row is marked, a first sync is a snapshot (newest rows of what
is recent or still open), superseded rows are compacted away after a while, and a device behind the compaction
still ends where a device that saw every row ends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from emsync_desktop.domain.ids import new_id
from sync_server.feed import COMPACT_AFTER, RECENT, compact_feed
from sync_server.models import ChangeRow
from tests.sync_server.conftest import Server, hold, op, transfer_request


def pull_all(server: Server, user: str, since: int = 0, snapshot: bool = False,
             as_of: datetime | None = None) -> list[dict[str, Any]]:
    """As the current client pulls (``feed=2``); ``as_of``: when its snapshot began (default now)."""
    changes: list[dict[str, Any]] = []
    while True:
        params: dict[str, Any] = {"since": since, "limit": 7, "feed": 2}  # small pages: paging is tested too
        if snapshot:
            params["snapshot"] = "true"
        if as_of is not None:
            params["as_of"] = as_of.isoformat()
        body = server.client.get("/sync/pull", params=params,
                                 headers={"Authorization": f"Bearer {server.token(user)}"}).json()
        changes += body["changes"]
        since = body["cursor"]
        if not body["more"]:
            return changes


def newest(changes: list[dict[str, Any]]) -> dict[tuple[str, str], int]:
    """Each record's newest version, as a device applying ``changes`` would end with it."""
    result: dict[tuple[str, str], int] = {}
    for c in changes:
        key = (c["entity"], c["entity_id"])
        result[key] = max(result.get(key, 0), c["version"])
    return result


def age_feed(server: Server, by: timedelta) -> None:
    """Pretend everything in the feed so far happened ``by`` ago."""
    with server.client.app.state.write_sessions.begin() as session:  # type: ignore[attr-defined]
        for seq, at in session.execute(select(ChangeRow.seq, ChangeRow.created_at)).all():
            session.execute(update(ChangeRow).where(ChangeRow.seq == seq).values(created_at=at - by))


def cancelled_transfer(server: Server) -> str:
    transfer_id = new_id()
    server.push("asha", transfer_request(transfer_id), hold(new_id(), transfer_id))
    server.push("asha", op("transfer.transition", transfer_id, {"target": "CANCELLED", "reason": "not needed"}))
    return transfer_id


def test_only_the_newest_row_of_a_record_is_marked_latest(server: Server) -> None:
    transfer_id = cancelled_transfer(server)
    with server.client.app.state.sessions() as session:  # type: ignore[attr-defined]
        rows = session.execute(select(ChangeRow.version, ChangeRow.latest).where(
            ChangeRow.entity_id == transfer_id).order_by(ChangeRow.seq)).all()
    assert [latest for _version, latest in rows] == [False] * (len(rows) - 1) + [True] and len(rows) >= 2


def test_a_snapshot_leaves_out_old_closed_cases_but_keeps_beds_and_hospitals(server: Server) -> None:
    old = cancelled_transfer(server)
    age_feed(server, RECENT + timedelta(hours=1))
    recent = cancelled_transfer(server)
    snapshot = newest(pull_all(server, "rahul", snapshot=True))
    assert ("transfer", old) not in snapshot and ("transfer", recent) in snapshot
    assert {entity for entity, _ in snapshot} >= {"bed", "hospital"}


def test_a_snapshot_keeps_an_old_transfer_still_under_way_and_its_hold(server: Server) -> None:
    transfer_id, booking_id = new_id(), new_id()
    server.push("asha", transfer_request(transfer_id), hold(booking_id, transfer_id))
    age_feed(server, RECENT + timedelta(hours=1))
    snapshot = newest(pull_all(server, "asha", snapshot=True))
    assert ("transfer", transfer_id) in snapshot and ("booking", booking_id) in snapshot


def test_a_snapshot_has_one_row_per_record_and_ends_at_the_full_feeds_state(server: Server) -> None:
    for _ in range(3):
        cancelled_transfer(server)
    full, snapshot = pull_all(server, "rahul"), pull_all(server, "rahul", snapshot=True)
    assert len(snapshot) == len(newest(snapshot)) < len(full)
    assert newest(snapshot) == newest(full)


def test_compaction_deletes_only_old_superseded_rows(server: Server) -> None:
    cancelled_transfer(server)
    age_feed(server, COMPACT_AFTER + timedelta(hours=1))
    recent = cancelled_transfer(server)
    with server.client.app.state.write_sessions.begin() as session:  # type: ignore[attr-defined]
        deleted = compact_feed(session.connection(), datetime.now(UTC))
        left = session.scalar(select(func.count()).select_from(ChangeRow).where(~ChangeRow.latest))
        recent_rows = session.scalar(select(func.count()).select_from(ChangeRow).where(ChangeRow.entity_id == recent))
    assert deleted > 0 and left > 0 and recent_rows >= 2


def test_a_device_behind_the_compaction_ends_where_one_that_saw_every_row_ends(server: Server) -> None:
    for _ in range(3):
        cancelled_transfer(server)
    before = newest(pull_all(server, "rahul"))
    age_feed(server, COMPACT_AFTER + timedelta(hours=1))
    with server.client.app.state.write_sessions.begin() as session:  # type: ignore[attr-defined]
        compact_feed(session.connection(), datetime.now(UTC))
    assert newest(pull_all(server, "rahul")) == before


def test_a_nurse_gets_every_hospital_of_the_network_but_only_her_hospitals_beds(server: Server) -> None:
    changes = pull_all(server, "maria", snapshot=True)
    hospitals = {c["entity_id"] for c in changes if c["entity"] == "hospital"}
    bed_hospitals = {c["data"]["hospital_id"] for c in changes if c["entity"] == "bed"}
    assert len(hospitals) == 3 and len(bed_hospitals) == 1


def test_a_redirected_transfer_closed_long_ago_leaves_no_stale_row_in_a_snapshot(server: Server) -> None:
    from tests.sync_server.conftest import AMRITA

    transfer_id = new_id()
    server.push("asha", transfer_request(transfer_id), hold(new_id(), transfer_id))
    [redirected] = server.push("rahul", op("transfer.redirect", transfer_id, {
        "destination_hospital_id": AMRITA, "unit": "ICU", "booking_id": new_id(), "reason": "cath lab down"}))
    assert redirected["status"] == "applied"
    server.push("asha", op("transfer.transition", transfer_id, {"target": "CANCELLED", "reason": "not needed"}))
    age_feed(server, RECENT + timedelta(hours=1))
    for user in ("rahul", "asha", "maria"):  # the desk, the crew, the first ward (Lourdes)
        assert ("transfer", transfer_id) not in newest(pull_all(server, user, snapshot=True))


def test_a_snapshot_resumed_days_later_gets_what_closed_meanwhile(server: Server) -> None:
    transfer_id = new_id()
    server.push("asha", transfer_request(transfer_id), hold(new_id(), transfer_id))
    began = datetime.now(UTC)
    server.push("asha", op("transfer.transition", transfer_id, {"target": "CANCELLED", "reason": "not needed"}))
    age_feed(server, RECENT + timedelta(hours=30))  # as if the device came back three days later
    later = pull_all(server, "rahul", snapshot=True, as_of=began - RECENT - timedelta(hours=30))
    states = [c["data"]["state"] for c in later if c["entity_id"] == transfer_id]
    assert states[-1] == "CANCELLED"  # the cancellation reaches it, not only the open transfer


def test_an_older_client_is_sent_no_kind_it_cannot_read(server: Server) -> None:
    old = server.client.get("/sync/pull", params={"since": 0, "limit": 1000},
                            headers={"Authorization": f"Bearer {server.token('rahul')}"}).json()["changes"]
    assert old and not {c["entity"] for c in old} & {"hospital", "capacity_hour"}


def test_a_snapshots_time_must_be_a_date_time_and_very_old_ones_mean_from_2000(server: Server) -> None:
    headers = {"Authorization": f"Bearer {server.token('rahul')}"}
    number = server.client.get("/sync/pull", params={"snapshot": "true", "as_of": "0.5"}, headers=headers)
    ancient = server.client.get("/sync/pull", params={"snapshot": "true", "as_of": "0001-01-01T00:00:00+00:00"},
                                headers=headers)
    assert number.status_code == 422 and "ISO 8601" in number.json()["detail"] and ancient.status_code == 200
