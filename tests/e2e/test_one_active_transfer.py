"""One active transfer per case through the real server process (SQLite and PostgreSQL): a replayed
request for the same case is refused, and 'send elsewhere' releases the first bed before holding the next."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from emsync_desktop.domain.ids import demo_id, new_id
from emsync_desktop.services.transfers import TransferService
from emsync_desktop.store.models import BookingRecord, TransferRecord
from tests.e2e.clients import LOURDES, demo_clients
from tests.e2e.server_process import ServerProcess

AMRITA = demo_id("hospital", "Amrita")


def _free(server: ServerProcess, token: str, short_name: str, unit: str) -> int:
    hospitals = requests.get(f"{server.url}/hospitals", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    return int(next(h for h in hospitals.json() if h["short_name"] == short_name)["units"][unit]["free"])


@pytest.mark.slow
def test_replayed_request_is_refused_and_send_elsewhere_moves_the_hold(tmp_path: Path, server: ServerProcess) -> None:
    token = server.login("asha")
    with demo_clients(tmp_path, server.url, server.credentials(), "asha") as (crew,):
        first_id = crew.open_case_and_send("Chest pain", unit="ICU")
        assert crew.engine.run_once()
        lourdes_free = _free(server, token, "Lourdes", "ICU")
        [first] = crew.transfers()
        replay = {"op_id": new_id(), "device_id": new_id(), "device_seq": 1, "kind": "transfer.request",
                  "entity_id": new_id(), "payload": {"encounter_id": first.encounter_id,
                                                     "destination_hospital_id": AMRITA, "unit": "ICU"}}
        answer = requests.post(f"{server.url}/sync/push", json={"ops": [replay]},
                               headers={"Authorization": f"Bearer {token}"}, timeout=10).json()["results"][0]
        assert answer["status"] == "rejected" and "already has an active transfer" in answer["reason"]

        TransferService(crew.context.store, crew.user).send_to_hospital(first.encounter_id, AMRITA, "ICU",
                                                                        replace_active=True)
        assert crew.engine.run_once()
        assert _free(server, token, "Lourdes", "ICU") == lourdes_free + 1
        with crew.context.store.sessions.begin() as session:
            states = {t.id: (t.state, t.sync_state) for t in session.scalars(select(TransferRecord))}
            held = [b.hospital_id for b in session.scalars(select(BookingRecord)) if b.state == "HELD"]
        assert states.pop(first_id) == ("CANCELLED", "synced")
        assert list(states.values()) == [("PENDING", "synced")]
        assert held == [AMRITA] and LOURDES not in held
