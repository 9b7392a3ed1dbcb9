"""Statements on the DBAPI cursor (``fast_sql`` through ``rows``) store and read values exactly as
``Connection.execute`` does, and report a duplicate as SQLAlchemy's IntegrityError (the writer retries on it)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError

from emsync_desktop.domain.ids import new_id
from sync_server.app import create_app
from sync_server.config import Settings
from sync_server.db import lock_feed
from sync_server.rows import BEDS, TRANSFERS, get_row, insert_row, insert_rows, rows_with_ids, update_row, update_rows
from sync_server.seed import add_user, seed_network
from tests.sync_server.conftest import LOURDES, NETWORK


def transfer(requested_by: str) -> dict[str, object]:
    now = datetime(2026, 12, 1, 9, 30, 15, 123456, tzinfo=UTC)
    return {"id": new_id(), "encounter_id": new_id(), "requested_by": requested_by, "destination_hospital_id": LOURDES,
            "unit": "ICU", "state": "PENDING", "version": 1, "eta_s": 600, "severity": "Critical", "summary": "ok",
            "history": [{"state": "PENDING", "by": requested_by, "at": now.isoformat(), "reason": ""}],
            "created_at": now, "updated_at": now, "age_band": "40-64", "sex": "female", "complaint_group": "cardiac"}


@pytest.fixture
def app(db_url: str) -> Iterator[FastAPI]:
    app = create_app(Settings(db_url=db_url, secret=os.urandom(32)))
    with app.state.write_sessions.begin() as session:
        seed_network(session, NETWORK)
        add_user(session, username="asha", password="a long password", role="paramedic")
    yield app
    app.state.engine.dispose()


def test_row_written_on_cursor_reads_the_same_through_sqlalchemy(app: FastAPI) -> None:
    with app.state.write_sessions.begin() as session:
        conn = session.connection()
        user_id = conn.exec_driver_sql("SELECT id FROM users WHERE username = 'asha'").scalar_one()
        written = transfer(user_id)
        insert_row(conn, TRANSFERS, written)
        update_row(conn, TRANSFERS, str(written["id"]), {"version": 2})
        on_cursor = get_row(conn, TRANSFERS, str(written["id"]))
        query = select(TRANSFERS).where(TRANSFERS.c.id == written["id"])
        through_sqlalchemy = dict(conn.execute(query).mappings().one())
    assert on_cursor == through_sqlalchemy == {**written, "version": 2}


def test_duplicate_on_cursor_is_sqlalchemy_integrity_error(app: FastAPI) -> None:
    with pytest.raises(IntegrityError), app.state.write_sessions.begin() as session:
        conn = session.connection()
        bed = dict(conn.execute(select(BEDS).limit(1)).mappings().one())
        insert_row(conn, BEDS, bed)


def test_rows_written_together_read_back_by_id_in_one_statement_for_any_number_of_ids(app: FastAPI) -> None:
    with app.state.write_sessions.begin() as session:
        conn = session.connection()
        user_id = conn.exec_driver_sql("SELECT id FROM users WHERE username = 'asha'").scalar_one()
        written = [transfer(user_id) for _ in range(3)]
        insert_rows(conn, TRANSFERS, written)
        update_rows(conn, TRANSFERS, [{"id": w["id"], "version": 2} for w in written[:2]])
        wanted = [str(written[0]["id"]), str(written[2]["id"]), *(new_id() for _ in range(150))]
        found = sorted(rows_with_ids(conn, TRANSFERS, wanted), key=lambda r: wanted.index(r["id"]))
    assert found == [{**written[0], "version": 2}, written[2]]


def test_the_feed_lock_is_asked_for_once_per_transaction(app: FastAPI) -> None:
    statements: list[str] = []
    engine = app.state.engine
    listen = event.listens_for(engine, "before_cursor_execute")
    listen(lambda _c, _cur, sql, *_a: statements.append(sql) if "advisory" in sql else None)
    for _transaction in range(2):
        with app.state.write_sessions.begin() as session:
            lock_feed(session.connection())
            lock_feed(session.connection())
    assert len(statements) == (0 if engine.dialect.name == "sqlite" else 2)
