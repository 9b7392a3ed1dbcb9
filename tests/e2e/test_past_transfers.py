"""Looking up an old case on a real server process (issue 30): a crew's transfer, synced, is found by the day it
was requested and opened whole by the coordinator's desk; the crew's device tells the server how far it has its
answers, and the server records it."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from emsync_desktop.domain.roles import Role
from emsync_desktop.services.past_transfers import PastTransferNames, past_case, past_transfers
from emsync_desktop.store.models import OutboxOp
from emsync_desktop.sync.http import SyncHttp
from tests.e2e.clients import Client, make_client
from tests.e2e.server_process import running_server


def test_a_synced_transfer_is_found_by_its_day_and_opened_whole(tmp_path: Path) -> None:
    (tmp_path / "server").mkdir()
    with running_server(tmp_path / "server") as server:
        crew = make_client(tmp_path / "crew", Role.PARAMEDIC, server.url, "asha", server.credentials()["asha"])
        http = SyncHttp(server.url)
        try:
            first = crew.open_case_and_send("Chest pain")
            assert crew.engine.run_once()
            answered = _highest_seq(crew)
            crew.open_case_and_send("Fall from height")
            assert crew.engine.run_once()  # this push says the first case's answers are stored on the device
            token = server.login("rahul")
            now = datetime.now(UTC)
            page = http.lookup_transfers(token, now - timedelta(hours=1), now + timedelta(hours=1))
            names = PastTransferNames(crew.context.store)
            assert first in [t.id for t in past_transfers(page.changes, names)]
            case = past_case(first, http.fetch_record(token, "transfer", first), names)
            assert case.transfer.destination == "Lourdes Hospital, Pachalam" and case.steps
            assert _answered_through(server.data_dir, crew.context.install.device_id) == answered
        finally:
            http.close()
            crew.close()


def _highest_seq(client: Client) -> int:
    with client.context.store.sessions.begin() as session:
        return int(session.scalar(select(func.max(OutboxOp.device_seq))) or 0)


def _answered_through(data_dir: Path, device_id: str) -> int:
    [database] = list(data_dir.glob("*.db"))
    with sqlite3.connect(database) as conn:
        row = conn.execute("SELECT answered_through FROM device_answers WHERE device_id = ?", (device_id,)).fetchone()
    return int(row[0]) if row else 0
