"""Fuzz every HTTP endpoint from the OpenAPI document with every schemathesis check (``--checks all``):
never a 5xx, every answer as documented (status, content type, headers, body schema), invalid data
refused, valid data taken, ``Allow`` right on 405, auth not ignored.

Examples, coverage and fuzzing phases, positive and negative data. ``EMSYNC_FUZZ_EXAMPLES`` examples per
operation (default 30, for ``make test``; a deep pass before a release: e.g. 500). The app runs in-process
on a throwaway SQLite file with the demo network; requests carry a valid access token so the fuzzing
reaches past authentication into the handlers.
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

EXAMPLES = int(os.environ.get("EMSYNC_FUZZ_EXAMPLES", "30"))
_data = Path(tempfile.mkdtemp(prefix="emsync-fuzz-"))
atexit.register(shutil.rmtree, _data, ignore_errors=True)  # the app must exist at import, before any fixture
_password = secrets.token_urlsafe(12)
app = create_app(Settings(db_url=f"sqlite:///{_data / 'server.db'}", secret=os.urandom(32), blob_dir=_data / "blobs"))
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
