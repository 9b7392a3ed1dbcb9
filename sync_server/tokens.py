"""Short-lived signed tokens: JWTs (RFC 7519) signed with HS256 by PyJWT. The secret never leaves the server.
Every process serving one database must hold the same secret, or each refuses the others' tokens
(``config.load_secret``: ``$EMSYNC_SERVER_SECRET`` or a shared data dir; issue 23).

Why a library rather than our own format: see docs/decisions.md (issue 17). The algorithm is pinned
(``algorithms=["HS256"]``: no ``none``, no algorithm taken from the token's header) and every claim the
server relies on is required. Expiry is checked against the ``now`` the caller gives (one clock for the
whole request), with ``LEEWAY_S`` for server processes whose clocks differ slightly.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import jwt

ALGORITHM = "HS256"
ISSUER = "emsync-sync-server"
LEEWAY_S = 5  # clock difference tolerated between server processes sharing one database (issue 23)
_REQUIRED = ["exp", "iat", "iss", "sub", "typ"]


class TokenError(Exception):
    """Missing, malformed, forged, expired or wrong-type token."""


def issue_token(secret: bytes, *, subject: str, kind: str, ttl_s: int, now: datetime,
                extra: dict[str, Any] | None = None) -> str:
    issued = int(now.timestamp())
    claims = {**(extra or {}), "sub": subject, "typ": kind, "iss": ISSUER, "iat": issued, "exp": issued + ttl_s}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_token(secret: bytes, token: str, *, kind: str, now: datetime, allow_expired: bool = False) -> dict[str, Any]:
    """Claims of a genuine, unexpired token of ``kind``; anything else raises ``TokenError``.

    Whatever a client sends (any characters, any length) ends in claims or ``TokenError``, never
    another exception. ``allow_expired``: a genuine token past its expiry is still accepted (sign-out
    revokes the session of a refresh token whatever its age).
    """
    try:
        claims: dict[str, Any] = jwt.decode(
            token, secret, algorithms=[ALGORITHM], issuer=ISSUER,
            options={"require": _REQUIRED, "verify_exp": False, "verify_iat": False, "verify_aud": False})
    except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
        raise TokenError("invalid token") from exc
    if not isinstance(claims["exp"], int) or isinstance(claims["exp"], bool) or not isinstance(claims["sub"], str):
        raise TokenError("invalid token")
    if claims["typ"] != kind:
        raise TokenError(f"not a {kind} token")
    if not allow_expired and claims["exp"] + LEEWAY_S <= now.timestamp():
        raise TokenError("token expired: sign in again")
    return claims
