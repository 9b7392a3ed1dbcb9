"""Fuzz every HTTP endpoint from the OpenAPI document with every schemathesis check (``--checks all``):
never a 5xx, every answer as documented (status, content type, headers, body schema), invalid data
refused, valid data taken, ``Allow`` right on 405, auth not ignored.

Examples, coverage and fuzzing phases, positive and negative data. ``EMSYNC_FUZZ_EXAMPLES`` examples per
operation (default 30, for ``make test``; a deep pass before a release: e.g. 500). The app runs in-process
on a throwaway SQLite file with the demo network, or, with ``EMSYNC_FUZZ_DB=postgresql``, on a throwaway
schema of ``EMSYNC_TEST_PG_URL`` (``make test`` runs both: PostgreSQL refuses data SQLite takes, such as
NUL characters); requests carry a valid access token so the fuzzing reaches past authentication into the
handlers.
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import tempfile
from pathlib import Path

import psycopg
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from sync_server.app import create_app
from sync_server.config import Settings
from sync_server.seed import add_user, seed_network
from tests.sync_server.conftest import pg_schema_url

EXAMPLES = int(os.environ.get("EMSYNC_FUZZ_EXAMPLES", "30"))
_data = Path(tempfile.mkdtemp(prefix="emsync-fuzz-"))
atexit.register(shutil.rmtree, _data, ignore_errors=True)  # the app must exist at import, before any fixture
_password = secrets.token_urlsafe(12)


def _database_url() -> str:
    """SQLite, or a schema of its own in the test PostgreSQL (dropped at exit)."""
    if os.environ.get("EMSYNC_FUZZ_DB", "sqlite") != "postgresql":
        return f"sqlite:///{_data / 'server.db'}"
    base = os.environ.get("EMSYNC_TEST_PG_URL")
    if not base:
        if os.environ.get("EMSYNC_REQUIRE_PG") == "1":
            raise RuntimeError("EMSYNC_FUZZ_DB=postgresql and EMSYNC_REQUIRE_PG=1 but EMSYNC_TEST_PG_URL is not set")
        pytest.skip("EMSYNC_TEST_PG_URL not set (CI sets it)", allow_module_level=True)
    schema = f"fuzz_{secrets.token_hex(8)}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')

    def drop() -> None:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')

    atexit.register(drop)
    return pg_schema_url(base, schema)


app = create_app(Settings(db_url=_database_url(), secret=os.urandom(32), blob_dir=_data / "blobs"))
with app.state.write_sessions.begin() as _session:
    seed_network(_session)
    add_user(_session, username="asha", password=_password, role="paramedic")
with TestClient(app) as _client:
    TOKEN = _client.post("/auth/login", json={"username": "asha", "password": _password}).json()["access_token"]

schema = schemathesis.openapi.from_asgi("/openapi.json", app)
schema.config.checks.update(included_check_names=["all"])
schema.config.phases.update(phases=["examples", "coverage", "fuzzing"])
schema.config.update(headers={"Authorization": f"Bearer {TOKEN}"})  # known to generation: its negative cases


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_answer_is_as_documented(case: schemathesis.Case) -> None:
    case.call_and_validate()
