"""Second factor in the database: challenges, wrong-code counts, replay protection, recovery codes.

Contract: a right password opens one challenge per account (a newer one replaces it); each code sent
against it is counted first, in its own committed transaction, so ``MAX_WRONG_CODES`` holds under
concurrent requests; a code is spent by a conditional UPDATE (TOTP: only a time step newer than the
last one used; recovery code: only if still unused), so two requests with one code cannot both win.
argon2 work (recovery codes) runs outside every transaction: it never holds SQLite's write lock.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import CursorResult, Update, delete, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from sync_server import mfa
from sync_server.audit import append_audit_events
from sync_server.models import RecoveryCode, User

Step = Literal["code", "enrol"]


class CodeRefused(Exception):
    """A code or challenge refused; the message is safe to show (it never contains the code)."""


CHALLENGE_ENDED = ("This sign-in has ended (too many wrong codes, or a newer sign-in replaced it). "
                   "Sign in with your password again.")
WRONG_CODE = ("That code is not right, or it was used already. Type the newest code from your authenticator "
              "app, or a recovery code.")


def _matched(session: Session, statement: Update) -> int:
    """Rows an UPDATE matched: the conditional updates below decide races by it."""
    result = session.execute(statement)
    assert isinstance(result, CursorResult)
    return int(result.rowcount)


def second_step(user: User, required_roles: frozenset[str]) -> Step | None:
    """What a right password leads to: a code (enrolled), enrolment (required, not enrolled), or tokens."""
    if user.mfa_secret is not None:
        return "code"
    return "enrol" if user.role in required_roles else None


def open_challenge(write_sessions: sessionmaker[Session], user_id: str) -> str:
    """A new challenge id for the account; any older challenge stops working."""
    challenge_id = secrets.token_hex(16)
    with write_sessions.begin() as session:
        session.execute(update(User).where(User.id == user_id).values(mfa_challenge_id=challenge_id, mfa_failures=0))
    return challenge_id


@dataclass(frozen=True)
class Attempt:
    """One counted try against an open challenge, with what checking the code needs."""

    user_id: str
    challenge_id: str
    sealed_secret: str | None  # the enrolled secret, or the pending one when enrolling
    last_step: int | None
    unused_recovery_codes: tuple[tuple[str, str], ...]  # (id, argon2 hash)


def count_attempt(write_sessions: sessionmaker[Session], user_id: str, challenge_id: str, *,
                  enrolling: bool) -> Attempt:
    """Count a try (committed, whatever the code turns out to be); ``CodeRefused`` when the challenge is
    no longer open or has had ``MAX_WRONG_CODES`` tries."""
    with write_sessions.begin() as session:
        counted = _matched(session, update(User).where(
            User.id == user_id, User.mfa_challenge_id == challenge_id, User.mfa_failures < mfa.MAX_WRONG_CODES)
            .values(mfa_failures=User.mfa_failures + 1))
        user = session.get(User, user_id) if counted else None
        if user is None:
            raise CodeRefused(CHALLENGE_ENDED)
        codes = () if enrolling else tuple(session.execute(
            select(RecoveryCode.id, RecoveryCode.code_hash)
            .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))).tuples())
        sealed = user.mfa_pending_secret if enrolling else user.mfa_secret
        return Attempt(user_id, challenge_id, sealed, user.mfa_last_step, codes)


def _close_challenge(attempt: Attempt) -> Update:
    return (update(User).where(User.id == attempt.user_id, User.mfa_challenge_id == attempt.challenge_id)
            .values(mfa_challenge_id=None, mfa_failures=0))


def spend_code(write_sessions: sessionmaker[Session], server_secret: bytes, attempt: Attempt, code: str,
               now: datetime) -> None:
    """Accept ``code`` (a TOTP code of a step not used before, or an unused recovery code) and close the
    challenge; ``CodeRefused`` otherwise."""
    typed = mfa.normalise(code)
    if attempt.sealed_secret is None:
        raise CodeRefused(CHALLENGE_ENDED)
    if mfa.looks_like_totp(typed):
        secret = mfa.unseal(server_secret, attempt.user_id, attempt.sealed_secret)
        step = mfa.matching_step(secret, typed, now, newer_than=attempt.last_step)
        if step is None or not _spend_step(write_sessions, attempt, step):
            raise CodeRefused(WRONG_CODE)
        return
    code_id = next((cid for cid, code_hash in attempt.unused_recovery_codes
                    if mfa.recovery_code_matches(code_hash, typed)), None)
    if code_id is None or not _spend_recovery_code(write_sessions, attempt, code_id, now):
        raise CodeRefused(WRONG_CODE)


def _spend_step(write_sessions: sessionmaker[Session], attempt: Attempt, step: int) -> bool:
    with write_sessions.begin() as session:
        newer = or_(User.mfa_last_step.is_(None), User.mfa_last_step < step)
        return bool(_matched(session, _close_challenge(attempt).where(newer).values(mfa_last_step=step)))


def _spend_recovery_code(write_sessions: sessionmaker[Session], attempt: Attempt, code_id: str,
                         now: datetime) -> bool:
    with write_sessions.begin() as session:
        spent = _matched(session, update(RecoveryCode).where(RecoveryCode.id == code_id,
                                                             RecoveryCode.used_at.is_(None)).values(used_at=now))
        if not spent or not _matched(session, _close_challenge(attempt)):
            session.rollback()
            return False
        _audit(session, attempt.user_id, "mfa.recovery_code_used", now)
        return True


def start_enrolment(write_sessions: sessionmaker[Session], server_secret: bytes, user_id: str,
                    challenge_id: str) -> str:
    """A new pending secret for the account (replacing any earlier pending one), returned in clear this
    once; ``CodeRefused`` when the challenge is no longer open."""
    secret = mfa.new_secret()
    with write_sessions.begin() as session:
        stored = _matched(session, update(User).where(
            User.id == user_id, User.mfa_challenge_id == challenge_id, User.mfa_failures < mfa.MAX_WRONG_CODES)
            .values(mfa_pending_secret=mfa.seal(server_secret, user_id, secret)))
    if not stored:
        raise CodeRefused(CHALLENGE_ENDED)
    return secret


def confirm_enrolment(write_sessions: sessionmaker[Session], server_secret: bytes, attempt: Attempt, code: str,
                      now: datetime) -> list[str]:
    """Turn the second factor on with the pending secret once ``code`` proves the authenticator has it.
    Returns new recovery codes (in clear this once; any older ones stop working)."""
    if attempt.sealed_secret is None:
        raise CodeRefused("Show the QR code first (start enrolment), then type the code your app shows.")
    secret = mfa.unseal(server_secret, attempt.user_id, attempt.sealed_secret)
    step = mfa.matching_step(secret, mfa.normalise(code), now, newer_than=attempt.last_step)
    if step is None:
        raise CodeRefused("That code does not match the QR code shown. Type the newest code your app shows "
                          "for EMsync.")
    codes = mfa.new_recovery_codes()
    hashes = [mfa.hash_recovery_code(code) for code in codes]  # argon2 before the transaction
    with write_sessions.begin() as session:
        turned_on = _matched(session, _close_challenge(attempt).where(
            User.mfa_pending_secret == attempt.sealed_secret).values(
            mfa_secret=attempt.sealed_secret, mfa_pending_secret=None, mfa_enabled_at=now, mfa_last_step=step))
        if not turned_on:
            session.rollback()
            raise CodeRefused(CHALLENGE_ENDED)
        session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == attempt.user_id))
        session.add_all(RecoveryCode(id=str(uuid.uuid4()), user_id=attempt.user_id, code_hash=code_hash,
                                     created_at=now) for code_hash in hashes)
        session.flush()
        _audit(session, attempt.user_id, "mfa.enrolled", now)
    return codes


def reset(write_sessions: sessionmaker[Session], username: str, now: datetime) -> bool:
    """An administrator's reset (lost phone and codes): second factor off, codes gone; an account of a
    required role enrols again at its next sign-in. False if there is no such account."""
    with write_sessions.begin() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            return False
        user.mfa_secret = user.mfa_pending_secret = user.mfa_challenge_id = None
        user.mfa_enabled_at, user.mfa_failures = None, 0
        session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
        session.flush()
        _audit(session, user.id, "mfa.reset", now)
    return True


def _audit(session: Session, user_id: str, action: str, now: datetime) -> None:
    append_audit_events(session.connection(), [{"at": now, "user_id": user_id, "action": action,
                                                "record_id": user_id, "detail": ""}])
