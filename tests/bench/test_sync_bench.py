"""Sync benchmarks against the real server process (``make bench``; numbers in docs/BENCHMARKS.md).

- reconnect: 10,000 ops queued offline, time until all answered and pulled back;
- bed holds: latency with 200 connected clients, all at once (burst) and spread over 10 s, pushed over
  the live channel (what a connected device does) and over HTTP, beside the same burst on a route that
  does nothing (what HTTP alone costs on this machine); after four warm-up holds, as a server that has
  run a while (its first holds compile and prepare statements);
- propagation: a transfer pushed by one client until another online client has it.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import func, select

from emsync_desktop.domain.ids import new_id
from emsync_desktop.domain.roles import Role
from emsync_desktop.store.models import OutboxOp, TransferRecord
from emsync_desktop.sync.live import LiveChannel
from tests.bench.burst_client import http_request, push_together_live, send_together
from tests.e2e.clients import make_client
from tests.e2e.server_process import ServerProcess, free_port, running_server


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def queue_ops(data_dir: Path, transfers: int) -> None:
    client = make_client(data_dir, Role.PARAMEDIC, f"http://127.0.0.1:{free_port()}", "asha", "-")
    try:
        for i in range(transfers):
            client.open_case_and_send(f"Patient {i}", unit="WARD")
    finally:
        client.close()


def test_ten_thousand_queued_ops_reconnect_to_synced(tmp_path: Path, bench_db_url: str | None) -> None:
    data_dir = tmp_path / "ambulance"
    queue_ops(data_dir, 3334)  # 3 ops each: 10,002 ops
    (tmp_path / "server").mkdir()
    with running_server(tmp_path / "server", bench_db_url) as server:
        client = make_client(data_dir, Role.PARAMEDIC, server.url, "asha", server.credentials()["asha"])
        try:
            start = time.perf_counter()
            assert client.engine.run_once()
            elapsed = time.perf_counter() - start
            with client.context.store.sessions.begin() as session:
                answered = session.scalar(select(func.count()).select_from(OutboxOp).where(OutboxOp.state != "pending"))
        finally:
            client.close()
    backend = "postgresql" if bench_db_url else "sqlite"
    print(f"\n[{backend}] {answered} ops reconnect→synced in {elapsed:.2f} s = {answered / elapsed:.0f} ops/s")
    assert answered == 10_002


def _transfer_ops(hospital_id: str, unit: str) -> tuple[str, dict[str, Any]]:
    transfer_id = new_id()
    return transfer_id, {"op_id": new_id(), "device_id": new_id(), "device_seq": 1, "kind": "transfer.request",
                         "entity_id": transfer_id, "payload": {"encounter_id": new_id(),
                                                               "destination_hospital_id": hospital_id, "unit": unit}}


def _hold_op(transfer_id: str, hospital_id: str, unit: str) -> dict[str, Any]:
    return {"op_id": new_id(), "device_id": new_id(), "device_seq": 2, "kind": "booking.hold",
            "entity_id": new_id(), "payload": {"transfer_id": transfer_id, "hospital_id": hospital_id, "unit": unit}}


def _hold_latencies(server: ServerProcess, clients: int, spread_s: float, over: str) -> tuple[
        list[float], list[dict[str, Any]]]:
    """Each client's transfer is sent first; then the holds, over HTTP or the live channel, and timed."""
    token = server.login("asha")
    headers = {"Authorization": f"Bearer {token}"}
    hospitals = requests.get(f"{server.url}/hospitals", headers=headers, timeout=10).json()
    targets = [(h["id"], u) for h in hospitals for u in ("ICU", "HDU", "ER", "WARD")]
    holds = []
    for i in range(clients):
        hospital_id, unit = targets[i % len(targets)]
        transfer_id, op = _transfer_ops(hospital_id, unit)
        requests.post(f"{server.url}/sync/push", json={"ops": [op]}, headers=headers, timeout=30).raise_for_status()
        holds.append(_hold_op(transfer_id, hospital_id, unit))
    rng = random.Random(7)  # one generator: a fresh Random(7) per draw gave every client the same delay
    delays = [rng.uniform(0, spread_s) for _ in range(clients)]
    if over == "live":
        answers = push_together_live(server.port, token, [[h] for h in holds], delays)
        assert {a["type"] for _, a in answers} == {"pushed"}
        return [latency for latency, _ in answers], [a["results"][0] for _, a in answers]
    requests_ = [http_request("POST", "/sync/push", token, {"ops": [h]}) for h in holds]
    outcomes = send_together(server.port, requests_, delays)
    assert {status for _, status, _ in outcomes} == {200}
    return [o[0] for o in outcomes], [json.loads(o[2])["results"][0] for o in outcomes]


