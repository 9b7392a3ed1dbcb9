"""Revocation (SQLite and PostgreSQL): a disabled account is refused everywhere at once, its open live
connections are closed with the reason; sign-out revokes the refresh token; refresh tokens are used once;
access tokens are short-lived JWTs."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import httpx
import jwt
import pytest
from sqlalchemy import select
from starlette.websockets import WebSocketDisconnect

from emsync_desktop.domain.ids import new_id
from emsync_desktop.sync.protocol import ACCOUNT_DISABLED, LIVE_CLOSE_ACCOUNT_DISABLED
from sync_server.accounts import find_user, set_disabled
from sync_server.models import AuditEvent
from sync_server.seed import add_user, ensure_system_user
from tests.sync_server.conftest import Server, transfer_request

ADMIN_PASSWORD = secrets.token_urlsafe(12)


@pytest.fixture
def admin(server: Server) -> str:
    with server.client.app.state.write_sessions.begin() as session:  # type: ignore[attr-defined]
        add_user(session, username="devika", password=ADMIN_PASSWORD, role="admin")
    server.passwords["devika"] = ADMIN_PASSWORD
    return server.token("devika")


def disable(server: Server, username: str, disabled: bool = True) -> None:
    """As ``python -m sync_server --disable-user`` does it: straight in the database, from outside the app."""
    with server.client.app.state.write_sessions.begin() as session:  # type: ignore[attr-defined]
        user = find_user(session, username)
        assert user is not None
        set_disabled(session, user, disabled, by=ensure_system_user(session), now=datetime.now(UTC))


def login(server: Server, username: str) -> dict[str, Any]:
    response = server.client.post("/auth/login", json={"username": username, "password": server.passwords[username]})
    assert response.status_code == 200, response.text
    return dict(response.json())


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_disabled_account_cannot_sign_in(server: Server) -> None:
    disable(server, "asha")
    response = server.client.post("/auth/login", json={"username": "asha", "password": server.passwords["asha"]})
    assert (response.status_code, response.json()["detail"]) == (403, ACCOUNT_DISABLED)


def test_disabled_account_is_not_revealed_to_a_wrong_password(server: Server) -> None:
    disable(server, "asha")
    response = server.client.post("/auth/login", json={"username": "asha", "password": "a guess"})
    assert response.status_code == 401


REQUESTS: dict[str, Callable[[Server, str], httpx.Response]] = {
    "pull": lambda s, t: s.client.get("/sync/pull", headers=bearer(t)),
    "push": lambda s, t: s.client.post("/sync/push", json={"ops": [transfer_request(new_id())]}, headers=bearer(t)),
    "hospitals": lambda s, t: s.client.get("/hospitals", headers=bearer(t)),
    "blob status": lambda s, t: s.client.get(f"/blobs/{'0' * 64}/status", headers=bearer(t)),
}


@pytest.mark.parametrize("request_name", list(REQUESTS))
def test_still_valid_access_token_of_a_disabled_account_is_refused(server: Server, request_name: str) -> None:
    token = server.token("asha")
    disable(server, "asha")
    response = REQUESTS[request_name](server, token)
    assert (response.status_code, response.json()["detail"]) == (403, ACCOUNT_DISABLED)


def test_refresh_of_a_disabled_account_is_refused(server: Server) -> None:
    tokens = login(server, "asha")
    disable(server, "asha")
    response = server.client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert (response.status_code, response.json()["detail"]) == (403, ACCOUNT_DISABLED)


def test_enabled_again_the_account_signs_in_but_its_old_sessions_stay_revoked(server: Server) -> None:
    tokens = login(server, "asha")
    disable(server, "asha")
    disable(server, "asha", disabled=False)
    old = server.client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert old.status_code == 401 and login(server, "asha")["access_token"]


def test_open_live_connection_is_closed_with_the_reason_when_an_admin_disables_the_account(
        server: Server, admin: str) -> None:
    with server.client.websocket_connect(f"/sync/live?token={server.token('asha')}") as ws:
        ws.receive_json()  # the cursor on connecting
        response = server.client.post("/admin/users/asha/disable", headers=bearer(admin))
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert response.json() == {"username": "asha", "disabled": True}
    assert (closed.value.code, closed.value.reason) == (LIVE_CLOSE_ACCOUNT_DISABLED, ACCOUNT_DISABLED)


def test_open_live_connection_is_closed_when_the_account_is_disabled_from_outside(server: Server) -> None:
    server.client.app.state.settings = replace(server.settings, account_watch_s=0.05)  # type: ignore[attr-defined]
    with server.client.websocket_connect(f"/sync/live?token={server.token('asha')}") as ws:
        ws.receive_json()
        disable(server, "asha")  # as the --disable-user command does, in another process
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert (closed.value.code, closed.value.reason) == (LIVE_CLOSE_ACCOUNT_DISABLED, ACCOUNT_DISABLED)


def test_live_push_of_a_disabled_account_is_refused(server: Server) -> None:
    token = server.token("asha")
    with server.client.websocket_connect(f"/sync/live?token={token}") as ws:
        ws.receive_json()
        disable(server, "asha")
        ws.send_json({"request_id": 1, "token": token, "ops": [transfer_request(new_id())]})
        answer = ws.receive_json()
    assert (answer["status"], answer["detail"]) == (403, ACCOUNT_DISABLED)


def test_live_connection_of_a_disabled_account_is_refused(server: Server) -> None:
    token = server.token("asha")
    disable(server, "asha")
    with pytest.raises(WebSocketDisconnect) as refused, \
            server.client.websocket_connect(f"/sync/live?token={token}") as ws:
        ws.receive_json()
    assert refused.value.code == LIVE_CLOSE_ACCOUNT_DISABLED


def test_only_an_admin_may_disable_accounts(server: Server) -> None:
    response = server.client.post("/admin/users/ravi/disable", headers=bearer(server.token("rahul")))
    assert response.status_code == 403 and "administrator" in response.json()["detail"]
    assert login(server, "ravi")["access_token"]


def test_admin_enables_a_disabled_account(server: Server, admin: str) -> None:
    disable(server, "asha")
    response = server.client.post("/admin/users/asha/enable", headers=bearer(admin))
    assert response.json() == {"username": "asha", "disabled": False} and login(server, "asha")


def test_admin_cannot_disable_their_own_account(server: Server, admin: str) -> None:
    assert server.client.post("/admin/users/devika/disable", headers=bearer(admin)).status_code == 409


def test_disabling_is_in_the_audit_log(server: Server, admin: str) -> None:
    server.client.post("/admin/users/asha/disable", headers=bearer(admin))
    with server.client.app.state.sessions() as session:  # type: ignore[attr-defined]
        events = session.execute(select(AuditEvent.action, AuditEvent.detail)).all()
    assert ("account.disable", "asha") in events


def test_sign_out_revokes_the_refresh_token(server: Server) -> None:
    tokens = login(server, "asha")
    signed_out = server.client.post("/auth/logout", json={"refresh_token": tokens["refresh_token"]})
    refreshed = server.client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert signed_out.status_code == 204
    assert refreshed.status_code == 401 and "signed out" in refreshed.json()["detail"]


def test_sign_out_leaves_other_sessions_of_the_account(server: Server) -> None:
    laptop, desk = login(server, "asha"), login(server, "asha")
    server.client.post("/auth/logout", json={"refresh_token": laptop["refresh_token"]})
    assert server.client.post("/auth/refresh", json={"refresh_token": desk["refresh_token"]}).status_code == 200


def test_a_refresh_token_is_used_once_and_its_reuse_ends_the_session(server: Server) -> None:
    first = login(server, "asha")["refresh_token"]
    second = server.client.post("/auth/refresh", json={"refresh_token": first}).json()["refresh_token"]
    reused = server.client.post("/auth/refresh", json={"refresh_token": first})
    assert reused.status_code == 401 and "already used" in reused.json()["detail"]
    assert server.client.post("/auth/refresh", json={"refresh_token": second}).status_code == 401


def test_sign_out_with_a_forged_token_is_401(server: Server) -> None:
    response = server.client.post("/auth/logout", json={"refresh_token": "not.a.token"})
    assert response.status_code == 401


def test_access_tokens_live_five_minutes(server: Server) -> None:
    tokens = login(server, "asha")
    claims = jwt.decode(tokens["access_token"], server.settings.secret, algorithms=["HS256"],
                        options={"verify_exp": False})
    assert tokens["expires_in_s"] == 300 and claims["exp"] - claims["iat"] == 300


def test_unsigned_token_is_refused(server: Server) -> None:
    claims = jwt.decode(server.token("asha"), options={"verify_signature": False})
    unsigned = jwt.encode(claims, key=None, algorithm="none")
    assert server.client.get("/sync/pull", headers=bearer(unsigned)).status_code == 401
