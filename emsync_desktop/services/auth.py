"""Signing in: through the sync server when it answers, else offline against the cached verifier.

Threading: call on the DbRunner thread. ``sign_in_with_server`` makes one HTTP request (short
connect timeout) before its transaction; the GUI thread never waits on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from emsync_desktop.domain.roles import Role, UserInfo
from emsync_desktop.security.passwords import hash_password, verify_password
from emsync_desktop.store.database import Store
from emsync_desktop.store.models import Hospital, User
from emsync_desktop.store.repositories import get_user, get_user_by_username, list_demo_users
from emsync_desktop.sync.http import AuthRejected, ServerUnreachable
from emsync_desktop.sync.protocol import TokenResponse, UserPublic

ServerLogin = Callable[[str, str], TokenResponse]


class SignInError(Exception):
    """Sign-in refused; the message is safe to show."""


def user_info(row: User) -> UserInfo:
    return UserInfo(id=row.id, username=row.username, display_name=row.display_name, role=Role(row.role),
                    hospital_id=row.hospital_id, ambulance_unit=row.ambulance_unit, is_demo=row.is_demo)


def demo_users(store: Store) -> list[UserInfo]:
    with store.sessions.begin() as session:
        return [user_info(u) for u in list_demo_users(session)]


def sign_in_demo(store: Store, user_id: str, *, demo_install: bool) -> UserInfo:
    with store.sessions.begin() as session:
        row = get_user(session, user_id)
        if row is None or not row.is_demo or not demo_install:
            raise SignInError("Demo sign-in is only for demo users on a demo install.")
        return user_info(row)


def sign_in(store: Store, username: str, password: str) -> UserInfo:
    """Offline sign-in against the verifier cached at this user's last online sign-in."""
    with store.sessions.begin() as session:
        row = get_user_by_username(session, username)
        if row is None or row.password_hash is None or not verify_password(row.password_hash, password):
            raise SignInError("Unknown user name or wrong password. Check Caps Lock and try again.")
        return user_info(row)


@dataclass(frozen=True)
class SignedIn:
    user: UserInfo
    online: bool  # False: the server did not answer; checked against the cached verifier


def sign_in_with_server(store: Store, login: ServerLogin, username: str, password: str) -> SignedIn:
    """The server decides when it answers (a refusal there is final, whatever the device has
    cached); its answer refreshes the cached profile and verifier. Only an unreachable server
    falls back to the verifier cached on this device."""
    try:
        tokens = login(username.strip().lower(), password)
    except AuthRejected as refused:
        raise SignInError(f"{refused} Check Caps Lock and try again.") from refused
    except ServerUnreachable:
        return SignedIn(_sign_in_offline(store, username, password), online=False)
    with store.sessions.begin() as session:
        return SignedIn(user_info(_cache_user(session, tokens.user, password)), online=True)


def _sign_in_offline(store: Store, username: str, password: str) -> UserInfo:
    with store.sessions.begin() as session:
        row = get_user_by_username(session, username)
        if row is None or row.password_hash is None or row.is_demo:
            raise SignInError("The sync server cannot be reached and this user has not signed in on this "
                              "device before. Connect to the network once to sign in.")
    return sign_in(store, username, password)


def _cache_user(session: Session, profile: UserPublic, password: str) -> User:
    """Store the server's profile and a fresh argon2 verifier of the password (never the password)."""
    row = session.get(User, profile.id)
    clash = get_user_by_username(session, profile.username)
    if clash is not None and clash.id != profile.id:
        raise SignInError(f"Another account named {profile.username!r} already exists on this device. "
                          "Ask an administrator to remove it.")
    if row is None:
        row = User(id=profile.id, username=profile.username, is_demo=False)
        session.add(row)
    hospital = profile.hospital_id if profile.hospital_id and session.get(Hospital, profile.hospital_id) else None
    row.display_name, row.role, row.hospital_id = profile.display_name, profile.role, hospital
    row.ambulance_unit, row.password_hash = profile.ambulance_unit, hash_password(password)
    session.flush()
    return row

