"""The engine and the account: a lapsed access token is renewed with the refresh token (not the password),
sign-out revokes the session from a thread of its own (best effort offline), and a disabled account stops
syncing and says so."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.runner import DbRunner
from emsync_desktop.sync import engine as engine_module
from emsync_desktop.sync.engine import SyncEngine, SyncStatus, revoke_session
from emsync_desktop.sync.http import AccountDisabled, AuthRejected
from emsync_desktop.sync.protocol import ACCOUNT_DISABLED, Op, PullResponse, PushResponse, TokenResponse, UserPublic
from emsync_desktop.sync.servers import ServerList
from emsync_desktop.ui.sync_bridge import describe
from tests.e2e.server_process import free_port

USER = UserPublic(id="u", username="asha", display_name="Asha", role="paramedic", hospital_id=None,
                  ambulance_unit=None)


def tokens(n: int) -> TokenResponse:
    return TokenResponse(access_token=f"access-{n}", refresh_token=f"refresh-{n}", expires_in_s=300, user=USER)


@dataclass
class FakeServer:
    """Refuses access tokens in ``lapsed`` (401) and every request once ``disabled``."""

    lapsed: set[str] = field(default_factory=set)
    disabled: bool = False
    calls: list[str] = field(default_factory=list)
    base_url: str = "http://127.0.0.1:9"
    ca_file: Path | None = None
    servers: ServerList = field(default_factory=lambda: ServerList("http://127.0.0.1:9"))

    def _check(self, token: str) -> None:
        if self.disabled:
            raise AccountDisabled(ACCOUNT_DISABLED)
        if token in self.lapsed:
            raise AuthRejected("Access token refused (token expired: sign in again).")

    def login(self, _username: str, _password: str) -> TokenResponse:
        self.calls.append("login")
        self._check("")
        return tokens(len(self.calls))

    def refresh(self, refresh_token: str) -> TokenResponse:
        self.calls.append(f"refresh {refresh_token}")
        self._check("")
        return tokens(len(self.calls))

    def push(self, token: str, ops: list[Op], answered: object = None) -> PushResponse:
        self._check(token)
        return PushResponse(results=[], cursor=0)

    def pull(self, token: str, since: int, limit: int, snapshot: bool = False) -> PullResponse:
        self.calls.append(f"pull {token}")
        self._check(token)
        return PullResponse(changes=[], cursor=since, more=False)

    def close(self) -> None:
        pass



def engine_for(app_context: AppContext, server: FakeServer, runner: DbRunner,
               statuses: list[SyncStatus] | None = None) -> SyncEngine:
    report = statuses.append if statuses is not None else None
    return SyncEngine(app_context.store, server, app_context.install.device_id, ("asha", "pw"),  # type: ignore[arg-type]
                      db_submit=runner.submit, on_status=report, tokens=tokens(0))


def test_lapsed_access_token_is_renewed_with_the_refresh_token(app_context: AppContext, runner: DbRunner) -> None:
    server = FakeServer(lapsed={"access-0"})
    assert engine_for(app_context, server, runner).run_once()
    assert server.calls == ["pull access-0", "refresh refresh-0", "pull access-2"]


def test_refused_refresh_token_falls_back_to_the_password(app_context: AppContext, runner: DbRunner,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    server = FakeServer(lapsed={"access-0"})
    monkeypatch.setattr(server, "refresh", lambda _t: (_ for _ in ()).throw(AuthRejected("signed out")))
    assert engine_for(app_context, server, runner).run_once()
    assert server.calls == ["pull access-0", "login", "pull access-2"]


def test_sign_out_revokes_the_session_from_another_thread(app_context: AppContext, runner: DbRunner,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    revoked: list[tuple[str, str]] = []
    monkeypatch.setattr(engine_module, "revoke_session",
                        lambda url, token, ca_file: revoked.append((threading.current_thread().name, token)))
    engine = engine_for(app_context, FakeServer(), runner)
    thread = engine.sign_out()
    assert thread is not None
    thread.join()
    assert revoked == [("emsync-sign-out", "refresh-0")] and engine.token is None


def test_sign_out_offline_is_best_effort() -> None:
    assert revoke_session(f"http://127.0.0.1:{free_port()}", "refresh-0") is False


def test_disabled_account_stops_syncing_and_says_so(app_context: AppContext, runner: DbRunner) -> None:
    server, statuses = FakeServer(disabled=True), []
    engine = engine_for(app_context, server, runner, statuses)
    assert not engine.run_once() and not engine.run_once()
    assert server.calls == ["pull access-0"]  # nothing more asked of the server after the refusal
    assert statuses[-1].account_disabled and statuses[-1].error == ACCOUNT_DISABLED
    assert describe(statuses[-1]) == ("● This account is disabled: ask your administrator.", False)
