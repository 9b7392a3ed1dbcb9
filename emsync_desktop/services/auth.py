"""Signing in on the device (offline against the cached verifier)."""

from __future__ import annotations

from emsync_desktop.domain.roles import Role, UserInfo
from emsync_desktop.security.passwords import verify_password
from emsync_desktop.store.database import Store
from emsync_desktop.store.models import User
from emsync_desktop.store.repositories import get_user, get_user_by_username, list_demo_users


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
    with store.sessions.begin() as session:
        row = get_user_by_username(session, username)
        if row is None or row.password_hash is None or not verify_password(row.password_hash, password):
            raise SignInError("Unknown user name or wrong password. Check Caps Lock and try again.")
        return user_info(row)

