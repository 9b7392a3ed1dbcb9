"""Benchmarks run on SQLite always and on PostgreSQL when EMSYNC_TEST_PG_URL is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from tests.sync_server.conftest import pg_schema_url

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def bench_db_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    if request.param == "sqlite":
        yield None
        return
    base = os.environ.get("EMSYNC_TEST_PG_URL")
    if not base:
        pytest.skip("set EMSYNC_TEST_PG_URL to benchmark PostgreSQL too")
    schema = f"b_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield pg_schema_url(base, schema)
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
