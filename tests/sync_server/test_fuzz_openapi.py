"""Fuzz every HTTP endpoint from the OpenAPI document: whatever arrives, never a 5xx.

Bounded for ``make test`` (30 examples per operation). The app runs in-process on a
throwaway SQLite file with the demo network; requests carry a valid access token so
the fuzzing reaches past authentication into the handlers.
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import tempfile
from pathlib import Path

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from sync_server.app import create_app
from sync_server.config import Settings
from sync_server.seed import add_user, seed_network

_data = Path(tempfile.mkdtemp(prefix="emsync-fuzz-"))
atexit.register(shutil.rmtree, _data, ignore_errors=True)  # the app must exist at import, before any fixture
_password = secrets.token_urlsafe(12)
app = create_app(Settings(db_url=f"sqlite:///{_data / 'server.db'}", secret=os.urandom(32)))
with app.state.write_sessions.begin() as _session:
    seed_network(_session)
    add_user(_session, username="asha", password=_password, role="paramedic")
with TestClient(app) as _client:
    TOKEN = _client.post("/auth/login", json={"username": "asha", "password": _password}).json()["access_token"]

schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_endpoint_answers_5xx(case: schemathesis.Case) -> None:
    response = case.call(headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code < 500, f"{case.method} {case.path}: {response.status_code} {response.text[:300]}"
