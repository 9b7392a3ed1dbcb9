"""A year of a state network (issue 30), on PostgreSQL: does what a device pays follow what it shows, not the
history? ``EMSYNC_BENCH_TRANSFERS`` past transfers (default 10,000; the table in docs/BENCHMARKS.md also has
100,000 and 1,800,000) are bulk-loaded (``state_history``) behind a real server process; then:

- a paramedic's first sync: rows and bytes over HTTP (target under 5 MB), and the full feed for contrast;
- a coordinator's first sync through the real client (sync engine, local store): seconds until usable (target
  under 10 s);
- the desk's views on that store: open transfers and trends, p95 of 30 (target under 50 ms);
- an incremental pull with nothing new: the client's whole cycle and the server's answer, median of 20.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from emsync_desktop.domain.roles import Role
from emsync_desktop.services.network_transfers import open_transfers
from emsync_desktop.services.trends import network_trends
from emsync_desktop.sync.local import read_cursor
from tests.bench.history_measures import first_pull
from tests.bench.state_history import load_history
from tests.bench.test_sync_bench import pct
from tests.bench.timing import timed
from tests.e2e.clients import make_client
from tests.e2e.server_process import ServerProcess, running_server
from tests.sync_server.conftest import throwaway_schema

TRANSFERS = int(os.environ.get("EMSYNC_BENCH_TRANSFERS", "10000"))


@pytest.fixture
def history_server(tmp_path: Path, pg_url: str) -> Iterator[ServerProcess]:
    with throwaway_schema(pg_url, "h") as db_url:
        (tmp_path / "server").mkdir()
        with running_server(tmp_path / "server", db_url) as server:
            start = time.perf_counter()
            loaded = load_history(_conninfo(db_url), TRANSFERS, datetime.now(UTC))
            print(f"\nhistory: {loaded} loaded in {time.perf_counter() - start:.0f} s")
            yield server


def _conninfo(db_url: str) -> str:
    from sync_server.cluster import psycopg_conninfo

    return psycopg_conninfo(db_url)


@pytest.mark.timeout(3600)  # loading 1.8 million transfers takes about ten minutes here
def test_history_costs(tmp_path: Path, history_server: ServerProcess) -> None:
    crew, full = first_pull(history_server, "asha"), first_pull(history_server, "asha", snapshot=False)
    print(f"paramedic first sync ({TRANSFERS} transfers): snapshot {crew.rows} rows {crew.bytes / 1e6:.2f} MB "
          f"{crew.seconds:.2f} s; full feed {full.rows} rows {full.bytes / 1e6:.2f} MB {full.seconds:.2f} s")
    desk = make_client(tmp_path / "desk", Role.COORDINATOR, history_server.url, "rahul",
                       history_server.credentials()["rahul"])
    try:
        start = time.perf_counter()
        assert desk.engine.run_once()
        first_sync_s = time.perf_counter() - start
        now = datetime.now(UTC)
        shown = len(open_transfers(desk.context.store, now))
        views = {"open transfers": timed(lambda: open_transfers(desk.context.store, now), 30),
                 "trends": timed(lambda: network_trends(desk.context.store, now), 30)}
        cycle = timed(desk.engine.run_once, 20)
        cursor = read_cursor(desk.context.store, "rahul")
    finally:
        desk.close()
    headers = {"Authorization": f"Bearer {history_server.login('rahul')}"}
    with requests.Session() as http:
        answers = timed(lambda: http.get(f"{history_server.url}/sync/pull", params={"since": cursor},
                                         headers=headers, timeout=60).raise_for_status(), 20)
    print(f"coordinator first sync: {first_sync_s:.2f} s; open transfers shown: {shown}")
    for name, times in views.items():
        print(f"desk view {name}: p50 {statistics.median(times) * 1e3:.1f} ms, p95 {pct(times, 0.95) * 1e3:.1f} ms")
    print(f"nothing new: client's sync cycle median {statistics.median(cycle) * 1e3:.1f} ms, "
          f"server's pull answer median {statistics.median(answers) * 1e3:.1f} ms")
    assert crew.bytes < full.bytes and shown >= 1
