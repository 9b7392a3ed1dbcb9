"""Account state: disabling and enabling accounts, and sign-in sessions (the refresh tokens' server side).

A session is one sign-in. Its refresh token is rotated at each refresh (``generation``): only the newest is
accepted, and an older one coming back means two holders (a copied token), so the session is revoked.
Sign-out revokes the session; disabling an account revokes all of its sessions, and the account flag is
checked on every request besides (``deps.account``), so a still-valid access token stops working at once.

Transactions: every function here works in the caller's session and commits nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sync_server.audit import append_audit_events
from sync_server.models import AuthSession, User


class SessionRefused(Exception):
    """The refresh token's session is signed out, revoked, expired or was replaced; the message says which."""


@dataclass(frozen=True)
class SessionToken:
    session_id: str
    generation: int


def open_session(session: Session, user: User, now: datetime, ttl_s: int) -> SessionToken:
    row = AuthSession(id=str(uuid.uuid4()), user_id=user.id, generation=1, created_at=now,
                      expires_at=now + timedelta(seconds=ttl_s), revoked_at=None, revoked_reason=None)
    session.add(row)
    return SessionToken(row.id, row.generation)


def rotate_session(session: Session, user_id: str, token: SessionToken, now: datetime, ttl_s: int) -> SessionToken:
    """The session's next refresh token, if ``token`` is its newest; raises ``SessionRefused`` otherwise
    (an older token than the newest revokes the session: it was copied, or the answer to a refresh was
    lost, and a device that lost it signs in again)."""
    row = session.get(AuthSession, token.session_id, with_for_update=True)
    if row is None or row.user_id != user_id:
        raise SessionRefused("unknown session: sign in again")
    if row.revoked_at is not None:
        raise SessionRefused("signed out: sign in again")
    if row.expires_at <= now:
        raise SessionRefused("session expired: sign in again")
    if row.generation != token.generation:
        _revoke(row, now, "refresh token reused")
        raise SessionRefused("this refresh token was already used: sign in again")
    row.generation += 1
    row.expires_at = now + timedelta(seconds=ttl_s)
    return SessionToken(row.id, row.generation)


def revoke_session(session: Session, user_id: str, session_id: str, now: datetime, reason: str) -> bool:
    """Revoke one session of ``user_id``; False if there is none or it was revoked already."""
    row = session.get(AuthSession, session_id, with_for_update=True)
    if row is None or row.user_id != user_id or row.revoked_at is not None:
        return False
    _revoke(row, now, reason)
    return True


def _revoke(row: AuthSession, now: datetime, reason: str) -> None:
    row.revoked_at = now
    row.revoked_reason = reason


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username.strip().lower()))


def set_disabled(session: Session, user: User, disabled: bool, *, by: User, now: datetime) -> bool:
    """Disable or enable ``user``; False if it already was. Disabling revokes every session of the
    account. Either way an audit event names who did it."""
    if (user.disabled_at is not None) == disabled:
        return False
    user.disabled_at = now if disabled else None
    if disabled:
        session.execute(update(AuthSession)
                        .where(AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None))
                        .values(revoked_at=now, revoked_reason="account disabled"))
    session.flush()
    append_audit_events(session.connection(), [{
        "at": now, "user_id": by.id, "action": "account.disable" if disabled else "account.enable",
        "record_id": user.id, "detail": user.username}])
    return True
