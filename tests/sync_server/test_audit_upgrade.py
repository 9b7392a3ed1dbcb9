"""A chain written before keying (plain SHA-256) is keyed once, from a verified state, with a recorded
marker; from then on its old events are covered by the key too (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import delete, insert, select

from sync_server.app import create_app, migrate
from sync_server.audit import AUDIT, GENESIS, KEY_MARKER, legacy_digest
from sync_server.audit_verify import ChainCheck
from sync_server.config import Settings
from sync_server.db import make_engine
from sync_server.models import AuditEvent

OLD_EVENTS = 3


def write_old_chain(db_url: str, *, wrong_hash_at: int | None = None) -> None:
    """Events as the server wrote them before keying (the published formula)."""
    engine = make_engine(db_url)
    migrate(engine)
    prev = GENESIS
    with engine.begin() as conn:
        for i in range(1, OLD_EVENTS + 1):
            at = datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=i)
            row = {"at": at, "user_id": "user", "action": "transfer.request:applied", "record_id": f"r{i}",
                   "detail": ""}
            digest = legacy_digest(prev, **row)  # type: ignore[arg-type]
            conn.execute(insert(AUDIT).values(id=i, prev_hash=prev, hash="f" * 64 if i == wrong_hash_at else digest,
                                              **row))
            prev = digest
    engine.dispose()


def start(db_url: str, tmp_path: Path) -> FastAPI:
    app = create_app(Settings(db_url=db_url, secret=os.urandom(32), audit_key=b"k" * 32,
                              audit_anchor_file=tmp_path / "audit-anchors.jsonl"))
    app.state.engine.dispose()
    return app


def events(app: FastAPI) -> list[AuditEvent]:
    with app.state.sessions() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def test_old_chain_is_keyed_from_a_verified_state(db_url: str, tmp_path: Path) -> None:
    write_old_chain(db_url)
    app = start(db_url, tmp_path)
    marker = events(app)[OLD_EVENTS]
    assert marker.action == KEY_MARKER and json.loads(marker.detail)["legacy_events"] == OLD_EVENTS
    assert app.state.audit.verify().ok


def test_old_event_rewritten_with_the_published_formula_after_keying_is_caught(db_url: str, tmp_path: Path) -> None:
    write_old_chain(db_url)
    app = start(db_url, tmp_path)
    with app.state.write_sessions.begin() as session:
        prev = GENESIS
        for row in session.scalars(select(AuditEvent).where(AuditEvent.id <= OLD_EVENTS).order_by(AuditEvent.id)):
            row.detail = "edited" if row.id == 2 else row.detail
            row.prev_hash, row.hash = prev, legacy_digest(prev, row.at, row.user_id, row.action, row.record_id,
                                                          row.detail)
            prev = row.hash
    check: ChainCheck = app.state.audit.verify()
    assert not check.ok and check.first_broken_id == OLD_EVENTS + 1 and "does not follow" in check.reason


def test_old_chain_that_does_not_verify_is_left_unkeyed_and_reported(db_url: str, tmp_path: Path,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    write_old_chain(db_url, wrong_hash_at=2)
    with caplog.at_level(logging.ERROR, logger="sync_server.audit"):
        app = start(db_url, tmp_path)
    assert [e.action for e in events(app)].count(KEY_MARKER) == 0
    assert app.state.audit.last_check.first_broken_id == 2 and "AUDIT CHAIN BROKEN" in caplog.text


def test_chain_is_keyed_once(db_url: str, tmp_path: Path) -> None:
    write_old_chain(db_url)
    start(db_url, tmp_path)
    app = start(db_url, tmp_path)
    assert [e.action for e in events(app)].count(KEY_MARKER) == 1 and app.state.audit.last_check.ok


def test_marker_gone_with_anchors_on_file_is_not_keyed_again(db_url: str, tmp_path: Path) -> None:
    write_old_chain(db_url)
    app = start(db_url, tmp_path)  # keyed, and its head anchored in the file
    with app.state.write_sessions.begin() as session:
        session.execute(delete(AuditEvent).where(AuditEvent.id > OLD_EVENTS))  # the marker and all after it
    again = start(db_url, tmp_path)
    assert [e.action for e in events(again)].count(KEY_MARKER) == 0 and not again.state.audit.last_check.ok
