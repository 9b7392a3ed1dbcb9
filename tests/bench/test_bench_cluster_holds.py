"""A burst of 200 bed holds against 1, 2 and 4 server processes on one PostgreSQL schema (issue 23).

Mainly N separate instances on their own ports (one data dir, one schema, as tests/e2e/test_cluster.py
starts them), the 200 connections spread round robin over them, as a proxy in front of several hosts
would: each process gets exactly 200/N clients, so the spread is known rather than left to the kernel.
Beside it, ``--workers N`` (one port, the kernel hands each connection to whichever worker accepts). Every client
has its own device and transfer (pushed first, not timed); the holds go to every unit of every demo
hospital in turn, so some units run out and refuse. Per N: latency p50/p95/p99, burst throughput,
held/refused, CPU (machine, server processes, PostgreSQL), and the feed checked for a bed given twice.

On a 2-core machine more processes than cores cannot add throughput; what this shows is that the
answers stay exact across processes and what the cross-process path (LISTEN/NOTIFY, one connection pool
per process, the OS scheduling N event loops) costs next to one process.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests

from emsync_desktop.domain.ids import new_id
from tests.bench.burst_client import http_request, send_together
from tests.bench.test_sync_bench import pct
from tests.e2e.server_process import ServerProcess, running_server
from tests.sync_server.conftest import pg_schema_url

CLIENTS = 200
UNITS = ("ICU", "HDU", "ER", "WARD")
TICK_S = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1
APPLICATION = "emsync-bench-cluster"
PULLS = 1000


@pytest.fixture
def cluster_schema(pg_url: str) -> Iterator[str]:
    """pg_url fails, not skips, when EMSYNC_REQUIRE_PG=1 and no PostgreSQL is given."""
    schema = f"bc_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{pg_schema_url(pg_url, schema)}&application_name={APPLICATION}"
    finally:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _op(kind: str, entity_id: str, device: str, seq: int, payload: dict[str, Any]) -> dict[str, Any]:
    return {"op_id": new_id(), "device_id": device, "device_seq": seq, "kind": kind, "entity_id": entity_id,
            "base_version": None, "hlc": "", "payload": payload}


def _push(server: ServerProcess, token: str, ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
    response = requests.post(f"{server.url}/sync/push", json={"ops": ops},
                             headers={"Authorization": f"Bearer {token}"}, timeout=60)
    response.raise_for_status()
    return list(response.json()["results"])


def _prepare_holds(servers: list[ServerProcess], token: str, targets: list[tuple[str, str]]) -> list[
        dict[str, Any]]:
    """One transfer per client, pushed now (not timed); returns each client's hold op."""
    holds = []
    for i, (hospital_id, unit) in enumerate(targets):
        device, transfer_id = new_id(), new_id()
        request = _op("transfer.request", transfer_id, device, 1,
                      {"encounter_id": new_id(), "destination_hospital_id": hospital_id, "unit": unit})
        assert _push(servers[i % len(servers)], token, [request])[0]["status"] == "applied"
        holds.append(_op("booking.hold", new_id(), device, 2,
                         {"transfer_id": transfer_id, "hospital_id": hospital_id, "unit": unit}))
    return holds


def _free_beds(server: ServerProcess, token: str) -> dict[tuple[str, str], int]:
    hospitals = requests.get(f"{server.url}/hospitals", headers={"Authorization": f"Bearer {token}"},
                             timeout=10).json()
    return {(h["id"], u): int(h["units"][u]["free"]) for h in hospitals for u in UNITS if u in h["units"]}


