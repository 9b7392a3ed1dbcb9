"""HTTP client of the sync server (requests, short timeouts).

Errors are sorted by what the caller should do:
``ServerUnreachable`` - retry later with backoff (no network, timeout, 5xx, 429);
``ServerUntrusted`` (a kind of unreachable) - the server's TLS certificate is not trusted: say so;
``AuthRejected`` - sign in again (``SecondFactorRequired``: the password was right, a code is due);
``AccountDisabled`` - stop: the account is disabled on the server;
``RequestRefused`` - a bug or bad data, do not retry as is.

TLS certificates are always verified: against the system's authorities, or only against a private CA
given as ``ca_file`` / ``$EMSYNC_CA_FILE`` (``sync.tls``).

Failover (issue 23): a client may be given several server addresses (``sync.servers.ServerList``), all
serving one database. A request that gets no HTTP answer from an address (the connection is refused or
dropped, the certificate refused, or it times out) is sent at once to the next address, each address at
most once per request; then ``ServerUnreachable`` as with one address. Any HTTP answer, 4xx and 5xx
included, comes from a server that is there: no failover, and that address becomes the preferred one
(sticky) for the requests that follow. Sending a request again elsewhere is safe because what changes
state is idempotent or refused when repeated: a push's ops carry op ids the server applies at most once
(a repeat gets the stored answer), so a push whose answer was lost (connection dropped after sending) is
re-sent to the next address without anything applied twice; a repeated sign-in opens a second session;
a refresh token already spent on the server that died is refused (``AuthRejected``: the engine then
signs in with the password).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

from emsync_desktop.sync.protocol import (
    ACCOUNT_DISABLED,
    FEED_VERSION,
    AnsweredThrough,
    AuditAnchor,
    AuditAnchors,
    AuditVerification,
    AuditVerifyRequest,
    BlobStatus,
    Change,
    MfaChallenge,
    MfaEnrolled,
    MfaEnrolment,
    Op,
    PullResponse,
    PushRequest,
    PushResponse,
    TokenResponse,
)
from emsync_desktop.sync.servers import ServerList
from emsync_desktop.sync.tls import ca_file_in_use, untrusted_message

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


class SecondFactorRequired(AuthRejected):
    """The password was right; no token until the second step (``challenge.mfa``: code or enrol) is done.
    A background sign-in (the sync engine) cannot do that step: a person signs in again."""

    def __init__(self, challenge: MfaChallenge) -> None:
        super().__init__("This account uses two-step sign-in: sign out and sign in again with a code to sync.")
        self.challenge = challenge
class AccountDisabled(SyncError):
    """The server refuses this account (disabled by an administrator); the message is ``ACCOUNT_DISABLED``."""


class RequestRefused(SyncError):
    pass


class Throttled(ServerUnreachable):
    """429: the server refuses for a while (failed sign-ins); the message says how long. A background
    sync treats it as unreachable and backs off; the sign-in screen shows it."""


class ServerUntrusted(ServerUnreachable):
    """The server's TLS certificate was refused: nothing was sent. The message says what to do."""


# No HTTP answer from this address: try the next. (SSLError is a ConnectionError: nothing was sent.)
_NO_ANSWER = (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
              requests.exceptions.ChunkedEncodingError)


