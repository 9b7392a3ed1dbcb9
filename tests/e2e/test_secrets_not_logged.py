"""No password, access token or refresh token in any log: a real server process and real clients go through
sign-in, token refresh, pushes over the live channel, pulls, live notices and a radiograph upload; then the
server's whole log output, every log record of the clients (down to DEBUG, every library's) and the test
process's own output are searched for every secret used (SQLite and PostgreSQL)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pydicom.data import get_testdata_file
from sqlalchemy import select

from emsync_desktop.ml.registry import default_models_dir
from emsync_desktop.services.clock import utc_now
from emsync_desktop.services.imaging import ImagingAnalyser, save_study
from emsync_desktop.store.models import ImagingStudy
from emsync_desktop.sync.http import SyncHttp
from emsync_desktop.sync.protocol import TokenResponse
from tests.e2e.clients import DEMO_ROLES, make_client
from tests.e2e.conftest import StartServer

CHEST_CR = Path(get_testdata_file("RG1_UNCR.dcm"))  # type: ignore[arg-type]


@pytest.fixture
def issued(monkeypatch: pytest.MonkeyPatch) -> list[TokenResponse]:
    """Every token pair the server gives a client in this test."""
    tokens: list[TokenResponse] = []
    login, refresh = SyncHttp.login, SyncHttp.refresh

    def logged_in(self: SyncHttp, username: str, password: str) -> TokenResponse:
        tokens.append(login(self, username, password))
        return tokens[-1]

    def refreshed(self: SyncHttp, refresh_token: str) -> TokenResponse:
        tokens.append(refresh(self, refresh_token))
        return tokens[-1]

    monkeypatch.setattr(SyncHttp, "login", logged_in)
    monkeypatch.setattr(SyncHttp, "refresh", refreshed)
    return tokens


def run_everything(tmp_path: Path, url: str, passwords: dict[str, str]) -> None:
    """Sign-in, live pushes and notices, pulls, a study and its file, a token refresh."""
    crew, ward = (make_client(tmp_path / name, DEMO_ROLES[name], url, name, passwords[name], live=True)
                  for name in ("asha", "maria"))
    try:
        assert crew.engine.run_once() and ward.engine.run_once()  # signed in: the live channels connect
        assert crew.live is not None and crew.live.connected.wait(30)
        assert ward.live is not None and ward.live.connected.wait(30)
        transfer_id = crew.open_case_and_send("Cough, fever, SpO2 89 %", unit="WARD")
        assert crew.engine.run_once() and ward.engine.run_once()  # pushed over the live channel; pulled
        analysis = ImagingAnalyser(default_models_dir()).analyse_file(CHEST_CR)
        save_study(ward.context.store, ward.context.data_dir, ward.user, analysis, utc_now(), transfer_id)
        assert ward.engine.run_once()  # the study over the live channel, then its file over HTTP
        with ward.context.store.sessions.begin() as session:
            assert session.scalars(select(ImagingStudy.blob_state)).one() == "sent"
    finally:
        crew.close()
        ward.close()
    http = SyncHttp(url)
    http.refresh(http.login("asha", passwords["asha"]).refresh_token)


@pytest.mark.slow
def test_no_secret_in_any_log(tmp_path: Path, start_server: StartServer, issued: list[TokenResponse],
                              caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)  # the clients' every logger, whatever the app would set
    with start_server() as server:
        passwords = server.credentials()
        run_everything(tmp_path, server.url, passwords)
        port = server.port
    server_log = (tmp_path / f"server-{port}.log").read_text("utf-8")
    client_log = "\n".join(caplog.text.splitlines() + [r.getMessage() for r in caplog.records])
    output = capfd.readouterr()
    secrets = [passwords["asha"], passwords["maria"]] + [t for pair in issued
                                                         for t in (pair.access_token, pair.refresh_token)]
    assert len(issued) >= 4  # the two engines' sign-ins, the test's own sign-in and refresh
    assert all(line in server_log for line in ("WebSocket /sync/live", "/sync/pull", "PUT /blobs/", "/auth/refresh"))
    assert "/sync/pull" in client_log  # the clients' HTTP requests were logged (urllib3, DEBUG)
    logs = {"server log": server_log, "client log": client_log, "test output": output.out + output.err}
    for name, text in logs.items():
        leaked = [i for i, secret in enumerate(secrets) if secret in text]
        assert not leaked, f"{name} carries secrets {leaked}"
