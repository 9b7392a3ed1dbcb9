"""Request dependencies: database session, current user."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from sync_server.config import Settings
from sync_server.models import User
from sync_server.tokens import TokenError, verify_token

_bearer = HTTPBearer(auto_error=False)


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_sessions(request: Request) -> sessionmaker[Session]:
    sessions: sessionmaker[Session] = request.app.state.sessions
    return sessions


def get_write_sessions(request: Request) -> sessionmaker[Session]:
    sessions: sessionmaker[Session] = request.app.state.write_sessions
    return sessions


def get_session(sessions: Annotated[sessionmaker[Session], Depends(get_sessions)]) -> Iterator[Session]:
    with sessions() as session:
        yield session


def get_current_user(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    settings: Annotated[Settings, Depends(get_settings)],
    sessions: Annotated[sessionmaker[Session], Depends(get_sessions)],
) -> User:
    """The signed-in user, detached. Uses its own short session so no connection is held for the request."""
    if credentials is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Sign in first: no access token was sent.",
                            headers={"WWW-Authenticate": "Bearer"})
    try:
        claims = verify_token(settings.secret, credentials.credentials, kind="access", now=datetime.now(UTC))
    except TokenError as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, f"Access token refused ({exc}).",
                            headers={"WWW-Authenticate": "Bearer"}) from exc
    with sessions() as session:
        user = session.get(User, claims["sub"])
        if user is None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "This account no longer exists.")
        session.expunge(user)
    return user


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionsDep = Annotated[sessionmaker[Session], Depends(get_sessions)]
WriteSessionsDep = Annotated[sessionmaker[Session], Depends(get_write_sessions)]
SessionDep = Annotated[Session, Depends(get_session)]
CurrentUser = Annotated[User, Depends(get_current_user)]