class SyncHttp:
    def __init__(self, servers: str | Sequence[str] | ServerList, *, ca_file: Path | None = None) -> None:
        """``servers``: one address, several (a list, or separated by commas; tried in order), or a
        ``ServerList`` shared with the live channel so both talk to the same server.
        ``ca_file``: trust only this CA (PEM) for the server's certificate; default ``$EMSYNC_CA_FILE``,
        else the system's authorities."""
        self.servers = servers if isinstance(servers, ServerList) else ServerList(servers)
        self._ca_file = ca_file or ca_file_in_use()
        self._http = requests.Session()
        self._http.headers["User-Agent"] = "EMsync-Desktop/0.1"
        # Given with each request: a session's own ``verify`` loses to $REQUESTS_CA_BUNDLE, a pin must not.
        self._verify: str | bool = str(self._ca_file) if self._ca_file else True

    @property
    def base_url(self) -> str:
        """The preferred server address (the one that answered last)."""
        return self.servers.current

    @property
    def ca_file(self) -> Path | None:
        """The private CA this client trusts alone, if any."""
        return self._ca_file

    def close(self) -> None:
        self._http.close()

    def login(self, username: str, password: str) -> TokenResponse:
        """Tokens; raises ``SecondFactorRequired`` when the account must give a code or enrol first."""
        body = self._call("POST", "/auth/login", json={"username": username, "password": password},
                          timeout=LOGIN_TIMEOUT_S)
        if isinstance(body, dict) and "mfa" in body:
            raise SecondFactorRequired(MfaChallenge.model_validate(body))
        return TokenResponse.model_validate(body)

    def verify_code(self, challenge_token: str, code: str) -> TokenResponse:
        """A TOTP or recovery code for an open challenge; ``AuthRejected`` if refused."""
        body = self._call("POST", "/auth/mfa/verify", json={"challenge_token": challenge_token, "code": code},
                          timeout=LOGIN_TIMEOUT_S)  # a recovery code is checked against argon2 hashes
        return TokenResponse.model_validate(body)

    def start_enrolment(self, challenge_token: str) -> MfaEnrolment:
        body = self._call("POST", "/auth/mfa/enrol", json={"challenge_token": challenge_token})
        return MfaEnrolment.model_validate(body)

    def confirm_enrolment(self, challenge_token: str, code: str) -> MfaEnrolled:
        body = self._call("POST", "/auth/mfa/enrol/confirm", json={"challenge_token": challenge_token, "code": code},
                          timeout=LOGIN_TIMEOUT_S)
        return MfaEnrolled.model_validate(body)

    def set_up_second_factor(self, token: str, password: str) -> MfaChallenge:
        """A signed-in account asks to enrol (its password again); the enrolment challenge."""
        body = self._call("POST", "/auth/mfa/setup", json={"password": password}, token=token,
                          timeout=LOGIN_TIMEOUT_S)
        return MfaChallenge.model_validate(body)

    def probe(self) -> None:
        """Does the server answer? Raises ``ServerUnreachable`` if not (short timeouts, no token)."""
        self._call("GET", "/health", timeout=PROBE_TIMEOUT_S)

    def refresh(self, refresh_token: str) -> TokenResponse:
        return TokenResponse.model_validate(self._call("POST", "/auth/refresh", json={"refresh_token": refresh_token}))

    def logout(self, refresh_token: str) -> None:
        """Revoke the session of ``refresh_token`` on the server (sign-out)."""
        self._call("POST", "/auth/logout", json={"refresh_token": refresh_token}, timeout=LOGOUT_TIMEOUT_S, raw=True)

    def push(self, token: str, ops: list[Op], answered: AnsweredThrough | None = None) -> PushResponse:
        """``answered``: how far this device has every answer stored (the server may forget those)."""
        # Fields left at None are not sent: a server of the previous release refuses fields it does not know.
        body = PushRequest(ops=ops, answered_through=answered).model_dump(mode="json", exclude_none=True)
        return PushResponse.model_validate(self._call("POST", "/sync/push", json=body, token=token))

    def pull(self, token: str, since: int, limit: int = 500, snapshot: datetime | None = None) -> PullResponse:
        """``snapshot``: a first sync, begun at that time (``sync.local.pull_position``)."""
        params: dict[str, Any] = {"since": since, "limit": limit, "feed": FEED_VERSION}
        if snapshot is not None:
            params["snapshot"] = "true"
            params["as_of"] = snapshot.isoformat()
        body = self._call("GET", "/sync/pull", params=params, token=token)
        return PullResponse.model_validate(body)

    def lookup_transfers(self, token: str, start: datetime, end: datetime) -> PullResponse:
        """Transfers requested in [start, end) that this account may see, newest first (``more``: over the limit)."""
        body = self._call("GET", "/sync/lookup/transfers", params={"start": start.isoformat(), "end": end.isoformat()},
                          token=token)
        return PullResponse.model_validate(body)

    def fetch_record(self, token: str, entity: str, entity_id: str) -> list[Change]:
        """One record's newest version from the server, whatever its age (``GET /sync/record``)."""
        body = self._call("GET", f"/sync/record/{entity}/{entity_id}", token=token)
        return PullResponse.model_validate(body).changes

    def blob_status(self, token: str, sha256: str) -> BlobStatus:
        return BlobStatus.model_validate(self._call("GET", f"/blobs/{sha256}/status", token=token))

    def put_blob_chunk(self, token: str, sha256: str, offset: int, total: int, data: bytes) -> BlobStatus:
        body = self._call("PUT", f"/blobs/{sha256}", token=token, params={"offset": offset, "total": total},
                          data=data, extra_headers={"Content-Type": "application/octet-stream"})
        return BlobStatus.model_validate(body)

    def get_blob(self, token: str, sha256: str) -> bytes:
        content: bytes = self._call("GET", f"/blobs/{sha256}", token=token, raw=True)
        return content

    def audit_anchors(self, token: str) -> list[AuditAnchor]:
        return AuditAnchors.model_validate(self._call("GET", "/audit/anchors", token=token)).anchors

    def verify_audit(self, token: str, held: list[AuditAnchor]) -> AuditVerification:
        body = AuditVerifyRequest(anchors=held).model_dump(mode="json")
        return AuditVerification.model_validate(self._call("POST", "/audit/verify", json=body, token=token,
                                                           timeout=(CONNECT_TIMEOUT_S, 120.0)))

    def _call(self, method: str, path: str, *, token: str | None = None, raw: bool = False,
              extra_headers: dict[str, str] | None = None,
              timeout: tuple[float, float] = (CONNECT_TIMEOUT_S, READ_TIMEOUT_S), **kwargs: Any) -> Any:
        headers = ({"Authorization": f"Bearer {token}"} if token else {}) | (extra_headers or {})
        response = self._first_answer(method, path, headers=headers, timeout=timeout, **kwargs)
        if response.status_code >= 400:
            raise_for_status(response.status_code, _detail(response))
        return response.content if raw else response.json()

    def _first_answer(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """The HTTP answer of the first address that gives one (preferred first; it becomes the preferred);
        ``ServerUnreachable`` (``ServerUntrusted`` if a certificate was refused) when none does."""
        failures: list[tuple[str, requests.RequestException]] = []
        for url in self.servers.order():
            try:
                response = self._http.request(method, url + path, verify=self._verify, **kwargs)
            except _NO_ANSWER as exc:
                failures.append((url, exc))
            except requests.RequestException as exc:  # a malformed request or URL: another address won't help
                raise ServerUnreachable(f"sync server not reachable ({type(exc).__name__})") from exc
            except OSError as exc:  # requests could not load the pinned CA file
                raise ServerUntrusted(f"The CA file {self._ca_file} cannot be used ({exc}).") from exc
            else:
                self.servers.answered(url)
                return response
        raise self._none_answered(failures)

    def _none_answered(self, failures: list[tuple[str, requests.RequestException]]) -> ServerUnreachable:
        """What to raise when no address answered: a refused certificate first (a person must act on it)."""
        untrusted = [(url, exc) for url, exc in failures if isinstance(exc, requests.exceptions.SSLError)]
        error: ServerUnreachable
        cause: requests.RequestException
        if untrusted:
            url, cause = untrusted[0]
            error = ServerUntrusted(untrusted_message(url, self._ca_file, cause))
        elif failures:
            cause = failures[-1][1]
            error = ServerUnreachable(f"sync server not reachable ({type(cause).__name__})")
        else:
            return ServerUnreachable("no sync server address")
        error.__cause__ = cause
        return error


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
    if status == 429:
        raise Throttled(detail)
    if status >= 500:
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
