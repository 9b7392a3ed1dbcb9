"""Accounts made with the server's CLI sign in on a device online, then offline (SQLite and PostgreSQL)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from emsync_desktop.services.auth import SignInError, sign_in_with_server
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.sync.http import SyncHttp
from tests.e2e.conftest import StartServer
from tests.e2e.server_process import child_env

ROOT = Path(__file__).parents[2]
PASSWORD = "correct horse battery staple"


def add_user(data_dir: Path, db_url: str | None, password: str, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "sync_server", "--data-dir", str(data_dir), *(["--db", db_url] if db_url else []),
               "--add-user", "devi", "--role", "paramedic", "--name", "Devi Nair", "--unit", "AMB-7", *args]
    return subprocess.run(command, input=password + "\n", capture_output=True, text=True, cwd=ROOT, timeout=60,
                          env=child_env())


@pytest.mark.slow
def test_account_signs_in_online_then_offline(tmp_path: Path, start_server: StartServer, server_db_url: str | None,
                                              app_context: AppContext) -> None:
    created = add_user(tmp_path / "server", server_db_url, PASSWORD)
    assert created.returncode == 0, created.stderr
    with start_server() as server:
        login = SyncHttp(server.url).login
        with pytest.raises(SignInError, match="wrong password"):
            sign_in_with_server(app_context.store, login, "devi", "not the password")
        online = sign_in_with_server(app_context.store, login, "devi", PASSWORD)
    offline = sign_in_with_server(app_context.store, SyncHttp(server.url).login, "devi", PASSWORD)
    assert online.online and not offline.online
    assert offline.user == online.user and online.user.display_name == "Devi Nair"


def test_add_user_refuses_short_password_and_duplicates(tmp_path: Path) -> None:
    data_dir = tmp_path / "server"
    assert "too short" in add_user(data_dir, None, "short").stderr
    assert add_user(data_dir, None, PASSWORD).returncode == 0
    again = add_user(data_dir, None, PASSWORD)
    assert again.returncode == 1 and "exists already" in again.stderr