def _floor(server: ServerProcess, path: str, clients: int) -> list[float]:
    """The same burst on a route that does nothing (404) or only reads (/health): what HTTP alone costs."""
    return [o[0] for o in send_together(server.port, [http_request("GET", path)] * clients, [0.0] * clients)]


def _double_bookings(server: ServerProcess) -> int:
    token = server.login("rahul")
    beds: list[str] = []
    cursor, more = 0, True
    while more:
        page = requests.get(f"{server.url}/sync/pull", params={"since": cursor, "limit": 1000},
                            headers={"Authorization": f"Bearer {token}"}, timeout=30).json()
        beds += [c["data"]["bed_id"] for c in page["changes"] if c["entity"] == "booking" and c["version"] == 1]
        cursor, more = page["cursor"], page["more"]
    return len(beds) - len(set(beds))


def test_bed_hold_latency_with_200_clients(tmp_path: Path, bench_db_url: str | None) -> None:
    backend = "postgresql" if bench_db_url else "sqlite"
    (tmp_path / "server").mkdir()
    with running_server(tmp_path / "server", bench_db_url) as server:
        for path in ("/no-such-route", "/health"):
            floor = _floor(server, path, 200)
            print(f"\n[{backend}] GET {path}, 200 at once: p50 {pct(floor, 0.5) * 1000:.1f} ms  "
                  f"p99 {pct(floor, 0.99) * 1000:.1f} ms")
        # Not measured: a server's first holds compile and prepare its statements (once per process).
        _hold_latencies(server, 4, 0.0, "live")
        for over in ("live", "http"):
            for label, spread in (("burst, all 200 at once", 0.0), ("200 spread over 10 s", 10.0)):
                latencies, results = _hold_latencies(server, 200, spread, over)
                held = sum(r["status"] == "applied" for r in results)
                print(f"\n[{backend}] bed hold over {over}, {label}: p50 {pct(latencies, 0.5) * 1000:.1f} ms  "
                      f"p99 {pct(latencies, 0.99) * 1000:.1f} ms  ({held} held, {200 - held} refused: no bed)")
        doubles = _double_bookings(server)
    print(f"[{backend}] double bookings: {doubles}")
    assert doubles == 0


def test_change_reaches_other_client(tmp_path: Path, bench_db_url: str | None) -> None:
    backend = "postgresql" if bench_db_url else "sqlite"
    (tmp_path / "server").mkdir()
    with running_server(tmp_path / "server", bench_db_url) as server:
        creds = server.credentials()
        paramedic = make_client(tmp_path / "amb", Role.PARAMEDIC, server.url, "asha", creds["asha"])
        nurse, listener = listening_nurse(tmp_path / "ward", server)
        samples = []
        try:
            for i in range(30):
                transfer_id = paramedic.open_case_and_send(f"Propagation {i}", unit="ER")
                start = time.perf_counter()
                paramedic.engine.run_once()
                while not _has(nurse, transfer_id):
                    time.sleep(0.002)
                samples.append(time.perf_counter() - start)
        finally:
            listener.stop()
            nurse.close()
            paramedic.close()
    print(f"\n[{backend}] change on one client → other client has it: p50 {statistics.median(samples) * 1000:.0f} ms"
          f"  p95 {pct(samples, 0.95) * 1000:.0f} ms  (n={len(samples)}, push + live notify + pull + apply)")
    assert len(samples) == 30


def listening_nurse(data_dir: Path, server: ServerProcess) -> tuple[Any, LiveChannel]:
    """Lourdes's nurse, synced, pulling whenever the server's live channel says there is news (what an online
    desk does); stop the listener, then close the client."""
    nurse = make_client(data_dir, Role.NURSE, server.url, "maria", server.credentials()["maria"], poll_s=60)
    nurse.engine.run_once()
    nurse.engine.start()
    listener = LiveChannel(server.url, lambda: nurse.engine.token, lambda _c: nurse.engine.nudge())
    listener.start()
    listener.connected.wait(10)
    return nurse, listener


def _has(client: Any, transfer_id: str) -> bool:
    with client.context.store.sessions.begin() as session:
        return session.get(TransferRecord, transfer_id) is not None
