"""The demo server's made-up day: in the feed, in time order, inside the window, written once."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from sync_server.app import create_app
from sync_server.config import Settings
from sync_server.demo_history import NEXT_STATUS, seed_demo_history
from sync_server.models import ChangeRow, Transfer
from sync_server.seed import seed_network

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
START = NOW - timedelta(hours=24)


def test_demo_day_goes_through_the_feed_in_time_order_once(tmp_path: Path) -> None:
    app = create_app(Settings(db_url=f"sqlite:///{tmp_path / 'demo.db'}", secret=os.urandom(32)))
    with app.state.write_sessions.begin() as session:
        seed_network(session, now=START)
        assert seed_demo_history(session, START, NOW)
        assert not seed_demo_history(session, START, NOW)  # a restart adds nothing
    with app.state.write_sessions.begin() as session:
        beds = [c for c in session.scalars(select(ChangeRow).where(ChangeRow.entity == "bed")) if c.version > 1]
        transfers = session.scalars(select(Transfer)).all()
        assert {b.data["status"] for b in beds} <= set(NEXT_STATUS) | {"reserved"}
        assert all(START <= b.created_at <= NOW for b in beds)
        bed_times = [b.created_at for b in beds if b.data["status"] != "reserved"]
        assert bed_times == sorted(bed_times)
        assert sum(t.state == "COMPLETED" for t in transfers) == 40
        assert all(t.summary.startswith("Demo") for t in transfers)
    app.state.engine.dispose()


def test_demo_day_has_the_networks_figures_for_every_hour(tmp_path: Path) -> None:
    from sync_server.models import CapacityHour

    app = create_app(Settings(db_url=f"sqlite:///{tmp_path / 'demo.db'}", secret=os.urandom(32)))
    with app.state.write_sessions.begin() as session:
        seed_network(session, now=START)
        seed_demo_history(session, START, NOW)
    with app.state.sessions() as session:
        rows = session.scalars(select(CapacityHour)).all()
    assert len({r.hour for r in rows}) == 25  # the 24 past hours and the current one
    assert sum(r.transfers_requested for r in rows) == 40 + 4  # the day's transfers and those under way
    app.state.engine.dispose()
