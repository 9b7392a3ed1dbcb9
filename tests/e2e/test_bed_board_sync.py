"""A ward's bed change reaches everyone through the real server (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from emsync_desktop.domain.beds import BedStatus
from emsync_desktop.domain.roles import Role
from emsync_desktop.services.bed_board import BedBoardService
from emsync_desktop.store.models import Bed
from tests.e2e.clients import make_client
from tests.e2e.server_process import ServerProcess


@pytest.mark.slow
def test_bed_status_set_on_the_ward_reaches_the_coordinator(tmp_path: Path, server: ServerProcess) -> None:
    creds = server.credentials()
    ward = make_client(tmp_path / "ward", Role.NURSE, server.url, "maria", creds["maria"])
    desk = make_client(tmp_path / "desk", Role.COORDINATOR, server.url, "rahul", creds["rahul"])
    try:
        ward.engine.run_once()
        board = BedBoardService(ward.context.store, ward.user)
        bed = next(b for b in board.board().beds if b.status is BedStatus.AVAILABLE)
        board.set_status(bed.id, BedStatus.ISOLATION)
        assert ward.engine.run_once()
        assert not next(b for b in board.board().beds if b.id == bed.id).waiting
        desk.engine.run_once()
        with desk.context.store.sessions.begin() as session:
            assert session.get(Bed, bed.id).status == "isolation"  # type: ignore[union-attr]
    finally:
        ward.close()
        desk.close()
