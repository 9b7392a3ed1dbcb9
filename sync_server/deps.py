"""Request dependencies: database session, current user."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from emsync_desktop.sync.protocol import ACCOUNT_DISABLED
from sync_server.config import Settings
from sync_server.models import User
from sync_server.tokens import TokenError, verify_token

_bearer = HTTPBearer(auto_error=False)


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_sessions(request: Request) -> sessionmaker[Session]:
    sessions: sessionmaker[Session] = request.app.state.sessions
    return sessions


async def get_write_sessions(request: Request) -> sessionmaker[Session]:
    sessions: sessionmaker[Session] = request.app.state.write_sessions
    return sessions


async def get_clock(request: Request) -> Callable[[], datetime]:
    """The clock of time-based checks (tokens, TOTP steps, challenge expiry): ``Settings.clock``; tests
    override it or this dependency."""
    settings: Settings = request.app.state.settings
    return settings.clock
def _access_claims(credentials: HTTPAuthorizationCredentials | None, settings: Settings) -> dict[str, Any]:
    if credentials is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Sign in first: no access token was sent.",
                            headers={"WWW-Authenticate": "Bearer"})
    try:
        return verify_token(settings.secret, credentials.credentials, kind="access", now=settings.clock())
    except TokenError as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, f"Access token refused ({exc}).",
                            headers={"WWW-Authenticate": "Bearer"}) from exc


async def get_signed_in_user_id(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> str:
    """The account id of a genuine access token, checked on the event loop without the database (the
    push writer reads the account itself, in the transaction that applies the ops)."""
    return str(_access_claims(credentials, settings)["sub"])


def get_current_user(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    settings: Annotated[Settings, Depends(get_settings)],
    sessions: Annotated[sessionmaker[Session], Depends(get_sessions)],
) -> User:
    """The signed-in user, detached. Uses its own short session so no connection is held for the request
    (routes do the same: a session held by a dependency until the response is sent deadlocked 200
    simultaneous requests, every pool thread waiting for a connection held by a finished request)."""
    claims = _access_claims(credentials, settings)
    with sessions() as session:
        user = account(session, str(claims["sub"]))
        session.expunge(user)
    return user


def account(session: Session, user_id: str) -> User:
    """The signed-in account, read in the route's own session; gone: 401; disabled: 403 (checked on every
    request, so disabling an account stops its still-valid access tokens at once)."""
    user = session.get(User, user_id)
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "This account no longer exists.")
    if user.disabled_at is not None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, ACCOUNT_DISABLED)
    return user


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionsDep = Annotated[sessionmaker[Session], Depends(get_sessions)]
WriteSessionsDep = Annotated[sessionmaker[Session], Depends(get_write_sessions)]
ClockDep = Annotated[Callable[[], datetime], Depends(get_clock)]
CurrentUser = Annotated[User, Depends(get_current_user)]
SignedInUserId = Annotated[str, Depends(get_signed_in_user_id)]
