"""A device can fetch a record that has left its scope: the newest version of a transfer with its booking and
handoff, applied without moving its cursor; refused (404) to an account that may not see it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from emsync_desktop.domain.ids import new_id
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.store.models import TransferRecord
from emsync_desktop.sync.local import pull_position, store_fetched
from emsync_desktop.sync.protocol import PullResponse
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
