"""A device installed with the shipped (Kochi demo) hospitals follows a server whose network is another one:
its first sync brings that network's hospitals and beds, nothing is held back, the cursor moves, and the
hospitals seeded here that the server does not have are closed (no longer offered)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.store.models import Bed, Hospital
from emsync_desktop.sync.local import pull_position, store_changes
from emsync_desktop.sync.protocol import Change
from tests.sync_server.conftest import NETWORK, UNITS, Server, db_url, server
from tests.sync_server.test_feed_bounded import pull_all

__all__ = ["db_url", "server"]  # the server fixtures, on both databases


def test_a_demo_device_takes_a_foreign_servers_network_whole(app_context: AppContext, server: Server) -> None:
    changes = [Change.model_validate(c) for c in pull_all(server, "rahul", snapshot=True)]
    result = store_changes(app_context.store, changes, max(c.seq for c in changes), snapshot_done=True)
    bed_ids = [c.entity_id for c in changes if c.entity == "bed"]
    with app_context.store.sessions.begin() as session:
        open_hospitals = set(session.scalars(select(Hospital.name).where(~Hospital.closed)))
        beds = session.scalar(select(func.count()).select_from(Bed).where(Bed.id.in_(bed_ids)))
    assert result.held == {} and open_hospitals == {h["name"] for h in NETWORK["hospitals"]}
    assert beds == len(NETWORK["hospitals"]) * sum(UNITS.values())
    assert pull_position(app_context.store, datetime.now(UTC))[1] is None  # the first sync is over
