"""Accounts across processes (real server processes, SQLite and PostgreSQL): the --disable-user command
refuses a signed-in device at once and closes its live connection; sign-out from a device revokes its
session; failed sign-ins counted by one server process throttle the other."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests

from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.runner import DbRunner
from emsync_desktop.sync.engine import SyncEngine
from emsync_desktop.sync.http import AccountDisabled, AuthRejected, SyncHttp
from emsync_desktop.sync.live import LiveChannel
from tests.e2e.server_process import ServerProcess, child_env, running_server

ROOT = Path(__file__).parents[2]
SLOW_THROTTLE = ("--login-delay-s", "600", "--login-max-delay-s", "600")  # blocked at once, and for long


def server_command(data_dir: Path, db_url: str | None, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "sync_server", "--data-dir", str(data_dir),
               *(["--db", db_url] if db_url else []), *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=60, env=child_env())


def live_channel(url: str, token: str, closed: threading.Event) -> LiveChannel:
    channel = LiveChannel(url, lambda: token, lambda cursor: closed.set() if cursor < 0 else None)
    channel.start()
    assert channel.connected.wait(30)
    return channel


@pytest.mark.slow
def test_disable_user_command_refuses_a_signed_in_device_at_once(server: ServerProcess,
                                                                 server_db_url: str | None) -> None:
    http = SyncHttp(server.url)
    tokens = http.login("asha", server.credentials()["asha"])
    closed = threading.Event()
    channel = live_channel(server.url, tokens.access_token, closed)
    try:
        done = server_command(server.data_dir, server_db_url, "--disable-user", "asha")
        assert done.returncode == 0 and "disabled" in done.stdout
        with pytest.raises(AccountDisabled, match="ask your administrator"):
            http.pull(tokens.access_token, since=0)
        with pytest.raises(AccountDisabled):
            http.refresh(tokens.refresh_token)
        with pytest.raises(AccountDisabled):
            http.login("asha", server.credentials()["asha"])
        assert closed.wait(30)  # the live connection was closed with code 4403
    finally:
        channel.stop()
        http.close()


@pytest.mark.slow
def test_enable_user_command_lets_the_account_sign_in_again(server: ServerProcess,
                                                            server_db_url: str | None) -> None:
    server_command(server.data_dir, server_db_url, "--disable-user", "maria")
    assert server_command(server.data_dir, server_db_url, "--enable-user", "maria").returncode == 0
    assert SyncHttp(server.url).login("maria", server.credentials()["maria"]).access_token


@pytest.mark.slow
def test_sign_out_on_a_device_revokes_its_session_on_the_server(server: ServerProcess,
                                                                app_context: AppContext) -> None:
    http, runner = SyncHttp(server.url), DbRunner()
    tokens = http.login("asha", server.credentials()["asha"])
    engine = SyncEngine(app_context.store, SyncHttp(server.url), app_context.install.device_id,
                        ("asha", server.credentials()["asha"]), db_submit=runner.submit, tokens=tokens)
    try:
        assert engine.run_once()
        revoking = engine.sign_out()
        assert revoking is not None
        revoking.join()
        with pytest.raises(AuthRejected, match="signed out"):
            http.refresh(tokens.refresh_token)
    finally:
        runner.shutdown()
        http.close()


@pytest.mark.slow
def test_failed_sign_ins_on_one_server_process_throttle_another(tmp_path: Path, server_db_url: str | None) -> None:
    data_dir = tmp_path / "server"
    data_dir.mkdir()
    with running_server(data_dir, server_db_url, *SLOW_THROTTLE) as first, \
            running_server(data_dir, server_db_url, *SLOW_THROTTLE) as second:
        wrong = [requests.post(f"{first.url}/auth/login", json={"username": "asha", "password": "guess"},
                               timeout=30).status_code for _ in range(6)]
        right = requests.post(f"{second.url}/auth/login", timeout=30,
                              json={"username": "asha", "password": first.credentials()["asha"]})
    assert wrong == [401] * 6
    assert right.status_code == 429 and int(right.headers["Retry-After"]) > 60


def test_disable_user_command_names_an_unknown_account(tmp_path: Path) -> None:
    done = server_command(tmp_path / "server", None, "--disable-user", "nobody")
    assert done.returncode == 1 and "No account named 'nobody'" in done.stderr
