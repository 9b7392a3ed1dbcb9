"""A device can fetch a record that has left its scope: the newest version of a transfer with its booking and
handoff, applied without moving its cursor; refused (404) to an account that may not see it. A desk finds old
transfers by the day they were requested, within its account's scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from emsync_desktop.domain.ids import new_id
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.store.models import TransferRecord
from emsync_desktop.sync.local import pull_position, store_fetched
from emsync_desktop.sync.protocol import MAX_LOOKUP_DAYS, PullResponse
from sync_server.feed import RECENT
from tests.sync_server.conftest import Server, db_url, server
from tests.sync_server.test_feed_bounded import age_feed, cancelled_transfer, pull_all

__all__ = ["db_url", "server"]  # the server fixtures, on both databases
NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def fetch(server: Server, user: str, transfer_id: str) -> tuple[int, PullResponse | None]:
    response = server.client.get(f"/sync/record/transfer/{transfer_id}",
                                 headers={"Authorization": f"Bearer {server.token(user)}"})
    return response.status_code, PullResponse.model_validate(response.json()) if response.status_code == 200 else None


def test_an_old_closed_transfer_comes_whole_and_applies_without_moving_the_cursor(
        server: Server, app_context: AppContext) -> None:
    transfer_id = cancelled_transfer(server)
    age_feed(server, RECENT + timedelta(hours=1))
    assert all(c["entity_id"] != transfer_id for c in pull_all(server, "rahul", snapshot=True))
    status, page = fetch(server, "rahul", transfer_id)
    assert status == 200 and page is not None
    assert {c.entity for c in page.changes} == {"transfer", "booking"}
    store_fetched(app_context.store, page.changes)
    with app_context.store.sessions.begin() as session:
        record = session.get(TransferRecord, transfer_id)
        assert record is not None and record.state == "CANCELLED"
    assert pull_position(app_context.store, NOW) == (0, NOW)  # the cursor did not move: still a first sync


def test_a_record_outside_the_accounts_scope_is_not_found(server: Server) -> None:
    transfer_id = cancelled_transfer(server)  # to Lourdes
    assert fetch(server, "anu", transfer_id)[0] == 404  # a nurse at Amrita
    assert fetch(server, "rahul", new_id())[0] == 404


def lookup(server: Server, user: str, start: datetime, end: datetime) -> tuple[int, dict[str, Any]]:
    response = server.client.get("/sync/lookup/transfers", params={"start": start.isoformat(), "end": end.isoformat()},
                                 headers={"Authorization": f"Bearer {server.token(user)}"})
    return response.status_code, response.json()


def test_a_day_lists_the_transfers_requested_then_that_the_account_may_see(server: Server) -> None:
    transfer_id = cancelled_transfer(server)  # to Lourdes, by asha
    now = datetime.now(UTC)
    for user, expected in (("rahul", [transfer_id]), ("maria", [transfer_id]), ("anu", []), ("ravi", [])):
        status, page = lookup(server, user, now - timedelta(hours=1), now + timedelta(hours=1))
        assert status == 200 and [c["entity_id"] for c in page["changes"]] == expected, user
        assert all(c["data"]["state"] == "CANCELLED" for c in page["changes"])  # the newest version


def test_a_day_before_the_transfer_lists_nothing(server: Server) -> None:
    cancelled_transfer(server)
    now = datetime.now(UTC)
    assert lookup(server, "rahul", now - timedelta(days=2), now - timedelta(days=1))[1]["changes"] == []


def test_a_look_up_over_a_month_is_cut_to_its_last_month_and_says_so(server: Server) -> None:
    transfer_id = cancelled_transfer(server)
    now = datetime.now(UTC)
    status, page = lookup(server, "rahul", now - timedelta(days=MAX_LOOKUP_DAYS + 5), now + timedelta(hours=1))
    assert status == 200 and page["more"] and [c["entity_id"] for c in page["changes"]] == [transfer_id]


def test_a_backwards_look_up_lists_nothing(server: Server) -> None:
    cancelled_transfer(server)
    now = datetime.now(UTC)
    status, page = lookup(server, "rahul", now + timedelta(hours=1), now - timedelta(hours=1))
    assert status == 200 and page["changes"] == [] and not page["more"]
