"""The server keeps the network's hourly figures and publishes them: a sample per minute of the current hour,
the previous hour closed at the next one's first sample, and only changes published."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from emsync_desktop.domain.ids import new_id
from sync_server.capacity_hours import sample_capacity
from sync_server.models import CapacityHour, ChangeRow
from tests.sync_server.conftest import Server, hold, transfer_request
from tests.sync_server.test_feed_bounded import pull_all


def sample(server: Server, at: datetime) -> int:
    with server.client.app.state.write_sessions.begin() as session:  # type: ignore[attr-defined]
        return sample_capacity(session, at)


def hours(server: Server) -> dict[tuple[datetime, str], CapacityHour]:
    with server.client.app.state.sessions() as session:  # type: ignore[attr-defined]
        return {(row.hour, row.unit): row for row in session.scalars(select(CapacityHour))}


def test_a_sample_counts_beds_in_use_and_transfers_requested_this_hour(server: Server) -> None:
    transfer_id = new_id()
    server.push("asha", transfer_request(transfer_id), hold(new_id(), transfer_id))  # holds an ICU bed
    now = datetime.now(UTC)
    sample(server, now)
    icu = hours(server)[(now.replace(minute=0, second=0, microsecond=0), "ICU")]
    assert (icu.beds_total, icu.beds_in_use, icu.transfers_requested) == (6, 1, 1)


def test_a_second_sample_with_nothing_new_publishes_nothing(server: Server) -> None:
    now = datetime.now(UTC).replace(minute=10)  # both samples inside one hour, whenever the test runs
    assert sample(server, now) > 0 and sample(server, now + timedelta(seconds=60)) == 0


def test_the_next_hours_first_sample_closes_the_previous_one(server: Server) -> None:
    now = datetime.now(UTC).replace(minute=59)
    sample(server, now)
    transfer_id = new_id()
    server.push("asha", transfer_request(transfer_id, unit="WARD"))  # requested now: counted in its own hour
    sample(server, now + timedelta(minutes=2))
    assert len({hour for hour, _unit in hours(server)}) == 2


def test_a_coordinator_pulls_the_hours_and_a_nurse_does_not(server: Server) -> None:
    sample(server, datetime.now(UTC))
    kinds = {c["entity"] for c in pull_all(server, "rahul")}
    assert "capacity_hour" in kinds and "capacity_hour" not in {c["entity"] for c in pull_all(server, "maria")}


def test_the_feed_keeps_one_newest_row_per_unit_and_hour(server: Server) -> None:
    now = datetime.now(UTC).replace(minute=10)
    sample(server, now)
    server.push("asha", transfer_request(new_id()))
    sample(server, now + timedelta(minutes=1))
    with server.client.app.state.sessions() as session:  # type: ignore[attr-defined]
        newest = session.scalar(select(func.count()).select_from(ChangeRow).where(
            ChangeRow.entity == "capacity_hour", ChangeRow.latest))
    assert newest == len(hours(server))
