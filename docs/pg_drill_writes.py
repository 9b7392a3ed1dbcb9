"""Part of docs/pg_drill.sh: wait for the server at URL, then push COUNT ambulances' transfer + bed hold.

Usage: python docs/pg_drill_writes.py URL DATA_DIR COUNT
"""

from __future__ import annotations

import sys
import time
import uuid
from pathlib import Path

import requests


def main(url: str, data_dir: Path, count: int) -> None:
    for _ in range(600):
        try:
            if requests.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except requests.ConnectionError:
            time.sleep(0.1)
    lines = (data_dir / "DEMO-CREDENTIALS.txt").read_text().splitlines()
    password = next(p for u, _r, p in (ln.split("\t") for ln in lines if not ln.startswith("#")) if u == "asha")
    token = requests.post(f"{url}/auth/login", json={"username": "asha", "password": password},
                          timeout=10).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    hospital = requests.get(f"{url}/hospitals", headers=headers, timeout=10).json()[0]["id"]
    statuses = []
    for _ in range(count):
        device, transfer = str(uuid.uuid4()), str(uuid.uuid4())
        envelope = {"device_id": device, "base_version": None, "hlc": ""}
        ops = [{**envelope, "op_id": str(uuid.uuid4()), "device_seq": 1, "kind": "transfer.request",
                "entity_id": transfer, "payload": {"encounter_id": str(uuid.uuid4()),
                                                   "destination_hospital_id": hospital, "unit": "WARD"}},
               {**envelope, "op_id": str(uuid.uuid4()), "device_seq": 2, "kind": "booking.hold",
                "entity_id": str(uuid.uuid4()), "payload": {"transfer_id": transfer, "hospital_id": hospital,
                                                            "unit": "WARD"}}]
        answer = requests.post(f"{url}/sync/push", json={"ops": ops}, headers=headers, timeout=30).json()
        statuses.append(answer["results"][1]["status"])
    print(f"pushed {count} transfers + holds: {statuses}")


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]))
