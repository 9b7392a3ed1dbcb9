"""A coordinator desk keeps the server's signed audit heads; when someone holding the database and the
audit key rewrites the chain, recomputes every hash and wipes the server's anchor file, the server alone
finds nothing wrong, but the anchors the desk holds catch it (real server process, SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from emsync_desktop.services.audit_check import AuditCheck, check_audit_chain, held_for_check
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.runner import DbRunner
from emsync_desktop.sync.audit_anchors import anchor_warning, held_anchors
from emsync_desktop.sync.engine import SyncEngine
from emsync_desktop.sync.http import SyncHttp
from sync_server.audit import GENESIS, keyed_digest
from sync_server.config import AUDIT_ANCHOR_FILE, AUDIT_KEY_FILE
from sync_server.db import make_engine
from sync_server.models import AuditEvent
from tests.e2e.server_process import ServerProcess, running_server
from tests.sync_server.conftest import transfer_request

PUSHES = 3
HEAD = PUSHES + 1  # the key marker, then one event per op
WAIT_S = 60  # a bound for a hung test, not a performance limit


@pytest.fixture
def runner() -> Iterator[DbRunner]:
    runner = DbRunner()
    yield runner
    runner.shutdown()


def server_at(tmp_path: Path, db_url: str | None, port: list[int]) -> AbstractContextManager[ServerProcess]:
    """The server, signing its audit head a few times a second (so the test need not wait minutes)."""
    data_dir = tmp_path / "server"
    data_dir.mkdir(exist_ok=True)
    return running_server(data_dir, db_url, "--audit-anchor-minutes", "0.005", port=port)


def push_transfers(server: ServerProcess) -> None:
    token = server.login("asha")
    for _ in range(PUSHES):
        answer = requests.post(f"{server.url}/sync/push", json={"ops": [transfer_request(str(uuid.uuid4()))]},
                               headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert answer.json()["results"][0]["status"] == "applied"


def wait_for_anchor(server: ServerProcess, seq: int) -> None:
    token, pause = server.login("rahul"), threading.Event()
    for _ in range(WAIT_S * 10):
        anchors = requests.get(f"{server.url}/audit/anchors", headers={"Authorization": f"Bearer {token}"},
                               timeout=30).json()["anchors"]
        if anchors and anchors[-1]["seq"] >= seq:
            return
        pause.wait(0.1)
    raise AssertionError(f"the server never anchored #{seq}")


def coordinator_desk(app_context: AppContext, runner: DbRunner, server: ServerProcess) -> SyncEngine:
    return SyncEngine(app_context.store, SyncHttp(server.url), app_context.install.device_id,
                      ("rahul", server.credentials()["rahul"]), db_submit=runner.submit, keep_audit_anchors=True)


def rewrite_with_the_key(data_dir: Path, db_url: str | None) -> None:
    """Edit the first op's event and recompute every hash after it with the stolen key; wipe the anchor file."""
    key = bytes.fromhex((data_dir / AUDIT_KEY_FILE).read_text().strip())
    engine = make_engine(db_url or f"sqlite:///{data_dir / 'server.db'}")
    with engine.begin() as conn:
        prev = GENESIS
        for row in conn.execute(select(AuditEvent.__table__).order_by(AuditEvent.id)).all():
            detail = "nothing happened here" if row.id == 2 else row.detail
            digest = keyed_digest(key, row.id, prev, row.at, row.user_id, row.action, row.record_id, detail)
            conn.execute(AuditEvent.__table__.update().where(AuditEvent.id == row.id)
                         .values(detail=detail, prev_hash=prev, hash=digest))
            prev = digest
    engine.dispose()
    (data_dir / AUDIT_ANCHOR_FILE).unlink()


def admin_check(server: ServerProcess, app_context: AppContext, *, send_held: bool) -> AuditCheck:
    held, warning = held_for_check(app_context.store)
    http = SyncHttp(server.url)
    token = server.login("deepa")
    return check_audit_chain(lambda anchors: http.verify_audit(token, anchors), held if send_held else [], warning)


@pytest.mark.slow
def test_anchors_a_coordinator_desk_holds_catch_a_rewritten_server(tmp_path: Path, server_db_url: str | None,
                                                                    app_context: AppContext,
                                                                    runner: DbRunner) -> None:
    port: list[int] = []
    with server_at(tmp_path, server_db_url, port) as server:
        push_transfers(server)
        wait_for_anchor(server, HEAD)
        assert coordinator_desk(app_context, runner, server).run_once()
    assert held_anchors(app_context.store)[-1].seq == HEAD
    rewrite_with_the_key(tmp_path / "server", server_db_url)
    with server_at(tmp_path, server_db_url, port) as server:
        alone = admin_check(server, app_context, send_held=False)
        with_desk = admin_check(server, app_context, send_held=True)
        assert coordinator_desk(app_context, runner, server).run_once()
    assert alone.verification.ok
    assert not with_desk.ok and 2 <= (with_desk.verification.first_broken_id or 0) <= HEAD  # the first anchor after #2
    assert "rewritten" in with_desk.verification.reason
    assert "rewritten" in (anchor_warning(app_context.store) or "")
