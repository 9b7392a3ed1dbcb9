"""A device's first sync does not grow with the length of the network's history (issue 30), on PostgreSQL with a
real server process: the same network and daily activity, 30 days or 300 days of it behind the server; the
snapshots a paramedic and a coordinator get are the same size, while the full feed grows with the history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sync_server.cluster import psycopg_conninfo
from tests.bench.history_measures import FirstPull, first_pull
from tests.bench.state_history import load_history
from tests.e2e.server_process import running_server
from tests.sync_server.conftest import throwaway_schema

PER_DAY = 30
Pulls = dict[str, FirstPull]


@pytest.fixture
def pulls_after(tmp_path: Path, pg_url: str) -> Callable[[int], Pulls]:
    def measure(days: int) -> Pulls:
        data_dir = tmp_path / f"server{days}"
        data_dir.mkdir()
        with throwaway_schema(pg_url, "hb") as db_url, running_server(data_dir, db_url) as server:
            load_history(psycopg_conninfo(db_url), PER_DAY * days, datetime.now(UTC), days=days)
            return {"crew": first_pull(server, "asha"), "desk": first_pull(server, "rahul"),
                    "full": first_pull(server, "rahul", snapshot=False)}

    return measure


@pytest.mark.slow
def test_first_syncs_stay_the_same_size_as_history_grows_tenfold(pulls_after: Callable[[int], Pulls]) -> None:
    month, year = pulls_after(30), pulls_after(300)
    assert year["full"].rows - month["full"].rows >= 3 * PER_DAY * 270  # the history did grow: 3 rows a transfer
    for who in ("crew", "desk"):
        assert year[who].rows <= 1.05 * month[who].rows and year[who].bytes <= 1.05 * month[who].bytes
