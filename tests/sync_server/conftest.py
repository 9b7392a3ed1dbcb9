"""Server fixtures: every test runs on SQLite and on PostgreSQL (a throwaway schema each)."""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from emsync_desktop.domain.ids import demo_id, new_id
from emsync_desktop.sync.protocol import FEED_VERSION
from sync_server.app import create_app
from sync_server.config import Settings
from sync_server.seed import add_user, seed_network

UNITS = {"ICU": 2, "WARD": 3}
NETWORK = {"bed_status_mix": {"available": 1.0}, "hospitals": [
    {"short_name": "Lourdes", "name": "Lourdes Hospital", "lat": 9.999, "lon": 76.2875, "capabilities": ["icu"],
     "units": UNITS},
    {"short_name": "Amrita", "name": "Amrita Institute", "lat": 10.0325, "lon": 76.2935, "capabilities": ["icu"],
     "units": UNITS},
    {"short_name": "Rajagiri", "name": "Rajagiri Hospital", "lat": 10.087, "lon": 76.386, "capabilities": ["icu"],
     "units": UNITS},
]}
LOURDES, AMRITA = demo_id("hospital", "Lourdes"), demo_id("hospital", "Amrita")


def pg_schema_url(base_url: str, schema: str) -> str:
    sep = "&" if "?" in base_url else "?"
    return f"{base_url}{sep}options=-csearch_path%3D{schema}"


@contextmanager
def throwaway_schema(base_url: str, prefix: str) -> Iterator[str]:
    """A new PostgreSQL schema for one test, as a URL that uses it; dropped afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield pg_schema_url(base_url, schema)
    finally:
        with psycopg.connect(base_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'server.db'}"
        return
    with throwaway_schema(request.getfixturevalue("pg_url"), "t") as url:
        yield url


@dataclass
class Server:
    client: TestClient
    passwords: dict[str, str]
    settings: Settings
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, username: str) -> str:
        if username in self.tokens:
            return self.tokens[username]
        response = self.client.post("/auth/login", json={"username": username, "password": self.passwords[username]})
        assert response.status_code == 200, response.text
        self.tokens[username] = str(response.json()["access_token"])
        return self.tokens[username]

    def push(self, username: str, *ops: dict[str, Any]) -> list[dict[str, Any]]:
        response = self.client.post("/sync/push", json={"ops": list(ops)},
                                    headers={"Authorization": f"Bearer {self.token(username)}"})
        assert response.status_code == 200, response.text
        return list(response.json()["results"])

    def pull(self, username: str, since: int = 0) -> dict[str, Any]:
        response = self.client.get("/sync/pull", params={"since": since},
                                   headers={"Authorization": f"Bearer {self.token(username)}"})
        assert response.status_code == 200, response.text
        return dict(response.json())

    def pull_all(self, username: str, entity: str) -> list[dict[str, Any]]:
        """Every page, as the current app reads the feed: the data of each ``entity`` change."""
        found: list[dict[str, Any]] = []
        since, more = 0, True
        while more:
            page = self.client.get("/sync/pull", params={"since": since, "feed": FEED_VERSION},
                                   headers={"Authorization": f"Bearer {self.token(username)}"}).json()
            found += [c["data"] for c in page["changes"] if c["entity"] == entity]
            since, more = page["cursor"], page["more"]
        return found


USERS = [("asha", "paramedic", None), ("ravi", "paramedic", None), ("maria", "nurse", "Lourdes"),
         ("leela", "nurse", "Lourdes"), ("anu", "nurse", "Amrita"), ("rahul", "coordinator", None),
         ("joseph", "blood_bank", "Lourdes"), ("lakshmi", "blood_bank", "Amrita")]


@pytest.fixture
def server(db_url: str, tmp_path: Path) -> Iterator[Server]:
    # The coordinator signs in with a password alone here: the second factor has its own tests (test_mfa.py).
    settings = Settings(db_url=db_url, secret=os.urandom(32), hold_minutes=15, blob_dir=tmp_path / "blobs",
                        mfa_required_roles=frozenset(), audit_key=os.urandom(32),
                        audit_anchor_file=tmp_path / "audit-anchors.jsonl")
    app = create_app(settings)
    passwords = {name: secrets.token_urlsafe(10) for name, _, _ in USERS}
    with app.state.write_sessions.begin() as session:
        seed_network(session, NETWORK)
        for name, role, hospital in USERS:
            add_user(session, username=name, password=passwords[name], role=role, hospital_short_name=hospital)
    with TestClient(app) as client:
        yield Server(client, passwords, settings)
    app.state.engine.dispose()


DEVICE = new_id()
_seq = iter(range(1, 10**9))


def op(kind: str, entity_id: str, payload: dict[str, Any], base_version: int | None = None) -> dict[str, Any]:
    return {"op_id": new_id(), "device_id": DEVICE, "device_seq": next(_seq), "kind": kind,
            "entity_id": entity_id, "payload": payload, "base_version": base_version}


def transfer_request(transfer_id: str, hospital: str = LOURDES, unit: str = "ICU",
                     encounter_id: str | None = None) -> dict[str, Any]:
    return op("transfer.request", transfer_id, {"encounter_id": encounter_id or new_id(),
                                                "destination_hospital_id": hospital, "unit": unit,
                                                "severity": "Critical"})


def hold(booking_id: str, transfer_id: str, hospital: str = LOURDES, unit: str = "ICU") -> dict[str, Any]:
    return op("booking.hold", booking_id, {"transfer_id": transfer_id, "hospital_id": hospital, "unit": unit})
