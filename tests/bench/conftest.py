"""Benchmarks run on SQLite always and on PostgreSQL when EMSYNC_TEST_PG_URL is set."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.sync_server.conftest import throwaway_schema

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def bench_db_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    if request.param == "sqlite":
        yield None
        return
    base = os.environ.get("EMSYNC_TEST_PG_URL")
    if not base:
        pytest.skip("set EMSYNC_TEST_PG_URL to benchmark PostgreSQL too")
    with throwaway_schema(base, "b") as url:
        yield url
