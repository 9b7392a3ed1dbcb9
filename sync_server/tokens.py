"""Short-lived signed tokens (HMAC-SHA256). The secret never leaves the server."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime
from typing import Any


class TokenError(Exception):
    """Missing, malformed, forged, expired or wrong-type token."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue_token(secret: bytes, *, subject: str, kind: str, ttl_s: int, now: datetime,
                extra: dict[str, Any] | None = None) -> str:
    claims = {"sub": subject, "typ": kind, "exp": int(now.timestamp()) + ttl_s, **(extra or {})}
    body = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    signature = _b64(hmac.new(secret, body.encode(), hashlib.sha256).digest())
    return f"{body}.{signature}"


def verify_token(secret: bytes, token: str, *, kind: str, now: datetime) -> dict[str, Any]:
    """Claims of a genuine, unexpired token of ``kind``; anything else raises ``TokenError``.

    Whatever a client sends (any characters, any length) ends in claims or ``TokenError``,
    never another exception: the signature is compared as bytes, so non-ASCII text is
    simply a forgery.
    """
    body, _, signature = token.partition(".")
    expected = _b64(hmac.new(secret, body.encode(), hashlib.sha256).digest())
    if not signature or not hmac.compare_digest(signature.encode(), expected.encode()):
        raise TokenError("invalid token")
    try:
        claims = json.loads(_unb64(body))
    except ValueError as exc:
        raise TokenError("invalid token") from exc
    if not isinstance(claims, dict) or not isinstance(claims.get("exp"), int):
        raise TokenError("invalid token")
    if claims.get("typ") != kind:
        raise TokenError(f"not a {kind} token")
    if claims["exp"] <= now.timestamp():
        raise TokenError("token expired: sign in again")
    return claims
