"""emsync-server migrate, backup and restore, tried on SQLite (while the server writes) and PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from sync_server.__main__ import main
from sync_server.app import create_app
from sync_server.config import SECRET_FILE, Settings, load_secret
from sync_server.db import make_engine
from sync_server.seed import add_user


def _server_on(db_url: str, data_dir: Path) -> Settings:
    data_dir.mkdir(parents=True, exist_ok=True)
    return Settings(db_url=db_url, secret=load_secret(data_dir), hold_minutes=15, blob_dir=data_dir / "blobs",
                    mfa_required_roles=frozenset(), audit_key=os.urandom(32),
                    audit_anchor_file=data_dir / "audit-anchors.jsonl")


def _users(db_url: str) -> list[str]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return sorted(conn.execute(text("SELECT username FROM users WHERE username <> 'system'")).scalars())
    finally:
        engine.dispose()


def test_migrate_brings_a_new_database_to_the_newest_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate", "--data-dir", str(tmp_path / "new")]) == 0  # the data dir is made, as the server does
    tmp_path = tmp_path / "new"
    revision = capsys.readouterr().out.split("revision ")[1].rstrip(".\n")
    app = create_app(_server_on(f"sqlite:///{tmp_path / 'server.db'}", tmp_path))
    with TestClient(app) as client:
        health = client.get("/health").json()
    app.state.engine.dispose()
    assert health["status"] == "ok" and health["schema"] == revision


def test_sqlite_backup_while_the_server_runs_restores_into_a_new_data_dir(tmp_path: Path) -> None:
    live = tmp_path / "live"
    url = f"sqlite:///{live / 'server.db'}"
    app = create_app(_server_on(url, live))
    with app.state.write_sessions.begin() as session:
        add_user(session, username="asha", password="a long enough password", role="paramedic")
    assert main(["backup", "--data-dir", str(live), "--to", str(tmp_path / "backup")]) == 0  # server still open
    app.state.engine.dispose()
    restored = tmp_path / "restored"
    assert main(["restore", "--data-dir", str(restored), "--from", str(tmp_path / "backup")]) == 0
    assert _users(f"sqlite:///{restored / 'server.db'}") == ["asha"]
    assert (restored / SECRET_FILE).read_bytes() == (live / SECRET_FILE).read_bytes()  # tokens stay valid


def test_restore_never_overwrites_a_server(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    create_app(_server_on(f"sqlite:///{tmp_path / 'live' / 'server.db'}", tmp_path / "live")).state.engine.dispose()
    assert main(["backup", "--data-dir", str(tmp_path / "live"), "--to", str(tmp_path / "backup")]) == 0
    assert main(["restore", "--data-dir", str(tmp_path / "live"), "--from", str(tmp_path / "backup")]) == 1
    assert "restore into an empty data directory" in capsys.readouterr().err


def test_migrate_says_when_the_database_cannot_be_reached(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate", "--db", "postgresql://nobody@127.0.0.1:1/none?connect_timeout=1"]) == 1
    assert "Cannot reach the database" in capsys.readouterr().err


def test_backup_of_something_else_says_what_is_wrong(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes").mkdir()
    assert main(["restore", "--data-dir", str(tmp_path / "new"), "--from", str(tmp_path / "notes")]) == 1
    assert "is not an EMsync server backup" in capsys.readouterr().err


@pytest.fixture
def two_pg_databases(pg_url: str) -> Iterator[tuple[str, str]]:
    names = [f"emsync_{kind}_{uuid.uuid4().hex[:10]}" for kind in ("live", "restored")]
    with psycopg.connect(pg_url, autocommit=True) as conn:
        for name in names:
            conn.execute(f'CREATE DATABASE "{name}"')
    base = pg_url.rsplit("/", 1)[0]
    try:
        yield f"{base}/{names[0]}", f"{base}/{names[1]}"
    finally:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_postgresql_backup_with_pg_dump_restores_into_an_empty_database(
        tmp_path: Path, two_pg_databases: tuple[str, str]) -> None:
    live_url, restored_url = two_pg_databases
    app = create_app(_server_on(live_url, tmp_path / "live"))
    with app.state.write_sessions.begin() as session:
        add_user(session, username="maria", password="a long enough password", role="nurse")
    assert main(["backup", "--data-dir", str(tmp_path / "live"), "--db", live_url, "--to", str(tmp_path / "b")]) == 0
    app.state.engine.dispose()
    assert main(["restore", "--data-dir", str(tmp_path / "new"), "--db", restored_url, "--from",
                 str(tmp_path / "b")]) == 0
    assert _users(restored_url) == ["maria"]
    assert main(["restore", "--data-dir", str(tmp_path / "other"), "--db", restored_url, "--from",
                 str(tmp_path / "b")]) == 1  # no longer empty: refused
