"""A coordinator redirects a crew's transfer; crew, old ward and desk all see it (real server process,
SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from emsync_desktop.domain.ids import demo_id
from emsync_desktop.domain.transfer_news import latest_news
from emsync_desktop.services.clock import utc_now
from emsync_desktop.services.network_transfers import open_transfers
from emsync_desktop.services.redirect import redirect_transfer
from emsync_desktop.services.transfers import TransferService
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
        [at_ward] = WardService(ward.context.store, ward.user).incoming()
        assert at_ward.id == transfer_id and at_ward.handoff_id is not None
        WardService(ward.context.store, ward.user).acknowledge(at_ward.handoff_id)
        assert ward.engine.run_once() and crew.engine.run_once()
        redirect_transfer(desk.context.store, desk.user, transfer_id, AMRITA, "ICU", "Cath lab down", utc_now())
        assert desk.engine.run_once() and crew.engine.run_once() and ward.engine.run_once()
        [at_crew] = [t for t in crew.transfers() if t.id == transfer_id]
        assert (at_crew.destination_hospital_id, at_crew.state, at_crew.sync_state) == (AMRITA, "PENDING", "synced")
        assert WardService(ward.context.store, ward.user).incoming() == []
        [moved] = WardService(ward.context.store, ward.user).incoming_and_redirected()
        assert moved.moved_away is not None and moved.moved_away.startswith("Redirected by Rahul Nair at ")
        assert moved.moved_away.endswith("to Amrita ICU: Cath lab down")
        [view] = TransferService(crew.context.store, crew.user).transfers_for_case(at_crew.encounter_id)
        assert view.handoff_acknowledged is None  # read at Lourdes, not yet at Amrita
        news = latest_news(view.history)
        assert news is not None and news[0] == "moved" and "to Amrita ICU: Cath lab down" in news[1]
        [row] = open_transfers(desk.context.store, utc_now())
        assert (row.destination, row.bed, row.attention) == ("Amrita", "HELD", None)
        assert row.note.startswith("↪ from Lourdes by Rahul Nair at ") and row.note.endswith(": Cath lab down")
