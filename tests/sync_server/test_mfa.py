"""Two-step sign-in (TOTP, RFC 6238) on the server: enrolment, codes, replays, recovery codes, limits.

Time steps come from an injected clock (the ``get_clock`` dependency), never from the wall clock.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sync_server import mfa, second_factor, tokens
from sync_server.app import create_app
from sync_server.config import Settings
from sync_server.deps import get_clock
from sync_server.models import AuditEvent, RecoveryCode, User
from sync_server.seed import add_user, seed_network
from tests.sync_server.conftest import NETWORK

USERS = [("rahul", "coordinator"), ("ada", "admin"), ("asha", "paramedic")]


@dataclass
class Clock:
    now: datetime = datetime(2026, 12, 5, 8, 0, 10, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class MfaServer:
    client: TestClient
    app: Any
    passwords: dict[str, str]
    clock: Clock
    secrets: dict[str, str] = field(default_factory=dict)

    def login(self, username: str, password: str | None = None) -> Any:
        return self.client.post("/auth/login", json={"username": username,
                                                     "password": password or self.passwords[username]})

    def challenge(self, username: str) -> str:
        response = self.login(username)
        assert response.status_code == 200, response.text
        return str(response.json()["challenge_token"])

    def code(self, username: str, steps_from_now: int = 0) -> str:
        return mfa.code_at(self.secrets[username], mfa.time_step(self.clock.now) + steps_from_now)

    def verify(self, challenge: str, code: str) -> Any:
        return self.client.post("/auth/mfa/verify", json={"challenge_token": challenge, "code": code})

    def enrol(self, username: str) -> list[str]:
        """Enrol ``username`` through the API; its recovery codes."""
        challenge = self.challenge(username)
        started = self.client.post("/auth/mfa/enrol", json={"challenge_token": challenge})
        assert started.status_code == 200, started.text
        self.secrets[username] = started.json()["secret"]
        confirmed = self.client.post("/auth/mfa/enrol/confirm",
                                     json={"challenge_token": challenge, "code": self.code(username)})
        assert confirmed.status_code == 200, confirmed.text
        self.clock.advance(mfa.STEP_S)  # the enrolment code's step is used
        return list(confirmed.json()["recovery_codes"])

    def user(self, username: str) -> User:
        with self.app.state.sessions() as session:
            user = session.scalar(select(User).where(User.username == username))
            assert user is not None
            return user


@pytest.fixture
def mfa_server(db_url: str, tmp_path: Path) -> Iterator[MfaServer]:
    app = create_app(Settings(db_url=db_url, secret=os.urandom(32), blob_dir=tmp_path / "blobs"))
    clock = Clock()
    app.dependency_overrides[get_clock] = lambda: clock
    passwords = {name: secrets.token_urlsafe(10) for name, _ in USERS}
    with app.state.write_sessions.begin() as session:
        seed_network(session, NETWORK)
        for name, role in USERS:
            add_user(session, username=name, password=passwords[name], role=role)
    with TestClient(app) as client:
        yield MfaServer(client, app, passwords, clock)
    app.state.engine.dispose()


@pytest.mark.parametrize("username", ["rahul", "ada"])
def test_required_role_with_password_alone_gets_an_enrolment_step_and_no_tokens(mfa_server: MfaServer,
                                                                                username: str) -> None:
    answer = mfa_server.login(username).json()
    assert answer["mfa"] == "enrol" and "access_token" not in answer and "refresh_token" not in answer


def test_paramedic_without_a_second_factor_still_gets_tokens_for_a_password(mfa_server: MfaServer) -> None:
    assert "access_token" in mfa_server.login("asha").json()


def test_wrong_password_of_an_enrolled_account_says_nothing_of_a_second_factor(mfa_server: MfaServer) -> None:
    mfa_server.enrol("rahul")
    response = mfa_server.login("rahul", "not his password")
    assert response.status_code == 401 and "mfa" not in response.text.lower()


def test_challenge_token_is_not_an_access_token(mfa_server: MfaServer) -> None:
    challenge = mfa_server.challenge("rahul")
    response = mfa_server.client.get("/sync/pull", headers={"Authorization": f"Bearer {challenge}"})
    assert response.status_code == 401


def test_enrolment_is_on_only_after_a_code_from_the_new_secret(mfa_server: MfaServer) -> None:
    challenge = mfa_server.challenge("rahul")
    secret = mfa_server.client.post("/auth/mfa/enrol", json={"challenge_token": challenge}).json()["secret"]
    wrong = mfa_server.client.post("/auth/mfa/enrol/confirm", json={"challenge_token": challenge, "code": "000000"})
    assert wrong.status_code == 401 and mfa_server.user("rahul").mfa_secret is None
    code = mfa.code_at(secret, mfa.time_step(mfa_server.clock.now))
    confirmed = mfa_server.client.post("/auth/mfa/enrol/confirm", json={"challenge_token": challenge, "code": code})
    assert confirmed.status_code == 200 and confirmed.json()["tokens"]["user"]["username"] == "rahul"
    assert mfa_server.login("rahul").json()["mfa"] == "code"


def test_enrolment_gives_ten_different_recovery_codes_stored_as_argon2_hashes(mfa_server: MfaServer) -> None:
    codes = mfa_server.enrol("rahul")
    assert len(set(codes)) == 10
    with mfa_server.app.state.sessions() as session:
        hashes = session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(hashes) == 10 and all(h.startswith("$argon2id$") for h in hashes)
    assert not any(code.replace("-", "") in h for code in codes for h in hashes)


def test_the_secret_is_stored_sealed_and_never_sent_again(mfa_server: MfaServer) -> None:
    mfa_server.enrol("rahul")
    secret = mfa_server.secrets["rahul"]
    stored = mfa_server.user("rahul")
    assert stored.mfa_secret is not None and secret not in stored.mfa_secret and stored.mfa_pending_secret is None
    answers = [mfa_server.login("rahul").text]
    answers.append(mfa_server.verify(mfa_server.challenge("rahul"), mfa_server.code("rahul")).text)
    assert not any(secret in answer for answer in answers)


def test_a_code_signs_in_once_and_its_time_step_is_refused_after(mfa_server: MfaServer) -> None:
    mfa_server.enrol("rahul")
    code = mfa_server.code("rahul")
    first = mfa_server.verify(mfa_server.challenge("rahul"), code)
    assert first.status_code == 200 and first.json()["user"]["role"] == "coordinator"
    again = mfa_server.verify(mfa_server.challenge("rahul"), code)
    assert again.status_code == 401 and "used already" in again.json()["detail"]


def test_after_a_step_is_used_an_older_one_is_refused_and_a_newer_one_accepted(mfa_server: MfaServer) -> None:
    mfa_server.enrol("rahul")
    assert mfa_server.verify(mfa_server.challenge("rahul"), mfa_server.code("rahul")).status_code == 200
    assert mfa_server.verify(mfa_server.challenge("rahul"), mfa_server.code("rahul", -1)).status_code == 401
    assert mfa_server.verify(mfa_server.challenge("rahul"), mfa_server.code("rahul", +1)).status_code == 200


def test_a_code_two_steps_old_is_refused(mfa_server: MfaServer) -> None:
    mfa_server.enrol("rahul")
    stale = mfa_server.code("rahul")
    mfa_server.clock.advance(2 * mfa.STEP_S)
    assert mfa_server.verify(mfa_server.challenge("rahul"), stale).status_code == 401


def test_a_recovery_code_signs_in_once(mfa_server: MfaServer) -> None:
    codes = mfa_server.enrol("rahul")
    typed = codes[3].upper().replace("-", " ")  # as read off paper
    assert mfa_server.verify(mfa_server.challenge("rahul"), typed).status_code == 200
    assert mfa_server.verify(mfa_server.challenge("rahul"), codes[3]).status_code == 401
    assert mfa_server.verify(mfa_server.challenge("rahul"), codes[4]).status_code == 200


def test_five_wrong_codes_end_the_challenge_even_for_a_right_code_after(mfa_server: MfaServer) -> None:
    mfa_server.enrol("rahul")
    challenge = mfa_server.challenge("rahul")
    for _ in range(mfa.MAX_WRONG_CODES):
        assert mfa_server.verify(challenge, "123456").status_code == 401
    refused = mfa_server.verify(challenge, mfa_server.code("rahul"))
    assert refused.status_code == 401 and "password again" in refused.json()["detail"]


def test_a_newer_sign_in_replaces_the_open_challenge(mfa_server: MfaServer) -> None:
    mfa_server.enrol("rahul")
    older = mfa_server.challenge("rahul")
    mfa_server.challenge("rahul")
    assert mfa_server.verify(older, mfa_server.code("rahul")).status_code == 401


def test_a_challenge_lapses_after_five_minutes(mfa_server: MfaServer) -> None:
    mfa_server.enrol("rahul")
    challenge = mfa_server.challenge("rahul")
    mfa_server.clock.advance(mfa.CHALLENGE_TTL_S + tokens.LEEWAY_S + 1)
    refused = mfa_server.verify(challenge, mfa_server.code("rahul"))
    assert refused.status_code == 401 and "expired" in refused.json()["detail"]


def test_a_code_challenge_cannot_enrol_a_new_secret(mfa_server: MfaServer) -> None:
    """Someone with the password alone must not replace the authenticator of an enrolled account."""
    mfa_server.enrol("rahul")
    challenge = mfa_server.challenge("rahul")
    assert mfa_server.client.post("/auth/mfa/enrol", json={"challenge_token": challenge}).status_code == 401
    assert mfa_server.user("rahul").mfa_pending_secret is None


def test_a_used_challenge_cannot_sign_in_twice(mfa_server: MfaServer) -> None:
    codes = mfa_server.enrol("rahul")
    challenge = mfa_server.challenge("rahul")
    assert mfa_server.verify(challenge, codes[0]).status_code == 200
    assert mfa_server.verify(challenge, codes[1]).status_code == 401


def test_refresh_is_refused_to_a_required_role_that_has_not_enrolled(mfa_server: MfaServer) -> None:
    with mfa_server.app.state.write_sessions.begin() as session:  # a session from before MFA was required
        user = session.scalar(select(User).where(User.username == "rahul"))
        assert user is not None
        user.role = "paramedic"
    refresh_token = mfa_server.login("rahul").json()["refresh_token"]
    with mfa_server.app.state.write_sessions.begin() as session:
        user = session.scalar(select(User).where(User.username == "rahul"))
        assert user is not None
        user.role = "coordinator"
    refused = mfa_server.client.post("/auth/refresh", json={"refresh_token": refresh_token})
    assert refused.status_code == 401 and "Two-step sign-in is now required" in refused.json()["detail"]


def test_a_paramedic_can_turn_on_a_second_factor_with_her_password(mfa_server: MfaServer) -> None:
    token = mfa_server.login("asha").json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    wrong = mfa_server.client.post("/auth/mfa/setup", json={"password": "guess"}, headers=auth)
    assert wrong.status_code == 401
    setup = mfa_server.client.post("/auth/mfa/setup", json={"password": mfa_server.passwords["asha"]}, headers=auth)
    assert setup.status_code == 200 and setup.json()["mfa"] == "enrol"
    started = mfa_server.client.post("/auth/mfa/enrol", json={"challenge_token": setup.json()["challenge_token"]})
    code = mfa.code_at(started.json()["secret"], mfa.time_step(mfa_server.clock.now))
    confirmed = mfa_server.client.post("/auth/mfa/enrol/confirm",
                                       json={"challenge_token": setup.json()["challenge_token"], "code": code})
    assert confirmed.status_code == 200 and mfa_server.login("asha").json()["mfa"] == "code"


def test_setup_is_refused_when_the_second_factor_is_on_already(mfa_server: MfaServer) -> None:
    mfa_server.enrol("rahul")
    access = mfa_server.verify(mfa_server.challenge("rahul"), mfa_server.code("rahul")).json()["access_token"]
    refused = mfa_server.client.post("/auth/mfa/setup", json={"password": mfa_server.passwords["rahul"]},
                                     headers={"Authorization": f"Bearer {access}"})
    assert refused.status_code == 409


def test_reset_turns_the_second_factor_off_and_the_coordinator_enrols_again(mfa_server: MfaServer) -> None:
    codes = mfa_server.enrol("rahul")
    assert second_factor.reset(mfa_server.app.state.write_sessions, "rahul", mfa_server.clock())
    assert mfa_server.login("rahul").json()["mfa"] == "enrol"
    with mfa_server.app.state.sessions() as session:
        assert session.scalars(select(RecoveryCode)).all() == []
    assert mfa_server.verify(mfa_server.challenge("rahul"), codes[0]).status_code == 401


def test_enrolment_and_recovery_code_use_are_in_the_audit_chain(mfa_server: MfaServer) -> None:
    codes = mfa_server.enrol("rahul")
    mfa_server.verify(mfa_server.challenge("rahul"), codes[0])
    with mfa_server.app.state.sessions() as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("mfa.%"))).all()
    assert actions == ["mfa.enrolled", "mfa.recovery_code_used"]


def test_no_secret_or_code_reaches_the_logs(mfa_server: MfaServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    codes = mfa_server.enrol("rahul")
    code = mfa_server.code("rahul")
    mfa_server.verify(mfa_server.challenge("rahul"), code)
    mfa_server.verify(mfa_server.challenge("rahul"), codes[0])
    logged = caplog.text
    assert mfa_server.secrets["rahul"] not in logged and code not in logged
    assert not any(c in logged for c in codes)


def test_one_code_sent_twice_at_once_signs_in_once(mfa_server: MfaServer) -> None:
    """Both tries counted against the challenge before either is checked: the conditional UPDATE decides."""
    mfa_server.enrol("rahul")
    user_id = mfa_server.user("rahul").id
    write = mfa_server.app.state.write_sessions
    challenge_id = second_factor.open_challenge(write, user_id)
    first = second_factor.count_attempt(write, user_id, challenge_id, enrolling=False)
    second = second_factor.count_attempt(write, user_id, challenge_id, enrolling=False)
    secret_key = mfa_server.app.state.settings.secret
    second_factor.spend_code(write, secret_key, first, mfa_server.code("rahul"), mfa_server.clock())
    with pytest.raises(second_factor.CodeRefused):
        second_factor.spend_code(write, secret_key, second, mfa_server.code("rahul"), mfa_server.clock())


def test_login_and_code_steps_are_documented_in_the_openapi_schema(mfa_server: MfaServer) -> None:
    paths = mfa_server.client.get("/openapi.json").json()["paths"]
    login_ok = paths["/auth/login"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert {ref["$ref"].rsplit("/", 1)[1] for ref in login_ok["anyOf"]} == {"TokenResponse", "MfaChallenge"}
    for path in ("/auth/mfa/verify", "/auth/mfa/enrol", "/auth/mfa/enrol/confirm"):
        refused = paths[path]["post"]["responses"]["401"]["content"]["application/json"]["schema"]
        assert refused["$ref"].endswith("/ErrorBody")


def test_migrated_schema_matches_the_models(mfa_server: MfaServer) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from sync_server.models import Base

    with mfa_server.app.state.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def _wrong(mfa_server: MfaServer, username: str) -> str:
    """A six-digit code that is not valid now (nor one step either side)."""
    valid = {mfa_server.code(username, step) for step in (-1, 0, 1)}
    return next(code for code in (f"{n:06d}" for n in range(10**6)) if code not in valid)


def test_wrong_codes_count_against_the_sign_in_throttle(mfa_server: MfaServer) -> None:
    mfa_server.enrol("rahul")
    wrong = _wrong(mfa_server, "rahul")
    challenge = mfa_server.challenge("rahul")
    for _ in range(5):  # the account's free failures (ACCOUNT_THROTTLE), used up by codes alone
        assert mfa_server.verify(challenge, wrong).status_code == 401
    again = mfa_server.challenge("rahul")  # a right password does not wipe the count while a code is due
    assert mfa_server.verify(again, wrong).status_code == 401  # the sixth failure: the account waits now
    blocked = mfa_server.verify(again, mfa_server.code("rahul"))
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) >= 1


def test_the_right_code_clears_the_count(mfa_server: MfaServer) -> None:
    mfa_server.enrol("rahul")
    wrong = _wrong(mfa_server, "rahul")
    challenge = mfa_server.challenge("rahul")
    for _ in range(4):
        assert mfa_server.verify(challenge, wrong).status_code == 401
    assert mfa_server.verify(challenge, mfa_server.code("rahul")).status_code == 200
    mfa_server.clock.advance(mfa.STEP_S)
    challenge = mfa_server.challenge("rahul")
    for _ in range(5):  # five free failures again: the count started afresh
        assert mfa_server.verify(challenge, wrong).status_code == 401
    assert mfa_server.challenge("rahul")
