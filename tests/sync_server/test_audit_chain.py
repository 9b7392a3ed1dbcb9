"""The audit chain is keyed and anchored: truncation, a rewrite with the published formula, a rewrite by
whoever holds the key, and a wrong key are all caught (SQLite and PostgreSQL)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select

from emsync_desktop.domain.ids import new_id
from emsync_desktop.sync.protocol import AuditAnchor
from sync_server.app import create_app
from sync_server.audit import GENESIS, KEY_MARKER, keyed_digest, legacy_digest
from sync_server.audit_anchors import AnchorBook
from sync_server.audit_keeper import AuditChainBroken, AuditKeeper
from sync_server.audit_verify import ChainCheck
from sync_server.config import Settings
from sync_server.models import AuditEvent
from sync_server.seed import add_user
from tests.sync_server.conftest import Server, transfer_request

HashOf = Callable[[AuditEvent, str], str]


def keeper(server: Server) -> AuditKeeper:
    return server.client.app.state.audit  # type: ignore[attr-defined,no-any-return]


def event_ids(server: Server) -> list[int]:
    with server.client.app.state.sessions() as session:  # type: ignore[attr-defined]
        return list(session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))


def push_events(server: Server, n: int) -> list[int]:
    for _ in range(n):
        server.push("asha", transfer_request(new_id()))
    return event_ids(server)[-n:]


def delete_events_from(server: Server, first_id: int) -> None:
    with server.client.app.state.write_sessions.begin() as session:  # type: ignore[attr-defined]
        session.execute(delete(AuditEvent).where(AuditEvent.id >= first_id))


def rewrite_from(server: Server, event_id: int, hash_of: HashOf) -> None:
    """Edit one event and recompute every hash from it on, as an attacker would with ``hash_of``."""
    with server.client.app.state.write_sessions.begin() as session:  # type: ignore[attr-defined]
        prev = GENESIS
        for row in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
            if row.id == event_id:
                row.detail = "nothing happened here"
            if row.id >= event_id:
                row.prev_hash, row.hash = prev, hash_of(row, prev)
            prev = row.hash


def published_formula(row: AuditEvent, prev: str) -> str:
    return legacy_digest(prev, row.at, row.user_id, row.action, row.record_id, row.detail)


def with_key(key: bytes) -> HashOf:
    return lambda row, prev: keyed_digest(key, row.id, prev, row.at, row.user_id, row.action, row.record_id,
                                          row.detail)


def test_untouched_chain_verifies_up_to_its_head(server: Server) -> None:
    ids = push_events(server, 3)
    check = keeper(server).verify()
    assert check.ok and check.verified_up_to == ids[-1] and check.keyed


def test_deleting_the_newest_events_is_caught_by_an_anchor(server: Server) -> None:
    ids = push_events(server, 3)
    assert keeper(server).anchor_if_due(datetime.now(UTC), force=True) is not None
    delete_events_from(server, ids[1])
    check = keeper(server).verify()
    assert not check.ok and check.first_broken_id == ids[1]
    assert "newest events were deleted" in check.reason and check.verified_up_to == ids[0]


def test_edit_with_hashes_recomputed_by_the_published_formula_is_caught(server: Server) -> None:
    ids = push_events(server, 3)
    rewrite_from(server, ids[1], published_formula)
    check = keeper(server).verify()
    assert not check.ok and check.first_broken_id == ids[1] and "changed or forged" in check.reason


def test_rewrite_by_a_key_holder_is_caught_by_an_anchor_signed_before(server: Server) -> None:
    ids = push_events(server, 3)
    keeper(server).anchor_if_due(datetime.now(UTC), force=True)
    rewrite_from(server, ids[1], with_key(server.settings.chain_key()))
    check = keeper(server).verify()
    assert not check.ok and check.first_broken_id == ids[-1] and "rewritten" in check.reason


def test_changed_key_is_named_at_start_up(server: Server, caplog: pytest.LogCaptureFixture) -> None:
    push_events(server, 1)
    with caplog.at_level(logging.ERROR, logger="sync_server.audit"):
        app = create_app(Settings(**{**vars(server.settings), "audit_key": os.urandom(32)}))
    app.state.engine.dispose()
    check: ChainCheck = app.state.audit.last_check
    assert not check.ok and "audit key in use" in check.reason and "EMSYNC_AUDIT_KEY" in check.reason
    assert "AUDIT CHAIN BROKEN" in caplog.text


def test_server_told_to_require_a_valid_chain_refuses_to_start(server: Server) -> None:
    settings = Settings(**{**vars(server.settings), "audit_key": os.urandom(32), "require_valid_audit": True})
    with pytest.raises(AuditChainBroken, match="audit key"):
        create_app(settings)


def test_truncation_is_caught_at_start_up_from_the_anchor_file(server: Server,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    ids = push_events(server, 2)
    keeper(server).anchor_if_due(datetime.now(UTC), force=True)
    delete_events_from(server, ids[0])
    with caplog.at_level(logging.ERROR, logger="sync_server.audit"):
        app = create_app(server.settings)
    app.state.engine.dispose()
    assert app.state.audit.last_check.first_broken_id == ids[0]
    assert "newest events were deleted" in caplog.text


def test_anchors_are_written_outside_the_database_and_signed(server: Server) -> None:
    push_events(server, 1)
    anchor = keeper(server).anchor_if_due(datetime.now(UTC), force=True)
    on_file = AnchorBook(server.settings.audit_anchor_file).all()
    assert anchor is not None and on_file[-1] == anchor and anchor.seq == event_ids(server)[-1]
    assert oct(os.stat(server.settings.audit_anchor_file or "").st_mode & 0o777) == "0o600"


def test_forged_anchor_is_reported(server: Server) -> None:
    ids = push_events(server, 1)
    mac = keeper(server).verify().head
    forged = AuditAnchor(seq=ids[0], mac=mac, at=datetime.now(UTC), sig="0" * 64)
    check = keeper(server).verify([forged])
    assert not check.ok and "not signed with this server's audit key" in check.reason


def test_anchoring_waits_for_enough_events_or_time(server: Server) -> None:
    audit = keeper(server)
    audit.every_events, now = 2, datetime.now(UTC)
    audit.anchor_if_due(now, force=True)
    push_events(server, 1)
    assert audit.anchor_if_due(now) is None
    assert audit.anchor_if_due(now + audit.every + timedelta(seconds=1)) is not None
    push_events(server, 2)
    assert audit.anchor_if_due(now) is not None


def test_head_that_does_not_follow_the_last_anchor_is_never_signed(server: Server,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    ids = push_events(server, 2)
    keeper(server).anchor_if_due(datetime.now(UTC), force=True)
    rewrite_from(server, ids[0], with_key(server.settings.chain_key()))
    push_events(server, 1)
    with caplog.at_level(logging.ERROR, logger="sync_server.audit"):
        assert keeper(server).anchor_if_due(datetime.now(UTC), force=True) is None
    assert "not anchored" in caplog.text


@pytest.fixture
def admin(server: Server) -> str:
    server.passwords["ada"] = "admin password 1"
    with server.client.app.state.write_sessions.begin() as session:  # type: ignore[attr-defined]
        add_user(session, username="ada", password=server.passwords["ada"], role="admin")
    return "ada"


def call(server: Server, method: str, path: str, username: str, body: dict[str, Any] | None = None) -> Any:
    return server.client.request(method, path, json=body, headers={"Authorization": f"Bearer {server.token(username)}"})


def test_only_coordinators_and_admins_read_anchors_and_only_admins_verify(server: Server, admin: str) -> None:
    assert call(server, "GET", "/audit/anchors", "maria").status_code == 403
    assert call(server, "GET", "/audit/anchors", "rahul").status_code == 200
    assert call(server, "POST", "/audit/verify", "rahul", {"anchors": []}).status_code == 403
    answer = call(server, "POST", "/audit/verify", admin, {"anchors": []})
    assert answer.status_code == 200 and answer.json()["ok"] is True


def test_anchors_a_desk_holds_catch_a_rewritten_server(server: Server, admin: str, tmp_path: Path) -> None:
    ids = push_events(server, 2)
    keeper(server).anchor_if_due(datetime.now(UTC), force=True)
    held = call(server, "GET", "/audit/anchors", "rahul").json()["anchors"]
    rewrite_from(server, ids[0], with_key(server.settings.chain_key()))  # key and database in hostile hands,
    keeper(server).book = AnchorBook(tmp_path / "wiped.jsonl")  # and the server's anchor file wiped
    assert call(server, "POST", "/audit/verify", admin, {"anchors": []}).json()["ok"] is True
    answer = call(server, "POST", "/audit/verify", admin, {"anchors": held}).json()
    assert answer["ok"] is False and answer["first_broken_id"] == ids[-1] and "rewritten" in answer["reason"]


def test_key_marker_starts_every_new_chain(server: Server) -> None:
    with server.client.app.state.sessions() as session:  # type: ignore[attr-defined]
        first = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).first()
    assert first is not None and first.action == KEY_MARKER and first.prev_hash == GENESIS
