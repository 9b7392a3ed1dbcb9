"""Sign-in throttling: failed passwords slow down the account name and the client address they came from.

State is in the database (``login_throttle``), so every server process sharing it sees the same counts
and a restart forgets nothing (docs/decisions.md, issue 17). A sign-in is checked here BEFORE its password
is hashed: a blocked key costs one primary-key read, never argon2 work. Attempts refused while blocked do
not count as failures, so delays grow only with real guesses, and the per-account delay is capped
(``ThrottlePolicy.max_delay_s``): an attacker cannot keep an account shut for longer than that per try,
while the attacker's own address, throttled longer, stays shut.

Keys are hashed (``throttle_keys``): a password typed into the name field is never stored. Unknown account
names are throttled exactly like real ones, so a 429 tells nothing about which names exist.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from sync_server.config import Settings, ThrottlePolicy
from sync_server.models import AuthSession, LoginThrottle


@dataclass(frozen=True)
class ThrottleKeys:
    account: str
    address: str


def throttle_keys(username: str, client_host: str | None) -> ThrottleKeys:
    name = username.strip().lower()
    return ThrottleKeys(account=_key("account", name), address=_key("address", address_block(client_host)))


def address_block(client_host: str | None) -> str:
    """The unit an address is throttled by: an IPv4 address, or the /64 of an IPv6 one (one subscriber
    usually holds a whole /64)."""
    if not client_host:
        return "unknown"
    try:
        address = ipaddress.ip_address(client_host)
    except ValueError:
        return client_host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{kind}:{digest}"


def retry_after_s(session: Session, keys: ThrottleKeys, now: datetime) -> int | None:
    """Seconds until both keys may try again (rounded up), or None if neither is blocked."""
    rows = session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_((keys.account, keys.address))))
    waits = [(row.blocked_until - now).total_seconds() for row in rows if row.blocked_until is not None]
    longest = max(waits, default=0.0)
    return math.ceil(longest) if longest > 0 else None


def record_failure(session: Session, keys: ThrottleKeys, now: datetime, *, account: ThrottlePolicy,
                   address: ThrottlePolicy) -> None:
    """Count a wrong password against both keys (in the caller's write transaction)."""
    for key, policy in ((keys.account, account), (keys.address, address)):
        _ensure_row(session, key, now)
        row = session.get_one(LoginThrottle, key, with_for_update=True)  # another process may count too
        if now - row.last_failure_at > timedelta(seconds=policy.forget_after_s):
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        delay_s = policy.delay_s(row.failures)
        row.blocked_until = now + timedelta(seconds=delay_s) if delay_s else None


def _ensure_row(session: Session, key: str, now: datetime) -> None:
    """The key's row exists (inserted by whichever process counts first; never a duplicate-key error)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    values = {"key": key, "failures": 0, "last_failure_at": now, "blocked_until": None}
    session.execute(insert(LoginThrottle).values(**values).on_conflict_do_nothing(index_elements=["key"]))


def record_success(session: Session, keys: ThrottleKeys) -> None:
    """The right password: the account's count starts again. (The address keeps its count: an insider
    signing in to their own account between guesses must not wipe the address's record.)"""
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == keys.account))


def forget_stale_sign_ins(session: Session, settings: Settings) -> None:
    """Delete throttling records that would start from nothing anyway, and sessions a day past their
    expiry (their refresh tokens have expired with them). Both are indexed: a no-op costs little."""
    now = settings.clock()
    forget_s = max(settings.account_throttle.forget_after_s, settings.address_throttle.forget_after_s)
    session.execute(delete(LoginThrottle).where(LoginThrottle.last_failure_at < now - timedelta(seconds=forget_s)))
    session.execute(delete(AuthSession).where(AuthSession.expires_at < now - timedelta(days=1)))


class PasswordCheckSlots:
    """At most ``limit`` argon2 verifications at once in this process: each takes a core for tens of
    milliseconds, and a flood of sign-ins must not take every core from the sync work."""

    def __init__(self, limit: int) -> None:
        self._slots = threading.BoundedSemaphore(limit)

    @contextmanager
    def slot(self, wait_s: float) -> Iterator[bool]:
        """Yields whether a slot was had within ``wait_s``; it is given back on leaving."""
        acquired = self._slots.acquire(timeout=wait_s) if wait_s > 0 else self._slots.acquire(blocking=False)
        try:
            yield acquired
        finally:
            if acquired:
                self._slots.release()