def _held_beds(server: ServerProcess) -> list[str]:
    """Bed of every hold the feed records (version 1 of each booking): a bed twice is a double booking."""
    token, beds, cursor, more = server.login("rahul"), [], 0, True
    while more:
        page = requests.get(f"{server.url}/sync/pull", params={"since": cursor, "limit": 1000},
                            headers={"Authorization": f"Bearer {token}"}, timeout=30).json()
        beds += [c["data"]["bed_id"] for c in page["changes"] if c["entity"] == "booking" and c["version"] == 1]
        cursor, more = page["cursor"], page["more"]
    return beds


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def _backend_pids(db_url: str) -> set[int]:
    """PostgreSQL backends serving this benchmark's servers (their URL names the application), not those
    of anything else sharing the database server."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s AND pid <> "
                            "pg_backend_pid()", [APPLICATION]).fetchall()
    return {int(pid) for (pid,) in rows}


def _server_pids(servers: list[ServerProcess]) -> set[int]:
    """The servers' processes and their children (the workers of ``--workers N``)."""
    pids = {s.process.pid for s in servers}
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError, IndexError):
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) in pids:
                pids.add(int(entry.name))
    return pids


def _ticks_of(pids: set[int]) -> dict[int, int]:
    ticks = {}
    for pid in pids:
        with contextlib.suppress(OSError):  # a backend that ended meanwhile
            ticks[pid] = _cpu_ticks(pid)
    return ticks


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all cores together."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def _cpu_during[T](servers: list[ServerProcess], db_url: str, burst: Callable[[], T]) -> tuple[T, dict[str, int]]:
    """CPU jiffies spent during ``burst`` by the servers, their PostgreSQL backends (those still open at
    the end; a connection opened and closed inside the burst is missed), this client, and the machine."""
    before_pids, server_pids = _backend_pids(db_url), _server_pids(servers)
    pg_before, app_before = _ticks_of(before_pids), sum(_ticks_of(server_pids).values())
    own_before, (busy_before, total_before) = _cpu_ticks(os.getpid()), _machine_ticks()
    result = burst()
    busy_after, total_after = _machine_ticks()
    own_after, app_after = _cpu_ticks(os.getpid()), sum(_ticks_of(server_pids).values())
    pg_after = _ticks_of(before_pids | _backend_pids(db_url))
    postgres = sum(t - pg_before.get(pid, 0) for pid, t in pg_after.items())
    return result, {"server": app_after - app_before, "postgres": postgres, "client": own_after - own_before,
                    "busy": busy_after - busy_before,
                    "total": total_after - total_before}


def _warm_up(servers: list[ServerProcess], token: str, hospital_id: str, holds_each: int) -> None:
    """A server's first holds compile and prepare its statements: four per process, not measured."""
    for server in servers:
        for _ in range(holds_each):
            device, transfer_id = new_id(), new_id()
            _push(server, token, [
                _op("transfer.request", transfer_id, device, 1,
                    {"encounter_id": new_id(), "destination_hospital_id": hospital_id, "unit": "WARD"}),
                _op("booking.hold", new_id(), device, 2,
                    {"transfer_id": transfer_id, "hospital_id": hospital_id, "unit": "WARD"})])


@pytest.mark.slow
@pytest.mark.parametrize(("processes", "mode"), [(1, "instances"), (2, "instances"), (4, "instances"),
                                                 (2, "workers"), (4, "workers")])
