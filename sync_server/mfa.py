"""Second factor, without the database: TOTP codes (RFC 6238), sealed secrets, recovery codes.

A TOTP secret is 160 random bits. It is kept sealed with AES-256-GCM under a key derived from the
server secret and bound to the account id (a sealed secret copied onto another account does not open),
and it reaches a client exactly once, at enrolment, as text and as an ``otpauth://`` URI for a QR code.
Nothing in this module logs, and no secret, code or sealed value is put in an exception message.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from Crypto.Cipher import AES

ISSUER = "EMsync"
STEP_S = 30
DIGITS = 6
DRIFT_STEPS = 1  # a phone's clock may be one step behind or ahead
CHALLENGE_TTL_S = 300  # from a right password to the code
MAX_WRONG_CODES = 5  # per challenge; then the password again
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i: read off paper
_RECOVERY_LENGTH = 10  # ~50 bits: too few for a fast hash, so argon2 (NIST SP 800-63B 5.1.2.2)
_SEAL_VERSION = "v1"
# Recovery codes are random, unlike passwords: OWASP's minimum argon2id cost keeps checking ten of them
# cheap, while an offline guess at one still costs an argon2 run.
_recovery_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)


class SealError(Exception):
    """A sealed secret that does not open with this server secret and account (changed or tampered with)."""


def time_step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_S


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_S).provisioning_uri(name=username, issuer_name=ISSUER)


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_S).generate_otp(step)


def normalise(code: str) -> str:
    """What a person typed, as compared: no spaces or dashes, lower case."""
    return "".join(ch for ch in code if ch not in " -\t").lower()


def looks_like_totp(code: str) -> bool:
    return len(code) == DIGITS and code.isascii() and code.isdigit()


def matching_step(secret: str, code: str, now: datetime, *, newer_than: int | None) -> int | None:
    """The time step (within ``DRIFT_STEPS`` of ``now``) whose code ``code`` is, if it is newer than the
    last step this account used; else None. Compared in constant time."""
    current = time_step(now)
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(code_at(secret, step), code) and (newer_than is None or step > newer_than):
            found = step
    return found


def _seal_key(server_secret: bytes) -> bytes:
    return hmac.new(server_secret, b"emsync totp secret seal v1", hashlib.sha256).digest()


def seal(server_secret: bytes, user_id: str, secret: str) -> str:
    nonce = secrets.token_bytes(12)
    cipher = AES.new(_seal_key(server_secret), AES.MODE_GCM, nonce=nonce)
    cipher.update(user_id.encode())
    sealed, tag = cipher.encrypt_and_digest(secret.encode())
    return f"{_SEAL_VERSION}:{base64.b64encode(nonce + tag + sealed).decode()}"


def unseal(server_secret: bytes, user_id: str, sealed: str) -> str:
    version, _, body = sealed.partition(":")
    try:
        raw = base64.b64decode(body, validate=True)
        if version != _SEAL_VERSION or len(raw) < 29:
            raise ValueError
        cipher = AES.new(_seal_key(server_secret), AES.MODE_GCM, nonce=raw[:12])
        cipher.update(user_id.encode())
        return cipher.decrypt_and_verify(raw[28:], raw[12:28]).decode()
    except ValueError:  # bad base64, wrong key or account, tampered: all the same to the caller
        raise SealError("the second-factor secret cannot be opened") from None


def new_recovery_codes() -> list[str]:
    """Shown once, as ``xxxxx-xxxxx``."""
    codes = ("".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
             for _ in range(RECOVERY_CODES))
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def hash_recovery_code(code: str) -> str:
    return _recovery_hasher.hash(normalise(code))


def recovery_code_matches(code_hash: str, typed: str) -> bool:
    try:
        return _recovery_hasher.verify(code_hash, normalise(typed))
    except (VerificationError, InvalidHashError):
        return False
