"""Upgrading a server to the bounded feed (migration ``s0012feed``), on SQLite and PostgreSQL: its feed rows are
marked (each record's newest ``latest``, open transfers ``pinned``) and its hospitals published once, so a new
device's snapshot has the whole network and an old device learns it with its next pull."""

from __future__ import annotations

from sqlalchemy import select

from emsync_desktop.domain.ids import new_id
from sync_server.models import ChangeRow
from tests.sync_server.conftest import NETWORK, Server, hold, transfer_request
from tests.sync_server.test_blob_migration import migrate_to
from tests.sync_server.test_feed_bounded import cancelled_transfer, newest, pull_all


def test_an_upgraded_feed_is_marked_and_publishes_the_network(server: Server) -> None:
    closed = cancelled_transfer(server)
    under_way = new_id()
    server.push("asha", transfer_request(under_way), hold(new_id(), under_way))
    cursor = pull_all(server, "rahul")[-1]["seq"]
    migrate_to(server, "s0011ecg")
    with server.client.app.state.write_sessions.begin() as session:  # type: ignore[attr-defined]
        session.execute(ChangeRow.__table__.delete().where(ChangeRow.entity == "hospital"))
    migrate_to(server, "head")
    with server.client.app.state.sessions() as session:  # type: ignore[attr-defined]
        rows = session.execute(select(ChangeRow.entity_id, ChangeRow.latest, ChangeRow.pinned)
                               .where(ChangeRow.entity == "transfer").order_by(ChangeRow.seq)).all()
    assert [(e, latest, pinned) for e, latest, pinned in rows if latest] == [(closed, True, False),
                                                                            (under_way, True, True)]
    later = pull_all(server, "rahul", since=cursor)
    assert len([c for c in later if c["entity"] == "hospital"]) == len(NETWORK["hospitals"])
    assert newest(pull_all(server, "rahul", snapshot=True)).keys() >= {("transfer", under_way)}
