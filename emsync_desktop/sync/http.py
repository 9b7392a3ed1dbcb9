"""HTTP client of the sync server (requests, short timeouts).

Errors are sorted by what the caller should do:
``ServerUnreachable`` - retry later with backoff (no network, timeout, 5xx, 429);
``AuthRejected`` - sign in again; ``AccountDisabled`` - stop: the account is disabled on the server;
``RequestRefused`` - a bug or bad data, do not retry as is.
"""

from __future__ import annotations

from typing import Any

import requests

from emsync_desktop.sync.protocol import (
    ACCOUNT_DISABLED,
    BlobStatus,
    Op,
    PullResponse,
    PushRequest,
    PushResponse,
    TokenResponse,
)

CONNECT_TIMEOUT_S = 3.05
READ_TIMEOUT_S = 30.0
# Signing in and the sign-in screen's check wait on a person: a server on the LAN or VPN accepts a
# connection in milliseconds, so two seconds without one means it is not there (a slow name lookup is
# not bounded by these: the screen says "unreachable" on its own deadline, ui/widgets/server_status.py).
PROBE_TIMEOUT_S = (2.0, 3.0)  # connect, read: GET /health answers at once
LOGIN_TIMEOUT_S = (2.0, 15.0)  # the server checks an argon2 hash: allow it a few seconds
LOGOUT_TIMEOUT_S = (2.0, 5.0)  # sign-out is best effort: a device offline must not wait long


class SyncError(Exception):
    pass


class ServerUnreachable(SyncError):
    pass


class AuthRejected(SyncError):
    pass


class AccountDisabled(SyncError):
    """The server refuses this account (disabled by an administrator); the message is ``ACCOUNT_DISABLED``."""


class RequestRefused(SyncError):
    pass


class SyncHttp:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = requests.Session()
        self._http.headers["User-Agent"] = "EMsync-Desktop/0.1"

    def close(self) -> None:
        self._http.close()

    def login(self, username: str, password: str) -> TokenResponse:
        body = self._call("POST", "/auth/login", json={"username": username, "password": password},
                          timeout=LOGIN_TIMEOUT_S)
        return TokenResponse.model_validate(body)

    def probe(self) -> None:
        """Does the server answer? Raises ``ServerUnreachable`` if not (short timeouts, no token)."""
        self._call("GET", "/health", timeout=PROBE_TIMEOUT_S)

    def refresh(self, refresh_token: str) -> TokenResponse:
        return TokenResponse.model_validate(self._call("POST", "/auth/refresh", json={"refresh_token": refresh_token}))

    def logout(self, refresh_token: str) -> None:
        """Revoke the session of ``refresh_token`` on the server (sign-out)."""
        self._call("POST", "/auth/logout", json={"refresh_token": refresh_token}, timeout=LOGOUT_TIMEOUT_S, raw=True)

    def push(self, token: str, ops: list[Op]) -> PushResponse:
        body = PushRequest(ops=ops).model_dump(mode="json")
        return PushResponse.model_validate(self._call("POST", "/sync/push", json=body, token=token))

    def pull(self, token: str, since: int, limit: int = 500) -> PullResponse:
        body = self._call("GET", "/sync/pull", params={"since": since, "limit": limit}, token=token)
        return PullResponse.model_validate(body)

    def blob_status(self, token: str, sha256: str) -> BlobStatus:
        return BlobStatus.model_validate(self._call("GET", f"/blobs/{sha256}/status", token=token))

    def put_blob_chunk(self, token: str, sha256: str, offset: int, total: int, data: bytes) -> BlobStatus:
        body = self._call("PUT", f"/blobs/{sha256}", token=token, params={"offset": offset, "total": total},
                          data=data, extra_headers={"Content-Type": "application/octet-stream"})
        return BlobStatus.model_validate(body)

    def get_blob(self, token: str, sha256: str) -> bytes:
        content: bytes = self._call("GET", f"/blobs/{sha256}", token=token, raw=True)
        return content

    def _call(self, method: str, path: str, *, token: str | None = None, raw: bool = False,
              extra_headers: dict[str, str] | None = None,
              timeout: tuple[float, float] = (CONNECT_TIMEOUT_S, READ_TIMEOUT_S), **kwargs: Any) -> Any:
        headers = ({"Authorization": f"Bearer {token}"} if token else {}) | (extra_headers or {})
        try:
            response = self._http.request(method, self.base_url + path, headers=headers, timeout=timeout,
                                          **kwargs)
        except requests.RequestException as exc:
            raise ServerUnreachable(f"sync server not reachable ({type(exc).__name__})") from exc
        if response.status_code >= 400:
            raise_for_status(response.status_code, _detail(response))
        return response.content if raw else response.json()


def probe_server(url: str) -> None:
    """Any thread but the GUI's (it waits on the network): raises ``ServerUnreachable`` unless the sync
    server at ``url`` answers its health check."""
    http = SyncHttp(url)
    try:
        http.probe()
    finally:
        http.close()


def raise_for_status(status: int, detail: str) -> None:
    """Raise what a refusal with this HTTP status means for the caller (nothing below 400)."""
    if status >= 500 or status == 429:
        raise ServerUnreachable(f"sync server busy or failing (HTTP {status})")
    if status == 401:
        raise AuthRejected(detail)
    if status == 403 and detail == ACCOUNT_DISABLED:
        raise AccountDisabled(detail)
    if status >= 400:
        raise RequestRefused(f"HTTP {status}: {detail}")


def _detail(response: requests.Response) -> str:
    try:
        return str(response.json().get("detail", response.text))
    except ValueError:
        return response.text[:200]
