"""Ambulance positions end to end (issue 29; real server, SQLite and PostgreSQL): the crew's device queues
positions while offline, keeps only the newest, sends it when back; the receiving nurse's card then shows an
arrival time recomputed from it, and says so once the position is over two minutes old."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from emsync_desktop.domain.positions import live_eta_text
from emsync_desktop.domain.roles import Role
from emsync_desktop.geo.eta import LatLon
from emsync_desktop.geo.position import Fix
from emsync_desktop.geo.routing import FallbackRouter
from emsync_desktop.services.clock import utc_now
from emsync_desktop.services.live_eta import live_eta
from emsync_desktop.services.positions import record_position
from emsync_desktop.services.ward import WardService
from emsync_desktop.store.models import OutboxOp
from tests.e2e.clients import make_client
from tests.e2e.server_process import ServerProcess


@pytest.mark.slow
def test_the_newest_position_reaches_the_nurses_card_as_a_live_arrival_time(tmp_path: Path,
                                                                             server: ServerProcess) -> None:
    creds = server.credentials()
    crew = make_client(tmp_path / "amb", Role.PARAMEDIC, server.url, "asha", creds["asha"])
    ward = make_client(tmp_path / "ward", Role.NURSE, server.url, "maria", creds["maria"])
    try:
        transfer_id = crew.open_case_and_send("Chest pain")
        assert crew.engine.run_once()
        start = utc_now() - timedelta(seconds=60)
        for seconds, lat in ((0, 9.95), (20, 9.96), (40, 9.97)):  # offline: three reports due, one waits
            fix = Fix(LatLon(lat, 76.29), "GPS", start + timedelta(seconds=seconds))
            assert record_position(crew.context.store, crew.user.id, fix, utc_now()) == [transfer_id]
        with crew.context.store.sessions.begin() as session:
            states = session.scalars(select(OutboxOp.state).where(OutboxOp.kind == "transfer.position")).all()
        assert sorted(states) == ["pending", "superseded", "superseded"]
        assert crew.engine.run_once() and ward.engine.run_once()
        [incoming] = WardService(ward.context.store, ward.user).incoming()
        assert incoming.id == transfer_id and incoming.ambulance is not None
        assert (incoming.ambulance.point.lat, incoming.ambulance.at) == (9.97, start + timedelta(seconds=40))
        live = live_eta(FallbackRouter([]), incoming.ambulance)
        assert live_eta_text(live, utc_now()).startswith("arrives in ")
        assert "straight-line estimate" in live_eta_text(live, utc_now())
        later = incoming.ambulance.at + timedelta(minutes=3)
        assert live_eta_text(live, later).startswith("position unknown since ")
    finally:
        crew.close()
        ward.close()
