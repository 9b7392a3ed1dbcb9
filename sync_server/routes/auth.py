"""Sign-in and token refresh."""

from __future__ import annotations

from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import APIRouter, HTTPException, status
from sqlalchemy import select

from emsync_desktop.sync.protocol import LoginRequest, RefreshRequest, TokenResponse, UserPublic
from sync_server.deps import SessionsDep, SettingsDep
from sync_server.models import User
from sync_server.tokens import TokenError, issue_token, verify_token

router = APIRouter(prefix="/auth", tags=["auth"])
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("timing equaliser")


def _tokens(user: User, settings: SettingsDep) -> TokenResponse:
    now = datetime.now(UTC)
    claims = {"role": user.role, "hospital_id": user.hospital_id}
    return TokenResponse(
        access_token=issue_token(settings.secret, subject=user.id, kind="access", ttl_s=settings.access_ttl_s,
                                 now=now, extra=claims),
        refresh_token=issue_token(settings.secret, subject=user.id, kind="refresh", ttl_s=settings.refresh_ttl_s,
                                  now=now),
        expires_in_s=settings.access_ttl_s,
        user=UserPublic(id=user.id, username=user.username, display_name=user.display_name, role=user.role,
                        hospital_id=user.hospital_id, ambulance_unit=user.ambulance_unit),
    )


@router.post("/login", responses={401: {"description": "Unknown user or wrong password"}})
def login(body: LoginRequest, sessions: SessionsDep, settings: SettingsDep) -> TokenResponse:
    with sessions() as session:  # the connection goes back before the slow password check
        user = session.scalar(select(User).where(User.username == body.username.strip().lower()))
    try:
        ok = _hasher.verify(user.password_hash if user else _DUMMY_HASH, body.password) and user is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Unknown user name or wrong password.")
    return _tokens(user, settings)


@router.post("/refresh", responses={401: {"description": "Refresh token refused"}})
def refresh(body: RefreshRequest, sessions: SessionsDep, settings: SettingsDep) -> TokenResponse:
    try:
        claims = verify_token(settings.secret, body.refresh_token, kind="refresh", now=datetime.now(UTC))
    except TokenError as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, f"Refresh token refused ({exc}).") from exc
    with sessions() as session:
        user = session.get(User, claims["sub"])
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "This account no longer exists.")
    return _tokens(user, settings)
