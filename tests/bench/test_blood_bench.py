"""Blood allocation (issue 24; ``make bench``; numbers in docs/BENCHMARKS.md): 5,000 units on one blood bank's
shelves (every component and group, expiries spread over their shelf lives), then 100 emergency requests for a
10-unit pack (4 red cells, 4 plasma, 2 platelets; group known for half, unknown for the rest), each allocated by
one push of ``blood.allocate`` (shortage matches allowed, the longest path: every tier may be asked) to the real
server process, timed from the push to its answer. Target: p99 under 50 ms. SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from emsync_desktop.domain.blood import Component as BloodComponent
from emsync_desktop.domain.blood import ShelfLives, din_check_character
from emsync_desktop.domain.ids import new_id
from tests.bench.test_sync_bench import pct
from tests.e2e.server_process import running_server

STOCK = 5_000
REQUESTS = 100
PACK = {"red_cells": 4, "plasma": 4, "platelets": 2}
GROUPS = [("O", True, 37), ("B", True, 30), ("A", True, 21), ("AB", True, 7), ("O", False, 2), ("B", False, 1),
          ("A", False, 1), ("AB", False, 1)]  # weights: roughly Kerala's donors


def _units(rng: random.Random, now: datetime) -> list[dict[str, Any]]:
    ops = []
    for n in range(STOCK):
        component = rng.choice(["red_cells"] * 5 + ["plasma"] * 4 + ["platelets"] * 2)
        abo, rhd, _ = rng.choices(GROUPS, weights=[g[2] for g in GROUPS])[0]
        shelf = ShelfLives().of(BloodComponent(component))
        collected = now - shelf * rng.uniform(0.02, 0.95)
        din = f"G9999{now:%y}{n:06d}"
        ops.append({"op_id": new_id(), "device_id": DEVICE, "device_seq": n + 1, "kind": "blood.unit_add",
                    "entity_id": new_id(), "payload": {
                        "din": din + din_check_character(din), "product_code": "E0000V00", "component": component,
                        "abo": abo, "rhd_positive": rhd, "volume_ml": 250, "collected_at": collected.isoformat()}})
    return ops


DEVICE = new_id()


def _request(n: int, rng: random.Random) -> dict[str, Any]:
    known = n % 2 == 0
    abo, rhd, _ = rng.choices(GROUPS, weights=[g[2] for g in GROUPS])[0]
    return {"op_id": new_id(), "device_id": DEVICE, "device_seq": 100_000 + n, "kind": "blood.request",
            "entity_id": new_id(), "payload": {
                "patient_name": f"Bench {n}", "patient_second_id": "1970-01-01", "abo": abo if known else None,
                "rhd_positive": rhd if known else None, "childbearing": n % 3 == 0, "urgency": "emergency",
                "mtp": True, "counts": PACK}}


def test_allocating_a_ten_unit_pack_from_five_thousand_units(tmp_path: Path, bench_db_url: str | None) -> None:
    rng, now = random.Random(24), datetime.now(UTC)
    with running_server(tmp_path / "server", bench_db_url) as server, requests.Session() as http:
        http.headers["Authorization"] = f"Bearer {server.login('joseph')}"
        units = _units(rng, now)
        for start in range(0, STOCK, 500):
            answers = http.post(f"{server.url}/sync/push", json={"ops": units[start:start + 500]}, timeout=120).json()
            assert {a["status"] for a in answers["results"]} == {"applied"}
        asks = [_request(n, rng) for n in range(REQUESTS)]
        assert {a["status"] for a in http.post(f"{server.url}/sync/push", json={"ops": asks},
                                               timeout=60).json()["results"]} == {"applied"}
        latencies, given = [], 0
        for n, ask in enumerate(asks):
            op = {"op_id": new_id(), "device_id": DEVICE, "device_seq": 200_000 + n, "kind": "blood.allocate",
                  "entity_id": ask["entity_id"], "payload": {"unit_ids": [], "shortage": True}}
            started = datetime.now(UTC)
            [answer] = http.post(f"{server.url}/sync/push", json={"ops": [op]}, timeout=30).json()["results"]
            latencies.append((datetime.now(UTC) - started) / timedelta(milliseconds=1))
            assert answer["status"] == "applied", answer
            given += 1
    backend = "PostgreSQL" if bench_db_url else "SQLite"
    p50, p99 = pct(latencies, 0.50), pct(latencies, 0.99)
    print(f"\nblood.allocate of a 10-unit pack from {STOCK} units ({backend}, {given} requests): "
          f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {max(latencies):.1f} ms")
    assert p99 < 50, f"p99 {p99:.1f} ms"
