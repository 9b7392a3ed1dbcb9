"""Sign-in, token refresh and sign-out.

Sign-in is throttled per account name and per client address (``login_throttle``): a blocked attempt is
refused with 429 and ``Retry-After`` before its password is hashed, and at most ``Settings.password_checks``
argon2 verifications run at once (more wait for a slot, then 503). A disabled account is refused (403)
only after its password matched, so the refusal tells a guesser nothing.

Each sign-in opens a session (``accounts``): refresh rotates its refresh token, sign-out revokes it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import APIRouter, HTTPException, Request, Response, status
from sqlalchemy.orm import Session, sessionmaker

from emsync_desktop.sync.protocol import ACCOUNT_DISABLED, LoginRequest, RefreshRequest, TokenResponse, UserPublic
from sync_server.accounts import SessionRefused, SessionToken, find_user, open_session, revoke_session, rotate_session
from sync_server.config import Settings
from sync_server.deps import SessionsDep, SettingsDep, WriteSessionsDep
from sync_server.login_throttle import (
    PasswordCheckSlots,
    ThrottleKeys,
    record_failure,
    record_success,
    retry_after_s,
    throttle_keys,
)
from sync_server.models import User
from sync_server.tokens import TokenError, issue_token, verify_token

router = APIRouter(prefix="/auth", tags=["auth"])
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("timing equaliser")
_WRONG = "Unknown user name or wrong password."
_DISABLED: dict[int | str, dict[str, Any]] = {403: {"description": ACCOUNT_DISABLED}}


def _tokens(user: User, token: SessionToken, settings: Settings, now: datetime) -> TokenResponse:
    claims = {"role": user.role, "hospital_id": user.hospital_id, "sid": token.session_id}
    return TokenResponse(
        access_token=issue_token(settings.secret, subject=user.id, kind="access", ttl_s=settings.access_ttl_s,
                                 now=now, extra=claims),
        refresh_token=issue_token(settings.secret, subject=user.id, kind="refresh", ttl_s=settings.refresh_ttl_s,
                                  now=now, extra={"sid": token.session_id, "gen": token.generation}),
        expires_in_s=settings.access_ttl_s,
        user=UserPublic(id=user.id, username=user.username, display_name=user.display_name, role=user.role,
                        hospital_id=user.hospital_id, ambulance_unit=user.ambulance_unit),
    )


@router.post("/login", responses={401: {"description": "Unknown user or wrong password"}, **_DISABLED,
                                  429: {"description": "Too many failed sign-ins: wait Retry-After seconds"},
                                  503: {"description": "Too many sign-ins being checked: try again shortly"}})
def login(body: LoginRequest, request: Request, sessions: SessionsDep, write_sessions: WriteSessionsDep,
          settings: SettingsDep) -> TokenResponse:
    keys = throttle_keys(body.username, request.client.host if request.client else None)
    with sessions() as session:  # refused here, a throttled attempt costs one read and no hashing
        _refuse_if_throttled(session, keys, settings)
    slots: PasswordCheckSlots = request.app.state.password_checks
    with slots.slot(settings.password_check_wait_s) as had_slot:
        if not had_slot:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "The server is busy checking other "
                                "sign-ins: try again in a moment.", headers={"Retry-After": "1"})
        with sessions() as session:  # again: attempts that waited for a slot see the failures before them
            _refuse_if_throttled(session, keys, settings)
            user = find_user(session, body.username)
        ok = _password_matches(user, body.password)
        with write_sessions.begin() as session:
            if ok:
                record_success(session, keys)
            else:
                record_failure(session, keys, settings.clock(), account=settings.account_throttle,
                               address=settings.address_throttle)
    if not ok or user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, _WRONG)
    if user.disabled_at is not None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, ACCOUNT_DISABLED)
    return _open(write_sessions, user, settings)


def _refuse_if_throttled(session: Session, keys: ThrottleKeys, settings: Settings) -> None:
    wait_s = retry_after_s(session, keys, settings.clock())
    if wait_s is not None:
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS,
                            f"Too many failed sign-ins: try again in {wait_s} s.", headers={"Retry-After": str(wait_s)})


def _password_matches(user: User | None, password: str) -> bool:
    try:  # unknown names are hashed too, so the answer takes as long either way
        return _hasher.verify(user.password_hash if user else _DUMMY_HASH, password) and user is not None
    except (VerificationError, InvalidHashError):
        return False


def _open(write_sessions: sessionmaker[Session], user: User, settings: Settings) -> TokenResponse:
    now = settings.clock()
    with write_sessions.begin() as session:
        token = open_session(session, user, now, settings.refresh_ttl_s)
    return _tokens(user, token, settings, now)


@router.post("/refresh", responses={401: {"description": "Refresh token refused"}, **_DISABLED})
def refresh(body: RefreshRequest, write_sessions: WriteSessionsDep, settings: SettingsDep) -> TokenResponse:
    """New tokens for a session's newest refresh token (which is then replaced: each is used once)."""
    now = settings.clock()
    user_id, presented = _refresh_claims(body.refresh_token, settings, now, allow_expired=False)
    refused: SessionRefused | None = None
    with write_sessions.begin() as session:  # a reuse revokes the session: that is committed, then refused
        user = session.get(User, user_id)
        if user is None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "This account no longer exists.")
        if user.disabled_at is not None:
            raise HTTPException(status.HTTP_403_FORBIDDEN, ACCOUNT_DISABLED)
        try:
            token = rotate_session(session, user.id, presented, now, settings.refresh_ttl_s)
        except SessionRefused as exc:
            refused = exc
    if refused is not None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, f"Refresh token refused ({refused}).")
    return _tokens(user, token, settings, now)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
             responses={401: {"description": "Not a refresh token of this server"}})
def logout(body: RefreshRequest, write_sessions: WriteSessionsDep, settings: SettingsDep) -> Response:
    """Sign-out: the refresh token's session is revoked (whatever its age; done already is fine too)."""
    now = settings.clock()
    user_id, presented = _refresh_claims(body.refresh_token, settings, now, allow_expired=True)
    with write_sessions.begin() as session:
        revoke_session(session, user_id, presented.session_id, now, "signed out")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _refresh_claims(token: str, settings: Settings, now: datetime, *, allow_expired: bool) -> tuple[str, SessionToken]:
    try:
        claims: dict[str, Any] = verify_token(settings.secret, token, kind="refresh", now=now,
                                              allow_expired=allow_expired)
    except TokenError as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, f"Refresh token refused ({exc}).") from exc
    session_id, generation = claims.get("sid"), claims.get("gen")
    if not isinstance(session_id, str) or not isinstance(generation, int) or isinstance(generation, bool):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Refresh token refused (from an older server: sign in "
                                                          "again).")
    return str(claims["sub"]), SessionToken(session_id, generation)
