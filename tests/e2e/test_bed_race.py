"""50 ambulances race for the last 5 ICU beds at one hospital: exactly 5 holds."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from emsync_desktop.domain.ids import new_id
from tests.e2e.server_process import ServerProcess

CLIENTS = 50


def ops_for_one_ambulance(device: str, hospital_id: str) -> list[dict[str, Any]]:
    transfer_id = new_id()
    envelope = {"device_id": device, "base_version": None, "hlc": ""}
    return [
        {**envelope, "op_id": new_id(), "device_seq": 1, "kind": "transfer.request", "entity_id": transfer_id,
         "payload": {"encounter_id": new_id(), "destination_hospital_id": hospital_id, "unit": "ICU"}},
        {**envelope, "op_id": new_id(), "device_seq": 2, "kind": "booking.hold", "entity_id": new_id(),
         "payload": {"transfer_id": transfer_id, "hospital_id": hospital_id, "unit": "ICU"}},
    ]


def push(server: ServerProcess, token: str, ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
    response = requests.post(f"{server.url}/sync/push", json={"ops": ops},
                             headers={"Authorization": f"Bearer {token}"}, timeout=60)
    response.raise_for_status()
    return list(response.json()["results"])


@pytest.mark.slow
def test_fifty_clients_racing_for_last_five_icu_beds_get_exactly_five(server: ServerProcess) -> None:
    token = server.login("asha")
    hospitals = requests.get(f"{server.url}/hospitals", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    target = max(hospitals.json(), key=lambda h: h["units"]["ICU"]["free"])
    free_at_start = target["units"]["ICU"]["free"]
    assert free_at_start > 5
    for _ in range(free_at_start - 5):  # leave exactly 5 free ICU beds
        assert push(server, token, ops_for_one_ambulance(new_id(), target["id"]))[1]["status"] == "applied"
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = list(pool.map(lambda _i: push(server, token, ops_for_one_ambulance(new_id(), target["id"]))[1],
                                 range(CLIENTS)))
    statuses = [r["status"] for r in results]
    assert statuses.count("applied") == 5 and statuses.count("rejected") == CLIENTS - 5
    assert all(r["reason"] == f"No ICU bed left at {target['short_name']}." for r in results
               if r["status"] == "rejected")
    feed = requests.get(f"{server.url}/sync/pull", params={"since": 0, "limit": 1000},
                        headers={"Authorization": f"Bearer {server.login('rahul')}"}, timeout=30).json()
    held_beds = [c["data"]["bed_id"] for c in feed["changes"] if c["entity"] == "booking"]
    assert len(held_beds) == free_at_start and len(set(held_beds)) == free_at_start  # no bed given twice
