"""Live positions under load (issue 29; ``make bench``; numbers in docs/BENCHMARKS.md): 300 ambulances each
report a position every 15 s to one real server (20 pushes a second, from a process of their own) while 200 bed
holds arrive over the live channel, all at once and spread over 10 s; then, still under that load, how long a
position takes from the crew's push to the receiving nurse's desk (live notice, pull, stored where the card
reads it). The holds are measured without the load before and after, in the same run, so they compare as
ratios."""

from __future__ import annotations

import multiprocessing
import queue
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from emsync_desktop.domain.ids import demo_id, new_id
from emsync_desktop.store.models import AmbulancePosition
from tests.bench.test_sync_bench import _hold_latencies, listening_nurse, pct
from tests.e2e.server_process import ServerProcess, running_server

AMBULANCES = 300
EVERY_S = 15.0
LOURDES = demo_id("hospital", "Lourdes")


def _requests(server: ServerProcess, token: str) -> list[tuple[str, str]]:
    """One transfer per ambulance, spread over the network's hospitals: (transfer id, hospital id)."""
    headers = {"Authorization": f"Bearer {token}"}
    hospitals = [h["id"] for h in requests.get(f"{server.url}/hospitals", headers=headers, timeout=10).json()]
    transfers = [(new_id(), hospitals[i % len(hospitals)]) for i in range(AMBULANCES)]
    ops = [{"op_id": new_id(), "device_id": new_id(), "device_seq": 1, "kind": "transfer.request", "entity_id": t,
            "payload": {"encounter_id": new_id(), "destination_hospital_id": h, "unit": "WARD"}} for t, h in transfers]
    requests.post(f"{server.url}/sync/push", json={"ops": ops}, headers=headers, timeout=60).raise_for_status()
    return transfers


def _drive(url: str, token: str, transfers: list[tuple[str, str]], stop: Any, sent: Any) -> None:
    """The fleet (a child process): ambulance i reports at i * EVERY_S / AMBULANCES, then every EVERY_S; each report
    is one push of one op, as a device sends it. Lourdes's reports go on ``sent`` as (transfer, fix, wall time)."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    devices = [new_id() for _ in transfers]
    start, n = time.monotonic(), 0
    while not stop.is_set():
        i = n % len(transfers)
        due = start + n * EVERY_S / len(transfers)
        time.sleep(max(0.0, due - time.monotonic()))
        transfer_id, hospital_id = transfers[i]
        at = datetime.now(UTC).replace(microsecond=0)
        op = {"op_id": new_id(), "device_id": devices[i], "device_seq": n // len(transfers) + 1,
              "kind": "transfer.position", "entity_id": new_id(),
              "payload": {"transfer_id": transfer_id, "lat": 9.9 + (n % 97) / 1000, "lon": 76.3, "at": at.isoformat(),
                          "source": "GPS"}}
        pushed = time.time()
        session.post(f"{url}/sync/push", json={"ops": [op]}, timeout=30).raise_for_status()
        if hospital_id == LOURDES:
            sent.put((transfer_id, at.isoformat(), pushed))
        n += 1


def _holds(server: ServerProcess, label: str) -> dict[str, tuple[float, float]]:
    out = {}
    for name, spread in (("burst", 0.0), ("spread", 10.0)):
        latencies, _ = _hold_latencies(server, 200, spread, "live")
        out[name] = (pct(latencies, 0.5) * 1000, pct(latencies, 0.99) * 1000)
        print(f"\n  holds {label}, {name}: p50 {out[name][0]:.1f} ms  p99 {out[name][1]:.1f} ms")
    return out


def _to_desk(tmp_path: Path, server: ServerProcess, sent: Any, seconds: float) -> list[float]:
    """Seconds from each Lourdes position's push to the nurse's desk holding it, while the fleet drives."""
    nurse, listener = listening_nurse(tmp_path / "ward", server)
    pushed: dict[tuple[str, str], float] = {}
    seen: dict[tuple[str, str], float] = {}
    try:
        while sent.qsize():  # reports from before the desk listened are not measured
            sent.get_nowait()
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                while True:
                    transfer_id, at, when = sent.get_nowait()
                    pushed[(transfer_id, at)] = when
            except queue.Empty:
                pass
            with nurse.context.store.sessions.begin() as session:
                for p in session.query(AmbulancePosition).all():
                    key = (p.id, p.at.astimezone(UTC).isoformat())
                    seen.setdefault(key, time.time())
            time.sleep(0.01)
    finally:
        listener.stop()
        nurse.close()
    return [seen[key] - when for key, when in pushed.items() if key in seen]


def test_holds_and_positions_with_300_ambulances(tmp_path: Path, bench_db_url: str | None) -> None:
    backend = "postgresql" if bench_db_url else "sqlite"
    (tmp_path / "server").mkdir()
    with running_server(tmp_path / "server", bench_db_url) as server:
        token = server.login("asha")
        transfers = _requests(server, token)
        _hold_latencies(server, 4, 0.0, "live")  # not measured: a server's first holds prepare its statements
        print(f"\n[{backend}] {AMBULANCES} ambulances, a position each every {EVERY_S:.0f} s")
        quiet = _holds(server, "without the fleet")
        context = multiprocessing.get_context("spawn")
        stop, sent = context.Event(), context.Queue()
        fleet = context.Process(target=_drive, args=(server.url, token, transfers, stop, sent), daemon=True)
        fleet.start()
        try:
            time.sleep(5)
            loaded = _holds(server, "with the fleet driving")
            latencies = _to_desk(tmp_path, server, sent, 45.0)
        finally:
            stop.set()
            fleet.join(30)
        after = _holds(server, "without the fleet, again")  # the first quiet holds ran on a colder server
    print(f"[{backend}] position → nurse's desk: p50 {pct(latencies, 0.5) * 1000:.0f} ms  "
          f"p95 {pct(latencies, 0.95) * 1000:.0f} ms  (n={len(latencies)})")
    for name in ("burst", "spread"):
        print(f"[{backend}] hold p99 with the fleet / without it (before, after), {name}: "
              f"{loaded[name][1] / quiet[name][1]:.2f}, {loaded[name][1] / after[name][1]:.2f}")
    assert len(latencies) >= 20 and fleet.exitcode == 0
