"""Signing in: through the sync server when it answers, else offline against the cached verifier.

Threading: ``ask_server`` waits on the network: a background thread, never the GUI thread and never
the DB thread (which must stay free for saving what people type). Everything else runs on the DB
thread. ``sign_in_with_server`` is the two in one call, for callers that own their thread.

Two-step sign-in: the server may answer a right password with an ``MfaChallenge`` instead of tokens
(services/second_factor.py does that step). Offline, an account of a role that needs a second factor
(coordinator, admin) is never signed in: docs/decisions.md, "Two-step sign-in".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from emsync_desktop.domain.roles import MFA_REQUIRED_ROLES, Role, UserInfo
from emsync_desktop.security.passwords import hash_password, verify_password
from emsync_desktop.store.database import Store
from emsync_desktop.store.models import Hospital, User
from emsync_desktop.store.repositories import get_user, get_user_by_username, list_demo_users
from emsync_desktop.sync.http import AccountDisabled, AuthRejected, SecondFactorRequired, ServerUnreachable, Throttled
from emsync_desktop.sync.protocol import MfaChallenge, TokenResponse, UserPublic

ServerLogin = Callable[[str, str], TokenResponse]  # raises SecondFactorRequired when a code is due


class SignInError(Exception):
    """Sign-in refused; the message is safe to show."""


class UnknownOffline(SignInError):
    """The server did not answer and this device has never seen this account sign in: stale once the
    server answers again."""


class OnlineOnly(UnknownOffline):
    """A role that needs a second factor cannot sign in on this device's cached verifier alone."""


class SecondStepDue(SignInError):
    """The password was right; the server asks for a code or an enrolment first (``challenge``)."""

    def __init__(self, challenge: MfaChallenge) -> None:
        super().__init__("This account uses two-step sign-in: type the code from your authenticator app.")
        self.challenge = challenge


def user_info(row: User) -> UserInfo:
    return UserInfo(id=row.id, username=row.username, display_name=row.display_name, role=Role(row.role),
                    hospital_id=row.hospital_id, ambulance_unit=row.ambulance_unit, is_demo=row.is_demo)


def demo_users(store: Store) -> list[UserInfo]:
    with store.sessions.begin() as session:
        return [user_info(u) for u in list_demo_users(session)]


def demo_accounts(store: Store) -> list[tuple[UserInfo, str]]:
    """Demo users with where they work, as the sign-in buttons say it: 'KL-07 AMB 108', 'Lourdes'."""
    with store.sessions.begin() as session:
        result = []
        for row in list_demo_users(session):
            hospital = session.get(Hospital, row.hospital_id) if row.hospital_id else None
            result.append((user_info(row), row.ambulance_unit or (hospital.short_name if hospital else "")))
        return result


def sign_in_demo(store: Store, user_id: str, *, demo_install: bool, real_server: bool = False) -> UserInfo:
    """Sign in without a password: only demo users, only on a demo install, and never while the
    device syncs with a real server (``--server``), whose accounts have passwords."""
    if real_server:
        raise SignInError("Demo accounts are not available with a sync server: sign in with your user name "
                          "and password.")
    with store.sessions.begin() as session:
        row = get_user(session, user_id)
        if row is None or not row.is_demo or not demo_install:
            raise SignInError("Demo sign-in is only for demo users on a demo install.")
        return user_info(row)


def unlock(store: Store, user_id: str, password: str) -> bool:
    """Whether ``password`` unlocks the locked screen of this user: their password's verifier on this
    device. A demo account (no password, demo installs only) unlocks with the button alone. DB thread."""
    with store.sessions.begin() as session:
        row = get_user(session, user_id)
        if row is None:
            return False
        if row.password_hash is None:
            return bool(row.is_demo)
        return verify_password(row.password_hash, password)


def sign_in(store: Store, username: str, password: str) -> UserInfo:
    """Offline sign-in against the verifier cached at this user's last online sign-in. Refused to roles
    that need a second factor: the device holds no copy of it (and a password alone is not enough)."""
    with store.sessions.begin() as session:
        row = get_user_by_username(session, username)
        if row is not None and row.password_hash is not None and Role(row.role) in MFA_REQUIRED_ROLES:
            raise OnlineOnly(f"{Role(row.role).label}s sign in online only, with a code from their authenticator "
                             "app. The sync server cannot be reached: check the network and try again.")
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
    falls back to the verifier cached on this device. ``SecondStepDue`` when the server asks for a code."""
    answer = ask_server(login, username, password)
    if isinstance(answer, MfaChallenge):
        raise SecondStepDue(answer)
    return finish_sign_in(store, answer, username, password)


def ask_server(login: ServerLogin, username: str, password: str) -> TokenResponse | MfaChallenge | None:
    """Background thread (network, no store). The server's answer (tokens, or the second step it asks
    for), or None when it does not answer; raises ``SignInError`` when it refuses."""
    try:
        return login(username.strip().lower(), password)
    except SecondFactorRequired as due:
        return due.challenge
    except AccountDisabled as refused:  # final, like a wrong password: no offline sign-in either
        raise SignInError(str(refused)) from refused
    except AuthRejected as refused:
        raise SignInError(f"{refused} Check Caps Lock and try again.") from refused
    except Throttled as refused:  # the server is there and says wait: no offline sign-in meanwhile
        raise SignInError(f"{refused} Someone may be guessing this account's password; if it was not you, "
                          "tell your administrator.") from refused
    except ServerUnreachable:
        return None


def finish_sign_in(store: Store, tokens: TokenResponse | None, username: str, password: str) -> SignedIn:
    """DB thread. With the server's answer: cache its profile and a verifier; without one (None): check
    the password against the verifier this device cached at the account's last online sign-in."""
    if tokens is None:
        return SignedIn(_sign_in_offline(store, username, password), online=False)
    with store.sessions.begin() as session:
        return SignedIn(user_info(_cache_user(session, tokens.user, password)), online=True)


def _sign_in_offline(store: Store, username: str, password: str) -> UserInfo:
    with store.sessions.begin() as session:
        row = get_user_by_username(session, username)
        if row is None or row.password_hash is None or row.is_demo:
            raise UnknownOffline("The sync server cannot be reached and this user has not signed in on this "
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