def test_burst_of_200_holds_over_processes_on_one_schema(tmp_path: Path, cluster_schema: str, processes: int,
                                                         mode: str) -> None:
    """``instances``: N servers on N ports, clients spread round robin; ``workers``: one server with
    ``--workers N`` on one port, the kernel handing each connection to whichever worker accepts it."""
    with ExitStack() as stack:
        if mode == "instances":
            servers = [stack.enter_context(running_server(tmp_path / "server", cluster_schema))
                       for _ in range(processes)]
        else:
            servers = [stack.enter_context(running_server(tmp_path / "server", cluster_schema, "--workers",
                                                          str(processes)))]
        token = servers[0].login("asha")
        _warm_up(servers, token, next(iter(_free_beds(servers[0], token)))[0], 4 * processes // len(servers))
        free_before = _free_beds(servers[0], token)
        targets = [list(free_before)[i % len(free_before)] for i in range(CLIENTS)]
        holds = _prepare_holds(servers, token, targets)
        bodies = [http_request("POST", "/sync/push", token, {"ops": [h]}) for h in holds]
        outcomes, cpu = _cpu_during(servers, cluster_schema,
                                    lambda: send_together([s.port for s in servers], bodies, [0.0] * CLIENTS))
        free_after = _free_beds(servers[-1], token)
        held_beds = _held_beds(servers[-1])
    assert {status for _, status, _ in outcomes} == {200}
    results = [json.loads(body)["results"][0] for _, _, body in outcomes]
    granted = Counter(t for t, r in zip(targets, results, strict=True) if r["status"] == "applied")
    demand = Counter(targets)
    latencies = [latency for latency, _, _ in outcomes]
    _report(f"{processes} {mode if processes > 1 else 'process'}", latencies, results, cpu,
            sum(free_before.values()))
    assert all(granted[t] == min(demand[t], free_before[t]) for t in demand)  # every free bed, no more
    assert all(free_after[t] == free_before[t] - granted[t] for t in free_before)
    assert len(held_beds) == len(set(held_beds))  # no bed given twice


def _report(label: str, latencies: list[float], results: list[dict[str, Any]], cpu: dict[str, int],
            free_beds: int) -> None:
    wall_s = max(latencies)  # all sent at the same instant: the burst ends with its last answer
    held = sum(r["status"] == "applied" for r in results)
    per_hold_ms = 1000 / TICK_S / CLIENTS
    others = cpu["busy"] - cpu["server"] - cpu["postgres"] - cpu["client"]
    print(f"\n[postgresql, {label}] burst of {CLIENTS} HTTP holds "
          f"({free_beds} free beds in the network): p50 {pct(latencies, 0.5) * 1e3:.0f} ms  "
          f"p95 {pct(latencies, 0.95) * 1e3:.0f} ms  p99 {pct(latencies, 0.99) * 1e3:.0f} ms  "
          f"{CLIENTS / wall_s:.0f} holds/s  {held} held, {CLIENTS - held} refused\n"
          f"    CPU per hold: server {cpu['server'] * per_hold_ms:.2f} ms, its PostgreSQL backends "
          f"{cpu['postgres'] * per_hold_ms:.2f} ms, client {cpu['client'] * per_hold_ms:.2f} ms; machine "
          f"{100 * cpu['busy'] / cpu['total']:.0f}% busy over the {cpu['total'] / TICK_S / CORES:.2f} s measured "
          f"(connect + burst), {100 * others / cpu['total']:.0f} points of it by other processes; load "
          f"average {os.getloadavg()[0]:.1f} on {CORES} cores")


@pytest.mark.slow
def test_cpu_of_a_pull_with_nothing_new(tmp_path: Path, cluster_schema: str) -> None:
    """What a live round costs per connected device that has nothing new in its scope: one pull."""
    (tmp_path / "server").mkdir()
    with running_server(tmp_path / "server", cluster_schema) as server, requests.Session() as http:
        http.headers["Authorization"] = f"Bearer {server.login('asha')}"
        cursor, more = 0, True
        while more:  # to the head of the feed, as a device that is up to date
            page = http.get(f"{server.url}/sync/pull", params={"since": cursor, "limit": 1000}, timeout=30).json()
            cursor, more = page["cursor"], page["more"]
        ticks_before, start = _cpu_ticks(server.process.pid), time.perf_counter()
        for _ in range(PULLS):
            assert http.get(f"{server.url}/sync/pull", params={"since": cursor}, timeout=30).json()["changes"] == []
        elapsed_s, ticks = time.perf_counter() - start, _cpu_ticks(server.process.pid) - ticks_before
    print(f"\n[postgresql] {PULLS} pulls with nothing new, one after another: {elapsed_s / PULLS * 1e3:.2f} ms each, "
          f"server CPU {ticks * 1000 / TICK_S / PULLS:.2f} ms per pull")
