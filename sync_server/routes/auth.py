"""Sign-in, second factor (TOTP, RFC 6238), token refresh and sign-out.

Sign-in is throttled per account name and per client address (``login_throttle``): a blocked attempt is
refused with 429 and ``Retry-After`` before its password is hashed, and at most ``Settings.password_checks``
argon2 verifications run at once (more wait for a slot, then 503). A disabled account is refused (403)
only after its password matched, so the refusal tells a guesser nothing.

A right password is answered with tokens, or, when the account has a second factor or its role needs
one, with an ``MfaChallenge``: no token is issued before that step is done. ``code``: send a TOTP or
recovery code to ``/auth/mfa/verify``. ``enrol``: ``/auth/mfa/enrol`` shows a new secret once,
``/auth/mfa/enrol/confirm`` turns it on when a code from it comes back (tokens and recovery codes).

Each completed sign-in opens a session (``accounts``): refresh rotates its refresh token (each is used
once), sign-out revokes it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import APIRouter, HTTPException, Request, Response, status
from sqlalchemy.orm import Session, sessionmaker

from emsync_desktop.sync.protocol import (
    ACCOUNT_DISABLED,
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
from sync_server.accounts import SessionRefused, SessionToken, find_user, open_session, revoke_session, rotate_session
from sync_server.config import Settings
from sync_server.deps import ClockDep, CurrentUser, SessionsDep, SettingsDep, WriteSessionsDep, account
from sync_server.login_throttle import (
    PasswordCheckSlots,
    ThrottleKeys,
    record_failure,
    record_success,
    retry_after_s,
    throttle_keys,
)
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


@router.post("/login", responses={
    200: {"description": "Tokens; or, when a second factor is due, an MfaChallenge (no tokens yet)"},
    401: {"model": ErrorBody, "description": "Unknown user or wrong password"}, **_DISABLED,
    429: {"model": ErrorBody, "description": "Too many failed sign-ins: wait Retry-After seconds"},
    503: {"model": ErrorBody, "description": "Too many sign-ins being checked: try again shortly"}})
def login(body: LoginRequest, request: Request, sessions: SessionsDep, write_sessions: WriteSessionsDep,
          settings: SettingsDep, clock: ClockDep) -> TokenResponse | MfaChallenge:
    """Throttle, password, disabled account, then a second step (``MfaChallenge``) or a session."""
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
        step = second_factor.second_step(user, settings.mfa_required_roles) if ok and user else None
        with write_sessions.begin() as session:
            if ok and step != "code":  # with a code still due, only the right code clears the count
                record_success(session, keys)
            elif not ok:
                record_failure(session, keys, settings.clock(), account=settings.account_throttle,
                               address=settings.address_throttle)
    if not ok or user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, _WRONG)
    if user.disabled_at is not None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, ACCOUNT_DISABLED)
    if step is None:  # told only after a right password
        return _open(write_sessions, user, settings)
    return _challenge(write_sessions, settings, user.id, step, clock())


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


@router.post("/refresh", responses={401: {"model": ErrorBody, "description": "Refresh token refused"}, **_DISABLED})
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
        if second_factor.second_step(user, settings.mfa_required_roles) == "enrol":
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Two-step sign-in is now required for this "
                                                              "account: sign in again to set it up.")
        try:
            token = rotate_session(session, user.id, presented, now, settings.refresh_ttl_s)
        except SessionRefused as exc:
            refused = exc
    if refused is not None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, f"Refresh token refused ({refused}).")
    return _tokens(user, token, settings, now)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
             responses={401: {"model": ErrorBody, "description": "Not a refresh token of this server"}})
def logout(body: RefreshRequest, write_sessions: WriteSessionsDep, settings: SettingsDep) -> Response:
    """Sign-out: the refresh token's session is revoked (whatever its age; done already is fine too)."""
    now = settings.clock()
    user_id, presented = _refresh_claims(body.refresh_token, settings, now, allow_expired=True)
    with write_sessions.begin() as session:
        revoke_session(session, user_id, presented.session_id, now, "signed out")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


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


@router.post("/mfa/verify", responses={**_REFUSED, 429: {"model": ErrorBody, "description": "Too many failed "
                                                                   "sign-ins: wait Retry-After seconds"}})
def verify_code(body: MfaCodeRequest, request: Request, sessions: SessionsDep, write_sessions: WriteSessionsDep,
                settings: SettingsDep, clock: ClockDep) -> TokenResponse:
    """The second step of a sign-in: a TOTP code (each time step once per account) or a recovery code
    (each once). Five wrong codes end the challenge, and every wrong code counts against the account's and
    the address's sign-in throttle like a wrong password: with the password known, a new challenge per five
    guesses would otherwise try the 10^6 codes at the speed of argon2 (expected success in under an hour)."""
    user_id, challenge_id = _challenge_claims(settings, body.challenge_token, "code", clock())
    with sessions() as session:
        keys = throttle_keys(account(session, user_id).username, request.client.host if request.client else None)
        _refuse_if_throttled(session, keys, settings)
    try:
        attempt = second_factor.count_attempt(write_sessions, user_id, challenge_id, enrolling=False)
        second_factor.spend_code(write_sessions, settings.secret, attempt, body.code, clock())
    except CodeRefused as refused:
        with write_sessions.begin() as session:
            record_failure(session, keys, settings.clock(), account=settings.account_throttle,
                           address=settings.address_throttle)
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(refused)) from None
    except mfa.SealError:
        log.warning("the second-factor secret of account %s does not open: was the server secret changed?",
                    user_id)
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Your authenticator codes cannot be checked on this "
                            "server: use a recovery code, or ask an administrator to reset two-step sign-in.") \
            from None
    with write_sessions.begin() as session:
        record_success(session, keys)
    with sessions() as session:
        user = account(session, user_id)
    return _open(write_sessions, user, settings)


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
        user = account(session, user_id)
    tokens = _open(write_sessions, user, settings)
    response.headers.update(_NOT_STORED)
    return MfaEnrolled(tokens=tokens, recovery_codes=codes)


@router.post("/mfa/setup", responses={
    401: {"model": ErrorBody, "description": "Not signed in, or wrong password"},
    409: {"model": ErrorBody, "description": "The account has a second factor already"}})
def set_up(body: MfaSetupRequest, user: CurrentUser, write_sessions: WriteSessionsDep, settings: SettingsDep,
           clock: ClockDep) -> MfaChallenge:
    """A signed-in account without a second factor (optional for its role) asks to enrol: its password
    again, then the enrolment steps."""
    if not _password_matches(user, body.password):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Wrong password.")
    if user.mfa_secret is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, "Two-step sign-in is on already. For a new phone, ask an "
                                                      "administrator to reset it.")
    return _challenge(write_sessions, settings, user.id, "enrol", clock())


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
