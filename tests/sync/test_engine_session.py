"""The sync engine keeps the session a person's sign-in got: its refresh token renews access, so an
account with a second factor syncs without being asked for a code every time access lapses."""

from __future__ import annotations

from dataclasses import dataclass, field

from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.runner import DbRunner
from emsync_desktop.sync.engine import SyncEngine, SyncStatus
from emsync_desktop.sync.http import AuthRejected, SecondFactorRequired
from emsync_desktop.sync.protocol import MfaChallenge, Op, PullResponse, PushResponse, TokenResponse, UserPublic
from emsync_desktop.sync.servers import ServerList

RAHUL = UserPublic(id="0190f0e0-0000-7000-8000-0000000000cc", username="rahul", display_name="Rahul",
                   role="coordinator", hospital_id=None, ambulance_unit=None)
CHALLENGE = MfaChallenge(mfa="code", challenge_token="c", expires_in_s=300)


def tokens(access: str, refresh: str) -> TokenResponse:
    return TokenResponse(access_token=access, refresh_token=refresh, expires_in_s=900, user=RAHUL)


@dataclass
class MfaAccountServer:
    """A server where the account has a second factor: a password alone never gets a token."""

    valid_access: set[str] = field(default_factory=lambda: {"access-1"})
    refresh_accepted: bool = True
    logins: int = 0
    refreshed_with: list[str] = field(default_factory=list)
    servers: ServerList = field(default_factory=lambda: ServerList("http://127.0.0.1:9"))

    def login(self, _username: str, _password: str) -> TokenResponse:
        self.logins += 1
        raise SecondFactorRequired(CHALLENGE)

    def refresh(self, refresh_token: str) -> TokenResponse:
        self.refreshed_with.append(refresh_token)
        if not self.refresh_accepted:
            raise AuthRejected("Refresh token refused (token expired: sign in again).")
        self.valid_access.add("access-2")
        return tokens("access-2", "refresh-2")

    def push(self, _token: str, ops: list[Op], answered: object = None) -> PushResponse:
        return PushResponse(results=[], cursor=0)

    def pull(self, token: str, since: int, limit: int, snapshot: bool = False) -> PullResponse:
        if token not in self.valid_access:
            raise AuthRejected("Access token refused (token expired: sign in again).")
        return PullResponse(changes=[], cursor=since, more=False)

    def close(self) -> None:
        pass



def engine(app_context: AppContext, server: MfaAccountServer, runner: DbRunner,
           statuses: list[SyncStatus] | None = None) -> SyncEngine:
    return SyncEngine(app_context.store, server, app_context.install.device_id,  # type: ignore[arg-type]
                      ("rahul", "his password"), db_submit=runner.submit,
                      on_status=(statuses.append if statuses is not None else None),
                      tokens=tokens("access-1", "refresh-1"))


def test_the_sign_in_session_syncs_without_signing_in_again(app_context: AppContext, runner: DbRunner) -> None:
    server = MfaAccountServer()
    assert engine(app_context, server, runner).run_once()
    assert server.logins == 0


def test_lapsed_access_is_renewed_with_the_refresh_token_not_the_password(app_context: AppContext,
                                                                         runner: DbRunner) -> None:
    server = MfaAccountServer(valid_access=set())  # access-1 has lapsed
    sync = engine(app_context, server, runner)
    assert sync.run_once()
    assert server.refreshed_with == ["refresh-1"] and server.logins == 0 and sync.token == "access-2"


def test_a_refused_refresh_of_a_second_factor_account_asks_the_person_to_sign_in(app_context: AppContext,
                                                                                 runner: DbRunner) -> None:
    statuses: list[SyncStatus] = []
    server = MfaAccountServer(valid_access=set(), refresh_accepted=False)
    assert not engine(app_context, server, runner, statuses).run_once()
    assert statuses[-1].sign_in_needed and statuses[-1].error is not None and "two-step" in statuses[-1].error


def test_after_a_code_was_asked_for_the_engine_stops_trying_the_password(app_context: AppContext,
                                                                        runner: DbRunner) -> None:
    """Each try would open a challenge on the server, replacing the one the person is typing a code for."""
    statuses: list[SyncStatus] = []
    server = MfaAccountServer(valid_access=set(), refresh_accepted=False)
    sync = engine(app_context, server, runner, statuses)
    sync.run_once()
    sync.run_once()
    assert server.logins == 1 and statuses[-1].sign_in_needed
