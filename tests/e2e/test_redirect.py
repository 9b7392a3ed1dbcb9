"""A coordinator redirects a crew's transfer; crew, old ward and desk all see it (real server process,
SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from emsync_desktop.domain.ids import demo_id
from emsync_desktop.services.clock import utc_now
from emsync_desktop.services.network_transfers import open_transfers
from emsync_desktop.services.redirect import redirect_transfer
from emsync_desktop.services.ward import WardService
from tests.e2e.clients import demo_clients
from tests.e2e.server_process import ServerProcess

AMRITA = demo_id("hospital", "Amrita")


@pytest.mark.slow
def test_redirected_transfer_reaches_crew_and_leaves_the_old_ward(tmp_path: Path, server: ServerProcess) -> None:
    creds = server.credentials()
    with demo_clients(tmp_path, server.url, creds, "asha", "maria", "rahul") as (crew, ward, desk):
        transfer_id = crew.open_case_and_send("Chest pain, ST elevation", unit="ICU")
        assert crew.engine.run_once() and ward.engine.run_once() and desk.engine.run_once()
        assert [t.id for t in WardService(ward.context.store, ward.user).incoming()] == [transfer_id]
        redirect_transfer(desk.context.store, desk.user, transfer_id, AMRITA, "ICU", "Cath lab down", utc_now())
        assert desk.engine.run_once() and crew.engine.run_once() and ward.engine.run_once()
        [at_crew] = [t for t in crew.transfers() if t.id == transfer_id]
        assert (at_crew.destination_hospital_id, at_crew.state, at_crew.sync_state) == (AMRITA, "PENDING", "synced")
        assert WardService(ward.context.store, ward.user).incoming() == []
        [row] = open_transfers(desk.context.store, utc_now())
        assert (row.destination, row.bed, row.attention) == ("Amrita", "HELD", None)
