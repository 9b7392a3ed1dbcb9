"""Accounts made with the server's CLI sign in on a device online, then offline (SQLite and PostgreSQL)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyotp
import pytest

from emsync_desktop.domain.roles import Role
from emsync_desktop.services.auth import (
    OnlineOnly,
    SecondStepDue,
    SignInError,
    ask_server,
    finish_sign_in,
    sign_in_with_server,
)
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.second_factor import confirm_enrolment, send_code, start_enrolment
from emsync_desktop.sync.http import SyncHttp
from emsync_desktop.sync.protocol import MfaChallenge
from tests.e2e.conftest import StartServer
from tests.e2e.server_process import child_env, running_server

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


def run_server_cli(data_dir: Path, db_url: str | None, *args: str,
                   password: str = "") -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "sync_server", "--data-dir", str(data_dir), *(["--db", db_url] if db_url else []),
               *args]
    return subprocess.run(command, input=password + "\n", capture_output=True, text=True, cwd=ROOT, timeout=60,
                          env=child_env())


@pytest.mark.slow
def test_coordinator_enrols_at_first_sign_in_then_signs_in_with_a_code_never_offline(
        tmp_path: Path, server_db_url: str | None, app_context: AppContext) -> None:
    data_dir = tmp_path / "server"
    created = run_server_cli(data_dir, server_db_url, "--add-user", "meera", "--role", "coordinator", "--name",
                             "Meera Das", password=PASSWORD)
    assert created.returncode == 0, created.stderr
    with running_server(data_dir, server_db_url, "--mfa-roles", "coordinator,admin") as server:
        http = SyncHttp(server.url)
        with pytest.raises(SecondStepDue) as first:
            sign_in_with_server(app_context.store, http.login, "meera", PASSWORD)
        assert first.value.challenge.mfa == "enrol"
        key = start_enrolment(http, first.value.challenge)
        enrolled = confirm_enrolment(http, first.value.challenge, pyotp.TOTP(key.secret).now())  # the server's clock
        assert finish_sign_in(app_context.store, enrolled.tokens, "meera", PASSWORD).user.role is Role.COORDINATOR
        with pytest.raises(SecondStepDue) as second:
            sign_in_with_server(app_context.store, http.login, "meera", PASSWORD)
        tokens = send_code(http, second.value.challenge, enrolled.recovery_codes[0])
        assert http.pull(tokens.access_token, since=0).cursor >= 0
        log = (data_dir.parent / f"server-{server.port}.log").read_text()
    assert key.secret not in log and enrolled.recovery_codes[0] not in log
    with pytest.raises(OnlineOnly):  # the server is gone: a coordinator does not sign in on the device alone
        sign_in_with_server(app_context.store, SyncHttp(server.url).login, "meera", PASSWORD)


@pytest.mark.slow
def test_reset_mfa_makes_the_coordinator_enrol_again(tmp_path: Path, server_db_url: str | None) -> None:
    data_dir = tmp_path / "server"
    assert run_server_cli(data_dir, server_db_url, "--add-user", "meera", "--role", "coordinator",
                          password=PASSWORD).returncode == 0
    with running_server(data_dir, server_db_url, "--mfa-roles", "coordinator,admin") as server:
        challenge = ask_server(SyncHttp(server.url).login, "meera", PASSWORD)
        assert isinstance(challenge, MfaChallenge)
        key = start_enrolment(SyncHttp(server.url), challenge)
        confirm_enrolment(SyncHttp(server.url), challenge, pyotp.TOTP(key.secret).now())
    reset = run_server_cli(data_dir, server_db_url, "--reset-mfa", "meera")
    assert reset.returncode == 0, reset.stderr
    with running_server(data_dir, server_db_url, "--mfa-roles", "coordinator,admin") as server:
        again = ask_server(SyncHttp(server.url).login, "meera", PASSWORD)
    assert isinstance(again, MfaChallenge) and again.mfa == "enrol"
