"""The nurse acknowledges the handoff; the crew sees who and when (real server, SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from emsync_desktop.domain.roles import Role
from emsync_desktop.services.transfers import TransferService
from emsync_desktop.services.ward import WardService
from emsync_desktop.store.models import TransferRecord
from tests.e2e.clients import make_client
from tests.e2e.server_process import ServerProcess


@pytest.mark.slow
def test_crew_sees_who_acknowledged_the_handoff(tmp_path: Path, server: ServerProcess) -> None:
    creds = server.credentials()
    crew = make_client(tmp_path / "amb", Role.PARAMEDIC, server.url, "asha", creds["asha"])
    ward = make_client(tmp_path / "ward", Role.NURSE, server.url, "maria", creds["maria"])
    try:
        transfer_id = crew.open_case_and_send("Fall from ladder", unit="WARD")
        assert crew.engine.run_once() and ward.engine.run_once()
        service = WardService(ward.context.store, ward.user)
        [incoming] = service.incoming()
        assert incoming.handoff_id is not None and incoming.acknowledged is None
        service.acknowledge(incoming.handoff_id)
        assert ward.engine.run_once() and crew.engine.run_once()
        with crew.context.store.sessions.begin() as session:
            case_id = session.get(TransferRecord, transfer_id).encounter_id  # type: ignore[union-attr]
        [view] = TransferService(crew.context.store, crew.user).transfers_for_case(case_id)
        assert view.handoff_acknowledged is not None and view.handoff_acknowledged.startswith(ward.user.display_name)
    finally:
        crew.close()
        ward.close()
