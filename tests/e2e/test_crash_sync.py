"""Kills at the worst moments: nothing lost, nothing applied twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import requests

from emsync_desktop.domain.roles import Role
from emsync_desktop.sync.http import ServerUnreachable
from tests.e2e.clients import Client, make_client
from tests.e2e.conftest import StartServer
from tests.e2e.server_process import ServerProcess, free_port
from tests.e2e.test_offline_sync import outbox_states

ROOT = Path(__file__).parents[2]


def queue_offline(data_dir: Path, transfers: int) -> None:
    client = make_client(data_dir, Role.PARAMEDIC, f"http://127.0.0.1:{free_port()}", "asha", "-")
    try:
        for i in range(transfers):
            client.open_case_and_send(f"Patient {i}", unit="WARD")
    finally:
        client.close()


def assert_all_answered(client: object, total: int) -> None:
    """Every op answered: applied, or a bed hold refused for want of beds (Lourdes fills up)."""
    from sqlalchemy import select

    from emsync_desktop.store.models import OutboxOp

    with client.context.store.sessions.begin() as session:  # type: ignore[attr-defined]
        rows = session.scalars(select(OutboxOp)).all()
    assert len(rows) == total
    refused = [r for r in rows if r.state != "applied"]
    assert all(r.state == "rejected" and r.kind == "booking.hold" and r.reason == "No WARD bed left at Lourdes."
               for r in refused)


def server_counts(server: ServerProcess) -> dict[str, int]:
    token = server.login("rahul")
    counts: dict[str, int] = {}
    ids: dict[str, set[str]] = {}
    cursor, more = 0, True
    while more:
        page = requests.get(f"{server.url}/sync/pull", params={"since": cursor, "limit": 1000},
                            headers={"Authorization": f"Bearer {token}"}, timeout=30).json()
        for change in page["changes"]:
            if change["entity"] in ("transfer", "handoff"):
                counts[change["entity"]] = counts.get(change["entity"], 0) + 1
                ids.setdefault(change["entity"], set()).add(change["entity_id"])
        cursor, more = page["cursor"], page["more"]
    assert all(len(ids[k]) == counts[k] for k in counts), "an op was applied twice"
    return counts


@pytest.mark.slow
def test_client_killed_after_server_applied_batch_repushes_without_duplicates(
        tmp_path: Path, server: ServerProcess) -> None:
    data_dir = tmp_path / "ambulance"
    queue_offline(data_dir, 20)
    password = server.credentials()["asha"]
    child = subprocess.Popen([sys.executable, str(Path(__file__).with_name("push_child.py")), str(data_dir),
                              server.url, "asha", password], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.strip() == "PUSHED", child.stderr.read() if child.stderr else line
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    client = make_client(data_dir, Role.PARAMEDIC, server.url, "asha", password)
    try:
        assert outbox_states(client) == ["pending"] * 60  # the answers never reached the disk
        assert client.engine.run_once() is True
        assert_all_answered(client, 60)
    finally:
        client.close()
    assert server_counts(server) == {"transfer": 20, "handoff": 20}


@pytest.mark.slow
@pytest.mark.parametrize("moment", ["as_sent", "applied_unanswered"])
def test_server_killed_mid_batch_then_restarted_applies_everything_once(
        tmp_path: Path, start_server: StartServer, monkeypatch: pytest.MonkeyPatch, moment: str) -> None:
    data_dir = tmp_path / "ambulance"
    queue_offline(data_dir, 150)  # 450 ops: three pushes
    with start_server() as server:
        password = server.credentials()["asha"]
        client = make_client(data_dir, Role.PARAMEDIC, server.url, "asha", password)
        _kill_server_during_second_push(client, server, monkeypatch, moment)
        outcome: list[bool] = []
        pusher = threading.Thread(target=lambda: outcome.append(client.engine.run_once()))
        pusher.start()
        pusher.join(timeout=60)
    states = outbox_states(client)
    assert outcome == [False] and "pending" in states and "applied" in states
    try:
        with start_server() as server:
            assert client.engine.run_once() is True
            assert_all_answered(client, 450)
            counts = server_counts(server)
    finally:
        client.close()
    assert counts == {"transfer": 150, "handoff": 150}


def _kill_server_during_second_push(client: Client, server: ServerProcess, monkeypatch: pytest.MonkeyPatch,
                                    moment: str) -> None:
    """SIGKILL the server during the client's second push, the first one answered. ``as_sent``: as the
    push goes out (received or not, applied or not); ``applied_unanswered``: once the server has applied
    and answered it, before the client reads the answer (the restart must answer it again, from what it
    stored). Watching the outbox for the first answer and killing then was a race a fast machine lost:
    it answered all three pushes first."""
    push = client.engine._push
    pushes: list[int] = []

    def push_as_the_server_dies(token: str, ops: list[Any], **more: Any) -> Any:
        pushes.append(len(ops))
        if len(pushes) != 2:
            return push(token, ops=ops, **more)
        if moment == "as_sent":
            threading.Thread(target=server.process.send_signal, args=(signal.SIGKILL,)).start()
            return push(token, ops=ops, **more)
        push(token, ops=ops, **more)
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=30)
        raise ServerUnreachable("the server died before its answer arrived")

    monkeypatch.setattr(client.engine, "_push", push_as_the_server_dies)
