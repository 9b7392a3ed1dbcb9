"""Two server processes on one PostgreSQL database; the device's server is SIGKILLed in the middle of a
push of ~2,000 ops: the device fails over to the other and finishes, every op applied exactly once, the
change feed without a gap, nothing left on the device (issue 23).

PostgreSQL only: a SQLite file is one process's database (DESIGN.md section 8), so it has no second
process to fail over to.
"""

from __future__ import annotations

import secrets
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import psycopg
import pytest

from emsync_desktop.domain.roles import Role
from tests.e2e.clients import Client, make_client
from tests.e2e.server_process import ServerProcess, running_server
from tests.e2e.test_crash_sync import assert_all_answered, queue_offline, server_counts

TRANSFERS = 667  # three ops each: 2,001 ops, eleven pushes of at most 200
PG_ONLY = pytest.mark.parametrize("server_db_url", ["postgresql"], indirect=True)


@pytest.fixture
def cluster(tmp_path: Path, server_db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[ServerProcess]]:
    """Processes A and B: their own data dirs, one database, and the keys every process of a cluster
    must share (the token secret and the audit key: README, "Several server processes")."""
    monkeypatch.setenv("EMSYNC_SERVER_SECRET", secrets.token_hex(32))
    monkeypatch.setenv("EMSYNC_AUDIT_KEY", secrets.token_hex(32))
    with ExitStack() as stack:
        started: list[ServerProcess] = []
        for name in ("a", "b"):  # one after the other: A migrates and seeds, B finds it done
            (tmp_path / name).mkdir()
            started.append(stack.enter_context(running_server(tmp_path / name, server_db_url)))
        shutil.copy(started[0].data_dir / "DEMO-CREDENTIALS.txt", started[1].data_dir)  # A seeded the accounts
        yield started


def kill_during_push(client: Client, server: ServerProcess, monkeypatch: pytest.MonkeyPatch,
                     answered: list[str]) -> None:
    """SIGKILL ``server`` as the third push goes out (two pushes answered and stored); ``answered``: the
    address that answered each push."""
    push, pushes = client.engine._push, [0]

    def push_as_the_server_dies(token: str, ops: list[Any], **more: Any) -> Any:
        pushes[0] += 1
        if pushes[0] == 3:
            threading.Thread(target=server.process.send_signal, args=(signal.SIGKILL,)).start()
        response = push(token, ops=ops, **more)
        answered.append(client.engine._http.servers.current)
        return response

    monkeypatch.setattr(client.engine, "_push", push_as_the_server_dies)


def count_sign_ins(client: Client, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The engine's sign-ins and token renewals, as they happen."""
    calls: list[str] = []
    http = client.engine._http
    login, refresh = http.login, http.refresh
    monkeypatch.setattr(http, "login", lambda *a: calls.append("login") or login(*a))
    monkeypatch.setattr(http, "refresh", lambda *a: calls.append("refresh") or refresh(*a))
    return calls


def database_counts(db_url: str, device_id: str) -> tuple[int, int, list[int]]:
    """(ops of the device recorded as answered, distinct op ids among them, every feed seq in order)."""
    with psycopg.connect(db_url) as conn:
        total, distinct = conn.execute("SELECT count(*), count(DISTINCT op_id) FROM applied_ops "
                                       "WHERE device_id = %s", (device_id,)).fetchone() or (0, 0)
        seqs = [row[0] for row in conn.execute("SELECT seq FROM changes ORDER BY seq")]
    return total, distinct, seqs


@pytest.mark.slow
@PG_ONLY
def test_server_killed_mid_push_device_fails_over_and_every_op_lands_once(
        tmp_path: Path, cluster: list[ServerProcess], server_db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = cluster
    queue_offline(tmp_path / "ambulance", TRANSFERS)
    client = make_client(tmp_path / "ambulance", Role.PARAMEDIC, f"{a.url},{b.url}", "asha",
                         a.credentials()["asha"], live=True)
    answered: list[str] = []
    sign_ins = count_sign_ins(client, monkeypatch)
    try:
        kill_during_push(client, a, monkeypatch, answered)
        start = time.perf_counter()
        synced = client.engine.run_once()
        elapsed_s = time.perf_counter() - start
        assert synced and a.process.wait(timeout=10) == -signal.SIGKILL
        assert_all_answered(client, 3 * TRANSFERS)  # the device's outbox: nothing pending, nothing lost
        device_id = client.context.install.device_id
    finally:
        client.close()
    assert server_counts(b) == {"transfer": TRANSFERS, "handoff": TRANSFERS}  # none twice in the feed
    assert sign_ins == ["login"]  # A's session went on at B: the cluster shares the token secret
    total, distinct, seqs = database_counts(server_db_url, device_id)
    print(f"\nfailover: {total} ops in {elapsed_s:.2f} s; pushes answered by {answered}")
    assert answered[:2] == [a.url, a.url] and answered[-1] == b.url
    assert total == distinct == 3 * TRANSFERS  # every op applied once, and only once
    assert seqs == list(range(1, len(seqs) + 1))  # the change feed has no gap
