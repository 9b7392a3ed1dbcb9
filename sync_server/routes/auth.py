"""Sign-in, second factor (TOTP, RFC 6238) and token refresh.

A right password is answered with tokens, or, when the account has a second factor or its role needs
one, with an ``MfaChallenge``: no token is issued before that step is done. ``code``: send a TOTP or
recovery code to ``/auth/mfa/verify``. ``enrol``: ``/auth/mfa/enrol`` shows a new secret once,
``/auth/mfa/enrol/confirm`` turns it on when a code from it comes back (tokens and recovery codes).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import APIRouter, HTTPException, Response, status
from sqlalchemy import select

from emsync_desktop.sync.protocol import (
    ErrorBody,
    LoginRequest,
    MfaChallenge,
    MfaCodeRequest,
    MfaEnrolled,
    MfaEnrolment,
    MfaEnrolRequest,
    MfaSetupRequest,
    RefreshRequest,
    TokenResponse,
    UserPublic,
)
from sync_server import mfa, second_factor
from sync_server.deps import ClockDep, CurrentUser, SessionsDep, SettingsDep, WriteSessionsDep, account
from sync_server.models import User
from sync_server.second_factor import CodeRefused, Step
from sync_server.tokens import TokenError, issue_token, verify_token

router = APIRouter(prefix="/auth", tags=["auth"])
log = logging.getLogger(__name__)
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("timing equaliser")
_REFUSED: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Challenge expired, used up or replaced; or the code is wrong or "
                                             "was used already"}}
_NOT_STORED = {"Cache-Control": "no-store"}  # answers carrying a secret or recovery codes


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


def _password_ok(password_hash: str | None, password: str) -> bool:
    try:
        return bool(_hasher.verify(password_hash or _DUMMY_HASH, password)) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def _challenge(write_sessions: WriteSessionsDep, settings: SettingsDep, user_id: str, step: Step,
               now: datetime) -> MfaChallenge:
    challenge_id = second_factor.open_challenge(write_sessions, user_id)
    token = issue_token(settings.secret, subject=user_id, kind="mfa", ttl_s=mfa.CHALLENGE_TTL_S, now=now,
                        extra={"step": step, "cid": challenge_id})
    return MfaChallenge(mfa=step, challenge_token=token, expires_in_s=mfa.CHALLENGE_TTL_S)


def _challenge_claims(settings: SettingsDep, token: str, step: Step, now: datetime) -> tuple[str, str]:
    """(account id, challenge id) of a genuine, unexpired challenge token for ``step``; else 401."""
    try:
        claims = verify_token(settings.secret, token, kind="mfa", now=now)
    except TokenError as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, f"Sign in with your password again ({exc}).") from exc
    if claims.get("step") != step or not isinstance(claims.get("cid"), str):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "This sign-in step does not match: sign in with your "
                                                          "password again.")
    return str(claims["sub"]), claims["cid"]


@router.post("/login", responses={
    200: {"description": "Tokens; or, when a second factor is due, an MfaChallenge (no tokens yet)"},
    401: {"model": ErrorBody, "description": "Unknown user or wrong password"}})
def login(body: LoginRequest, sessions: SessionsDep, write_sessions: WriteSessionsDep, settings: SettingsDep,
          clock: ClockDep) -> TokenResponse | MfaChallenge:
    with sessions() as session:  # the connection goes back before the slow password check
        user = session.scalar(select(User).where(User.username == body.username.strip().lower()))
    password_ok = _password_ok(user.password_hash if user else None, body.password)  # argon2 runs either way
    if user is None or not password_ok:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Unknown user name or wrong password.")
    step = second_factor.second_step(user, settings.mfa_required_roles)  # told only after a right password
    if step is None:
        return _tokens(user, settings)
    return _challenge(write_sessions, settings, user.id, step, clock())


@router.post("/mfa/verify", responses=_REFUSED)
def verify_code(body: MfaCodeRequest, sessions: SessionsDep, write_sessions: WriteSessionsDep,
                settings: SettingsDep, clock: ClockDep) -> TokenResponse:
    """The second step of a sign-in: a TOTP code (each time step once per account) or a recovery code
    (each once). Five wrong codes end the challenge."""
    user_id, challenge_id = _challenge_claims(settings, body.challenge_token, "code", clock())
    try:
        attempt = second_factor.count_attempt(write_sessions, user_id, challenge_id, enrolling=False)
        second_factor.spend_code(write_sessions, settings.secret, attempt, body.code, clock())
    except CodeRefused as refused:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(refused)) from None
    except mfa.SealError:
        log.warning("the second-factor secret of account %s does not open: was the server secret changed?",
                    user_id)
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Your authenticator codes cannot be checked on this "
                            "server: use a recovery code, or ask an administrator to reset two-step sign-in.") \
            from None
    with sessions() as session:
        return _tokens(account(session, user_id), settings)


@router.post("/mfa/enrol", responses=_REFUSED)
def start_enrolment(body: MfaEnrolRequest, response: Response, sessions: SessionsDep,
                    write_sessions: WriteSessionsDep, settings: SettingsDep, clock: ClockDep) -> MfaEnrolment:
    """A new secret for the authenticator app, shown this once (asking again replaces it)."""
    user_id, challenge_id = _challenge_claims(settings, body.challenge_token, "enrol", clock())
    try:
        secret = second_factor.start_enrolment(write_sessions, settings.secret, user_id, challenge_id)
    except CodeRefused as refused:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(refused)) from None
    with sessions() as session:
        username = account(session, user_id).username
    response.headers.update(_NOT_STORED)
    return MfaEnrolment(secret=secret, otpauth_uri=mfa.provisioning_uri(secret, username))


@router.post("/mfa/enrol/confirm", responses=_REFUSED)
def confirm_enrolment(body: MfaCodeRequest, response: Response, sessions: SessionsDep,
                      write_sessions: WriteSessionsDep, settings: SettingsDep, clock: ClockDep) -> MfaEnrolled:
    """A code from the new secret turns the second factor on: tokens, and recovery codes shown this once."""
    user_id, challenge_id = _challenge_claims(settings, body.challenge_token, "enrol", clock())
    try:
        attempt = second_factor.count_attempt(write_sessions, user_id, challenge_id, enrolling=True)
        codes = second_factor.confirm_enrolment(write_sessions, settings.secret, attempt, body.code, clock())
    except (CodeRefused, mfa.SealError) as refused:
        text = str(refused) if isinstance(refused, CodeRefused) else second_factor.CHALLENGE_ENDED
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, text) from None
    with sessions() as session:
        tokens = _tokens(account(session, user_id), settings)
    response.headers.update(_NOT_STORED)
    return MfaEnrolled(tokens=tokens, recovery_codes=codes)


@router.post("/mfa/setup", responses={
    401: {"model": ErrorBody, "description": "Not signed in, or wrong password"},
    409: {"model": ErrorBody, "description": "The account has a second factor already"}})
def set_up(body: MfaSetupRequest, user: CurrentUser, write_sessions: WriteSessionsDep, settings: SettingsDep,
           clock: ClockDep) -> MfaChallenge:
    """A signed-in account without a second factor (optional for its role) asks to enrol: its password
    again, then the enrolment steps."""
    if not _password_ok(user.password_hash, body.password):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Wrong password.")
    if user.mfa_secret is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, "Two-step sign-in is on already. For a new phone, ask an "
                                                      "administrator to reset it.")
    return _challenge(write_sessions, settings, user.id, "enrol", clock())


@router.post("/refresh", responses={401: {"model": ErrorBody, "description": "Refresh token refused"}})
def refresh(body: RefreshRequest, sessions: SessionsDep, settings: SettingsDep) -> TokenResponse:
    try:
        claims = verify_token(settings.secret, body.refresh_token, kind="refresh", now=datetime.now(UTC))
    except TokenError as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, f"Refresh token refused ({exc}).") from exc
    with sessions() as session:
        user = session.get(User, claims["sub"])
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "This account no longer exists.")
    if second_factor.second_step(user, settings.mfa_required_roles) == "enrol":
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Two-step sign-in is now required for this account: "
                                                          "sign in again to set it up.")
    return _tokens(user, settings)
